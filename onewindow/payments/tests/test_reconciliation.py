"""The daily reconciliation: notices issued, paid, unpaid at the day's end, and payments not
deposited within 24 hours — for finance, hall admin and supervisors of the hall."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.payments import services
from onewindow.payments.models import PaymentNotice
from onewindow.payments.tests.fixtures import decided, signed

pytestmark = pytest.mark.django_db
D = dt.date
TZ = clock.hall_tz()


def _notice(world, charged, day):
    return PaymentNotice.objects.get(case=decided(world, charged, on=day))


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


@pytest.fixture
def ledger(world, charged, finance, bank_teller, bank_secret, client):
    """Monday: A issued and paid at the window, deposited Tuesday 10:00 (in time).
    Tuesday: B issued and paid by the bank's callback at 11:00, never deposited;
    C issued Tuesday, never paid; D issued Tuesday and cancelled."""
    a = _notice(world, charged, D(2026, 11, 2))
    with clock.frozen(_at(D(2026, 11, 2), 9)):
        services.check_notice(a, by=finance)
    with clock.frozen(_at(D(2026, 11, 2), 15)):
        services.mark_paid(a, by=bank_teller, bank_ref="W-1")
    with clock.frozen(_at(D(2026, 11, 3), 10)):
        services.mark_deposited(a, by=finance)
    b, c, d = (_notice(world, charged, D(2026, 11, 3)) for _ in range(3))
    services.check_notice(b, by=finance)
    with clock.frozen(_at(D(2026, 11, 3), 11)):
        raw, sign = signed({"notice_number": b.number, "amount_fen": 4000,
                            "paid_at": _at(D(2026, 11, 3), 11).isoformat(), "bank_ref": "CB-1"})  # fmt: skip
        assert client.post("/api/v1/payments/callback", raw, content_type="application/json",
                           HTTP_X_SIGNATURE=sign).status_code == 200  # fmt: skip
        client.post("/api/v1/payments/callback", raw, content_type="application/json", HTTP_X_SIGNATURE="bad")
    with clock.frozen(_at(D(2026, 11, 3), 12)):
        services.cancel_notice(d, by=world.head_a, reason="重复开具")
    return a, b, c, d


def _numbers(answer, key):
    return set(answer.json()[key]["notices"])


def test_tuesday_lists_what_was_issued_paid_and_still_open(world, ledger, as_user):
    a, b, c, d = ledger
    with clock.frozen(_at(D(2026, 11, 4), 12)):  # Wednesday noon: B's 24 hours are over
        answer = as_user(world.hall_admin).get("/api/v1/payments/reconciliation", {"day": "2026-11-03"})
    assert answer.status_code == 200
    assert _numbers(answer, "issued") == {b.number, c.number, d.number}
    assert answer.json()["issued"]["amount_fen"] == 12000
    assert _numbers(answer, "paid") == {b.number}
    assert _numbers(answer, "unpaid") == {c.number}  # D was cancelled, A and B are paid
    assert _numbers(answer, "late_deposits") == set()  # B's 24 hours end on Wednesday
    assert answer.json()["refused_callbacks"] == [
        {"outcome": "bad_signature", "name": "签名错误", "count": 1}
    ]


def test_monday_shows_the_window_payment_deposited_in_time(world, ledger, as_user):
    a, *_ = ledger
    with clock.frozen(_at(D(2026, 11, 4), 12)):
        answer = (
            as_user(world.supervisor).get("/api/v1/payments/reconciliation", {"day": "2026-11-02"}).json()
        )
    assert answer["paid"]["notices"] == [a.number] and answer["late_deposits"]["count"] == 0


@pytest.mark.parametrize(("hour", "late"), [(10, False), (12, True)])
def test_wednesday_lists_the_payment_not_deposited_within_24_hours(world, ledger, as_user, hour, late):
    b, c = ledger[1], ledger[2]
    with clock.frozen(_at(D(2026, 11, 4), hour)):  # B was paid Tuesday 11:00
        answer = (
            as_user(world.hall_admin).get("/api/v1/payments/reconciliation", {"day": "2026-11-04"}).json()
        )
    assert answer["late_deposits"]["notices"] == ([b.number] if late else [])
    assert answer["late_deposits"]["amount_fen"] == (4000 if late else 0)
    assert answer["unpaid"]["notices"] == [c.number] and answer["issued"]["count"] == 0


def test_the_page_shows_totals_in_yuan(world, ledger, finance, as_user):
    with clock.frozen(_at(D(2026, 11, 4), 12)):
        tuesday = as_user(finance).get("/staff/payments/reconciliation/?day=2026-11-03")
        wednesday = as_user(finance).get("/staff/payments/reconciliation/?day=2026-11-04").content.decode()
    html = tuesday.content.decode()
    assert tuesday.status_code == 200
    assert "3 笔 · 120.00 元" in html and "1 笔 · 40.00 元" in html and ledger[2].number in html
    assert "缴款超过24小时未入库" in wednesday and ledger[1].number in wednesday


def test_only_finance_hall_admin_and_supervisors_reconcile(world, ledger, bank_teller, as_user):
    for user in (world.reviewer_a, bank_teller, world.clerk, world.alice):
        assert as_user(user).get("/staff/payments/reconciliation/").status_code == 403
    assert as_user(world.hall_admin).get("/staff/payments/reconciliation/?day=2999-01-01").status_code == 400
    assert as_user(world.hall_admin).get("/staff/payments/reconciliation/?day=yesterday").status_code == 400
