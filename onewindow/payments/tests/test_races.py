"""A notice is paid once, however many reports of the payment arrive at the same moment
(threads, each with its own connection; meaningful on PostgreSQL, serialized on SQLite)."""

import datetime as dt

import pytest
from django.test import Client

from onewindow import clock
from onewindow.cases.models import Case
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.payments import services
from onewindow.payments.models import BankCallback, PaymentNotice
from onewindow.payments.tests.fixtures import decided, signed
from onewindow.personas import new_staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def notice(world, charged, finance):
    return services.check_notice(PaymentNotice.objects.get(case=decided(world, charged)), by=finance)


def _callback(raw: bytes, sign: str):
    def send():
        return Client().post("/api/v1/payments/callback", raw, content_type="application/json",
                             HTTP_X_SIGNATURE=sign).status_code  # fmt: skip

    return send


def test_the_same_callback_twice_at_once_pays_once(notice, bank_secret):
    raw, sign = signed({"notice_number": notice.number, "amount_fen": 4000,
                        "paid_at": clock.now().isoformat(), "bank_ref": "ICBC-RACE-1"})  # fmt: skip
    statuses = run_together(*[_callback(raw, sign)] * 4)
    assert sorted(statuses) == [200, 409, 409, 409]
    assert BankCallback.objects.filter(outcome="ok").count() == 1
    assert BankCallback.objects.filter(outcome="replay").count() == 3
    notice.refresh_from_db()
    assert (notice.state, notice.bank_ref) == ("paid", "ICBC-RACE-1")


def test_two_tellers_and_the_bank_at_once_pay_once(world, notice, bank_teller, bank_secret):
    second_teller = new_staff("bank_teller_2", "班二", "bank_teller", world.hall)
    raw, sign = signed({"notice_number": notice.number, "amount_fen": 4000,
                        "paid_at": (clock.now() - dt.timedelta(seconds=5)).isoformat(), "bank_ref": "ICBC-RACE-2"})  # fmt: skip
    results = run_together(
        lambda: services.mark_paid(notice, by=bank_teller, bank_ref="W-1"),
        lambda: services.mark_paid(notice, by=second_teller, bank_ref="W-2"),
        _callback(raw, sign),
    )
    paid = [r for r in results if isinstance(r, PaymentNotice) or r == 200]
    refused = [r for r in results if isinstance(r, DomainError) or r == 409]
    assert len(paid) == 1 and len(refused) == 2, results
    notice.refresh_from_db()
    assert notice.state == "paid" and notice.bank_ref in ("W-1", "W-2", "ICBC-RACE-2")


def test_two_issues_of_one_notice_at_once_make_one(world, charged, finance):
    case = decided(world, charged)
    services.cancel_notice(PaymentNotice.objects.get(case=case), by=world.head_a, reason="金额有误")
    results = run_together(
        lambda: services.issue_notice(case, by=world.head_a),
        lambda: services.issue_notice(case, by=world.reviewer_a),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "PaymentNotice"], results
    assert PaymentNotice.objects.filter(case=case).exclude(state="cancelled").count() == 1


def test_two_sweeps_at_once_issue_an_approval_its_notice_once(world, charged):
    """The periodic job and a page read sweeping at the same moment: one notice, counted once —
    the case row is locked (SKIP LOCKED) and the absence of a notice checked again under it."""
    cases = [decided(world, charged, swept=False) for _ in range(3)]
    scope = Case.objects.filter(pk__in=[c.pk for c in cases])
    issued = run_together(*[lambda: services.issue_due_notices(scope)] * 3)
    assert sum(issued) == 3, issued
    for case in cases:
        assert PaymentNotice.objects.filter(case=case).count() == 1
