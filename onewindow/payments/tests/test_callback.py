"""The bank's signed callback: a genuine one marks the notice paid; every forgery is refused
with its own code, changes nothing and is recorded with its outcome."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.payments import services
from onewindow.payments.models import BankCallback, PaymentNotice
from onewindow.payments.tests.fixtures import decided, signature, signed

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 3, 10, 0, tzinfo=clock.hall_tz())


@pytest.fixture
def notice(world, charged, finance):
    """A 40-yuan notice checked by finance: payable."""
    notice = PaymentNotice.objects.get(case=decided(world, charged))
    return services.check_notice(notice, by=finance)


def body_for(notice, **changes) -> dict:
    return {"notice_number": notice.number, "amount_fen": notice.amount_fen,
            "paid_at": (NOW - dt.timedelta(minutes=3)).isoformat(), "bank_ref": "ICBC-20261103-0001"} | changes  # fmt: skip


def post(client, raw: bytes, sign: str | None):
    headers = {"HTTP_X_SIGNATURE": sign} if sign is not None else {}
    with clock.frozen(NOW):
        return client.post("/api/v1/payments/callback", raw, content_type="application/json", **headers)


def test_a_genuine_callback_marks_the_notice_paid(client, notice, bank_secret):
    answer = post(client, *signed(body_for(notice)))
    assert answer.status_code == 200, answer.content
    assert answer.json() | {"paid_at": None} == {"notice_number": notice.number, "state": "paid",
                                                 "paid_at": None, "bank_ref": "ICBC-20261103-0001"}  # fmt: skip
    notice.refresh_from_db()
    assert (notice.state, notice.paid_via, notice.paid_at) == (
        "paid",
        "callback",
        NOW - dt.timedelta(minutes=3),
    )
    record = BankCallback.objects.get()
    assert (record.outcome, record.notice, record.amount_fen) == ("ok", notice, 4000)


def _forgeries(notice):
    genuine = body_for(notice)
    raw, good = signed(genuine)
    return {
        "bad_signature": (raw, signed(genuine, "a-guessed-secret")[1], 401, "payment.callback_bad_signature"),
        "no_signature": (raw, None, 401, "payment.callback_bad_signature"),
        "tampered_body": (raw.replace(b"4000", b"0400"), good, 401, "payment.callback_bad_signature"),
        "wrong_amount": (*signed(body_for(notice, amount_fen=400)), 400, "payment.callback_wrong_amount"),
        "unknown_notice": (*signed(body_for(notice, notice_number="371400202699999999")), 404,
                           "payment.callback_unknown_notice"),
        "stale": (*signed(body_for(notice, paid_at=(NOW - dt.timedelta(days=2)).isoformat())), 400,
                  "payment.callback_stale"),
        "malformed": (*signed({"notice_number": notice.number, "amount_fen": "40.00"}), 400,
                      "payment.callback_malformed"),
        "not_json": (b"notice_number=1", signature(b"notice_number=1"), 400, "payment.callback_malformed"),
        "nul_in_number": (*signed(body_for(notice, notice_number=notice.number + "\x00")), 400,
                          "payment.callback_malformed"),
        "raw_nul": (b'{"notice_number": "\x00"}', signature(b'{"notice_number": "\x00"}'), 400,
                    "payment.callback_malformed"),
        "huge_amount": (*signed(body_for(notice, amount_fen=10**20)), 400, "payment.callback_malformed"),
    }  # fmt: skip


OUTCOMES = {"bad_signature": "bad_signature", "no_signature": "bad_signature", "tampered_body": "bad_signature",
            "wrong_amount": "wrong_amount", "unknown_notice": "unknown_notice", "stale": "stale",
            "malformed": "malformed", "not_json": "malformed", "nul_in_number": "malformed", "raw_nul": "malformed",
            "huge_amount": "malformed"}  # fmt: skip


@pytest.mark.parametrize("forgery", list(OUTCOMES))
def test_a_forged_callback_is_refused_with_its_own_code_and_recorded(client, notice, bank_secret, forgery):
    raw, sign, status, code = _forgeries(notice)[forgery]
    answer = post(client, raw, sign)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    notice.refresh_from_db()
    assert (notice.state, notice.paid_at, notice.bank_ref) == ("checked", None, "")
    record = BankCallback.objects.get()
    assert record.outcome == OUTCOMES[forgery] and record.body == raw.decode().replace("\x00", "\ufffd")


def test_a_replayed_callback_changes_nothing_and_says_so(client, notice, bank_secret):
    raw, sign = signed(body_for(notice))
    assert post(client, raw, sign).status_code == 200
    notice.refresh_from_db()
    paid_at = notice.paid_at
    replay = post(client, raw, sign)
    assert (replay.status_code, replay.json()["code"]) == (409, "payment.callback_replay")
    assert replay.json()["details"] == {"notice_number": notice.number}
    notice.refresh_from_db()
    assert (notice.state, notice.paid_at) == ("paid", paid_at)
    assert list(BankCallback.objects.order_by("pk").values_list("outcome", flat=True)) == ["ok", "replay"]


def test_a_second_payment_of_a_paid_notice_is_refused_for_review(client, notice, bank_secret, bank_teller):
    services.mark_paid(notice, by=bank_teller, bank_ref="WINDOW-0001")
    answer = post(client, *signed(body_for(notice, bank_ref="ICBC-OTHER")))
    assert (answer.status_code, answer.json()["code"]) == (409, "payment.callback_already_paid")
    assert BankCallback.objects.get().outcome == "already_paid"


def test_a_notice_finance_has_not_checked_is_not_payable(client, world, charged, bank_secret):
    notice = PaymentNotice.objects.get(case=decided(world, charged))
    answer = post(client, *signed(body_for(notice)))
    assert (answer.status_code, answer.json()["code"]) == (409, "payment.callback_not_payable")
    assert BankCallback.objects.get().outcome == "not_payable"


def test_without_a_configured_secret_every_callback_is_refused(client, notice, settings):
    settings.ONEWINDOW_BANK_CALLBACK_SECRET = ""
    answer = post(client, *signed(body_for(notice), ""))
    assert answer.status_code == 401
    assert BankCallback.objects.get().outcome == "bad_signature"


def test_a_refused_callback_is_recorded_even_inside_a_retried_request(client, notice, bank_secret):
    """The Idempotency-Key middleware wraps the request in a transaction: the record survives."""
    raw, _ = signed(body_for(notice))
    with clock.frozen(NOW):
        answer = client.post("/api/v1/payments/callback", raw, content_type="application/json",
                             HTTP_X_SIGNATURE="00", HTTP_IDEMPOTENCY_KEY="k1")  # fmt: skip
    assert answer.status_code == 401 and BankCallback.objects.filter(outcome="bad_signature").count() == 1
