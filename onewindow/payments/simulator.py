"""The payment provider simulator of the demo (/dev/pay/<token>/, 模拟支付 · 仅供演示): what a
provider does after the citizen pays — a signed callback on the bank's contract
(services.receive_callback), exactly as a provider would POST it to /api/v1/payments/callback.
Only with ONEWINDOW_PAYMENT_PROVIDER=simulator, which production refuses (decision 23)."""

import hashlib
import hmac
import json
import secrets

from django.conf import settings

from onewindow import clock
from onewindow.payments import services
from onewindow.payments.models import PaymentNotice
from onewindow.payments.providers import Order

REMOTE_ADDR = "simulator"


def callback_for(order: Order) -> tuple[bytes, str]:
    """The provider's report of a payment of `order`: the JSON body and its X-Signature."""
    body = {"notice_number": order.notice_number, "amount_fen": order.amount_fen,
            "paid_at": clock.now().isoformat(), "bank_ref": f"SIM{secrets.token_hex(8).upper()}"}  # fmt: skip
    raw = json.dumps(body).encode()
    sign = hmac.new(settings.ONEWINDOW_BANK_CALLBACK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return raw, sign


def pay(order: Order) -> PaymentNotice:
    """支付成功: the callback, received as any other (recorded; refused with its code when the
    notice was paid or cancelled meanwhile)."""
    raw, sign = callback_for(order)
    return services.receive_callback(raw, sign, remote_addr=REMOTE_ADDR)
