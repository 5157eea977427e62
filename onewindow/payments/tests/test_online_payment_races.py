"""支付成功 pressed in two tabs at once, and the provider's retry racing its first callback: the
notice is paid once, every callback is recorded (threads, each with its own connection;
meaningful on PostgreSQL, serialized on SQLite)."""

import pytest

from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.payments import services, simulator
from onewindow.payments.models import BankCallback, PaymentNotice
from onewindow.payments.providers import Order
from onewindow.payments.tests.fixtures import decided

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def notice(world, charged, finance, settings, bank_secret):
    settings.ONEWINDOW_PAYMENT_PROVIDER = "simulator"
    return services.check_notice(PaymentNotice.objects.get(case=decided(world, charged)), by=finance)


def test_two_successful_payments_at_once_pay_once(notice):
    order = Order(notice.number, notice.amount_fen, "", "/")
    results = run_together(*[lambda: simulator.pay(order)] * 3)
    paid = [r for r in results if isinstance(r, PaymentNotice)]
    refused = [r.code for r in results if isinstance(r, DomainError)]
    assert len(paid) == 1 and refused == ["payment.callback_already_paid"] * 2, results
    notice.refresh_from_db()
    assert notice.state == "paid" and notice.bank_ref == paid[0].bank_ref
    assert sorted(BankCallback.objects.values_list("outcome", flat=True)) == [
        "already_paid",
        "already_paid",
        "ok",
    ]


def test_the_same_provider_callback_twice_at_once_is_accepted_once(notice):
    raw, sign = simulator.callback_for(Order(notice.number, notice.amount_fen, "", "/"))
    results = run_together(*[lambda: services.receive_callback(raw, sign)] * 3)
    assert sum(isinstance(r, PaymentNotice) for r in results) == 1, results
    assert sorted(r.code for r in results if isinstance(r, DomainError)) == ["payment.callback_replay"] * 2
    assert BankCallback.objects.filter(outcome="ok").count() == 1 and BankCallback.objects.count() == 3
