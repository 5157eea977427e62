"""网上缴费: the payment provider a citizen's 去缴费 hands the payment notice to, behind one
interface (decision 23). The hall hands over an `Order` and sends the citizen's browser to the
provider's checkout; the provider reports the payment by the bank's signed callback
(services.receive_callback: same endpoint, same signature, same checks) and sends the browser
back to `return_url`. Chosen by ONEWINDOW_PAYMENT_PROVIDER; "" means the bank window only."""

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core import signing
from django.urls import reverse

SIMULATOR_SALT = "onewindow.payments.simulator"
ORDER_MAX_AGE_SECONDS = 30 * 60  # a checkout left open longer starts again from the hall


@dataclass(frozen=True)
class Order:
    """What the provider is told: the notice to pay, its amount (fen), what the citizen reads
    on the checkout, and where the browser goes back to."""

    notice_number: str
    amount_fen: int
    subject: str
    return_url: str


class Provider(Protocol):
    name: str
    label: str

    def checkout_url(self, order: Order) -> str:
        """The provider's page where the citizen pays the order."""
        ...


class Simulator:
    """The demo's provider (/dev/pay/<token>/, payments.simulator): the order travels in a
    signed, expiring token, as a provider's order id would."""

    name = "simulator"
    label = "模拟支付（演示）"

    def checkout_url(self, order: Order) -> str:
        token = signing.dumps(order.__dict__, salt=SIMULATOR_SALT, compress=True)
        return reverse("payments:simulator", args=[token])


PROVIDERS: dict[str, type] = {"simulator": Simulator}


def current() -> Provider | None:
    """The configured provider, or None: online payment is not offered."""
    name = settings.ONEWINDOW_PAYMENT_PROVIDER
    return PROVIDERS[name]() if name in PROVIDERS else None


def simulator_on() -> bool:
    return settings.ONEWINDOW_PAYMENT_PROVIDER == Simulator.name


def simulator_order(token: str) -> Order | None:
    """The order of a simulator token; None when forged or expired."""
    try:
        return Order(**signing.loads(token, salt=SIMULATOR_SALT, max_age=ORDER_MAX_AGE_SECONDS))
    except (signing.BadSignature, TypeError):
        return None
