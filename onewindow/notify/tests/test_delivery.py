"""The worker delivers through the SMS gateway: while the gateway fails or hangs, messages wait
with a growing backoff and none is lost; once it is back each is delivered, and the gateway
accepts every idempotency key exactly once. A refusal (4xx) is kept for hall management."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow import clock
from onewindow.notify import backends, outbox
from onewindow.notify.models import Message
from onewindow.notify.worker import Worker

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=clock.hall_tz())
S = Message.State


def deliver(at: dt.datetime) -> None:
    """One `worker --once` pass at `at`, through the configured backend."""
    with clock.frozen(at):
        Worker(backends.configured(), poll=0).run(once=True)


def states() -> dict[str, int]:
    found: dict[str, int] = {}
    for state in Message.objects.values_list("state", flat=True):
        found[state] = found.get(state, 0) + 1
    return found


def test_it_delivers_each_message_once_with_its_idempotency_key(sms_gateway, queued):
    messages = queued(5)
    deliver(T0)
    assert states() == {"sent": 5}
    assert sorted(sms_gateway.accepted) == sorted(m.key for m in messages)
    assert set(sms_gateway.requests.values()) == {1} and sms_gateway.bad == []
    sent = Message.objects.get(key=messages[0].key)
    assert sms_gateway.accepted[sent.key]["to"] == sent.phone == "13900000000"
    assert sms_gateway.accepted[sent.key]["text"] == sent.text
    assert sent.gateway_ref.startswith("GW") and sent.sent_at == T0 and sent.attempts == 1


def test_gateway_down_then_back_nothing_lost_nothing_twice(sms_gateway, queued):
    messages = queued(4)
    sms_gateway.mode = "error"  # 500 on every request
    now, waits = T0, []
    for _ in range(6):
        deliver(now)
        rows = list(Message.objects.order_by("key"))
        assert [m.state for m in rows] == [S.PENDING] * 4  # none dead, none lost
        assert all(m.last_error.startswith("HTTP 500") for m in rows)
        waits.append(min(m.next_attempt_at for m in rows) - now)
        now = max(m.next_attempt_at for m in rows)  # the moment every one is due again
    assert [m.attempts for m in Message.objects.all()] == [6] * 4
    assert waits == sorted(waits) and waits[-1] >= 8 * waits[0]  # exponential: 30 s … 16 min
    assert all(w <= dt.timedelta(seconds=3600) for w in waits)
    assert sms_gateway.accepted == {}

    sms_gateway.mode = "up"
    deliver(now)
    assert states() == {"sent": 4}
    assert sorted(sms_gateway.accepted) == sorted(m.key for m in messages)
    assert sum(sms_gateway.repeats.values()) == 0
    assert all(Message.objects.filter(state=S.SENT, last_error="").values_list("pk", flat=True))


def test_a_hanging_gateway_times_out_and_the_retry_is_deduplicated(sms_gateway, queued):
    [message] = queued(1)
    sms_gateway.mode, sms_gateway.hang_seconds = "hang", 1.5  # past the 0.5 s read timeout
    deliver(T0)
    waiting = Message.objects.get(pk=message.pk)
    assert waiting.state == S.PENDING and "超时" in waiting.last_error
    assert message.key in sms_gateway.accepted  # the gateway took it; its answer was lost

    sms_gateway.mode = "up"
    deliver(waiting.next_attempt_at)
    assert Message.objects.get(pk=message.pk).state == S.SENT
    assert sms_gateway.requests[message.key] == 2 and sms_gateway.repeats[message.key] == 1
    assert list(sms_gateway.accepted) == [message.key]  # one SMS reached the phone


def test_no_gateway_at_all_is_retried(sms_gateway, queued, settings):
    [message] = queued(1)
    sms_gateway.stop()  # connection refused
    deliver(T0)
    waiting = Message.objects.get(pk=message.pk)
    assert waiting.state == S.PENDING and "无法连接短信网关" in waiting.last_error


@pytest.mark.parametrize(("mode", "error"), [("reject", "HTTP 400"), ("wrong_key", "HTTP 401")])
def test_a_refusal_is_dead_at_once_with_its_error(sms_gateway, queued, settings, mode, error):
    [message] = queued(1)
    if mode == "wrong_key":
        settings.ONEWINDOW_SMS_KEY = "not-the-key"
    else:
        sms_gateway.mode = mode
    deliver(T0)
    dead = Message.objects.get(pk=message.pk)
    assert dead.state == S.DEAD and dead.last_error.startswith(error) and dead.attempts == 1
    assert dead.last_attempt_at == T0 and dead.claim == "" and dead.claimed_until is None


def test_throttling_waits_at_least_what_the_gateway_asks(sms_gateway, queued, settings):
    settings.ONEWINDOW_SMS_RETRY_BASE_SECONDS = 1
    [message] = queued(1)
    sms_gateway.mode, sms_gateway.retry_after = "throttle", "120"
    deliver(T0)
    waiting = Message.objects.get(pk=message.pk)
    assert waiting.state == S.PENDING and waiting.next_attempt_at >= T0 + dt.timedelta(seconds=120)


def test_it_gives_up_after_the_last_attempt_and_hall_management_can_retry(sms_gateway, queued, settings):
    settings.ONEWINDOW_SMS_MAX_ATTEMPTS = 3
    [message] = queued(1)
    sms_gateway.mode = "error"
    now = T0
    for _ in range(3):
        deliver(now)
        now = Message.objects.get(pk=message.pk).next_attempt_at
    dead = Message.objects.get(pk=message.pk)
    assert dead.state == S.DEAD and dead.attempts == 3 and "HTTP 500" in dead.last_error
    deliver(now + dt.timedelta(days=1))
    assert Message.objects.get(pk=message.pk).attempts == 3  # dead messages are not retried by themselves


def test_backoff_doubles_up_to_the_cap_with_jitter(settings):
    settings.ONEWINDOW_SMS_RETRY_BASE_SECONDS, settings.ONEWINDOW_SMS_RETRY_CAP_SECONDS = 30, 3600
    for attempts, full in [(1, 30), (2, 60), (3, 120), (8, 3600), (20, 3600)]:
        waits = {outbox.backoff(attempts).total_seconds() for _ in range(50)}
        assert all(full / 2 <= w <= full for w in waits), (attempts, waits)
        assert len(waits) > 1  # jittered
    assert outbox.backoff(1, retry_after=600).total_seconds() == 600


def test_an_expired_lease_is_taken_again_and_the_late_result_is_ignored(queued):
    [message] = queued(1)
    with clock.frozen(T0):
        token, [claimed] = outbox.claim(batch=10, lease_seconds=60)
        assert outbox.claim(batch=10, lease_seconds=60)[1] == []  # held: nobody else gets it
    with clock.frozen(T0 + dt.timedelta(seconds=61)):  # the first worker died; its lease ran out
        token_2, [again] = outbox.claim(batch=10, lease_seconds=60)
        assert again.pk == message.pk and again.attempts == 2
        assert outbox.record(claimed, token, backends.Result(backends.SENT)) is None  # too late
        assert outbox.record(again, token_2, backends.Result(backends.SENT, ref="GW1")) == S.SENT
    assert Message.objects.get(pk=message.pk).gateway_ref == "GW1"


def test_released_claims_are_due_again_and_not_counted_as_attempts(queued):
    messages = queued(3)
    with clock.frozen(T0):
        token, claimed = outbox.claim(batch=10, lease_seconds=60)
        assert outbox.release(token, claimed[1:]) == 2
        rows = {m.key: m for m in Message.objects.all()}
        assert [rows[m.key].state for m in messages[1:]] == [S.PENDING, S.PENDING]
        assert [rows[m.key].attempts for m in messages[1:]] == [0, 0]
        assert rows[messages[1].key].claimed_until is None
        assert len(outbox.claim(batch=10, lease_seconds=60)[1]) == 2


def test_file_backend_writes_one_json_line_per_message(settings, tmp_path, queued):
    import json

    settings.ONEWINDOW_SMS_BACKEND, settings.ONEWINDOW_SMS_FILE = "file", str(tmp_path / "sms.jsonl")
    messages = queued(3)
    deliver(T0)
    lines = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert sorted(line["idempotency_key"] for line in lines) == sorted(m.key for m in messages)
    assert {line["to"] for line in lines} == {m.phone for m in messages}
    assert states() == {"sent": 3}


def test_console_backend_logs_the_text_with_the_phone_masked(settings, queued, caplog):
    settings.ONEWINDOW_SMS_BACKEND = "console"
    [message] = queued(1)
    # the worker runs at T0, after the message was queued, whatever the wall clock says
    with caplog.at_level("INFO", logger="onewindow.notify"), clock.frozen(T0):
        call_command("worker", "--once", "--jobs-every", "0")
    assert Message.objects.get(pk=message.pk).state == S.SENT
    assert "139****0000" in caplog.text and "13900000000" not in caplog.text
    assert "短信批次：领取 1 条，发送成功 1" in caplog.text


def test_a_lease_shorter_than_one_send_is_refused(settings):
    settings.ONEWINDOW_SMS_CONNECT_TIMEOUT, settings.ONEWINDOW_SMS_READ_TIMEOUT = 5, 10
    with pytest.raises(ValueError, match="lease"):
        Worker(backends.ConsoleBackend(), lease=10)


def _claim_statements(queued) -> list[str]:
    queued(2)
    with CaptureQueriesContext(connection) as sql, clock.frozen(T0):
        outbox.claim(batch=10, lease_seconds=60)
    return [q["sql"] for q in sql.captured_queries]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite has no row locks")
def test_the_claim_skips_rows_another_worker_holds(queued):
    """PostgreSQL: FOR UPDATE SKIP LOCKED, so workers never wait on each other's batch."""
    select = next(sql for sql in _claim_statements(queued) if sql.startswith("SELECT"))
    assert select.endswith("FOR UPDATE SKIP LOCKED")


def test_the_claim_takes_only_rows_still_due(queued):
    """SQLite has no row locks (one writer at a time): the compare-and-set UPDATE decides, on
    PostgreSQL too."""
    update = next(sql for sql in _claim_statements(queued) if sql.startswith("UPDATE"))
    assert "pending" in update and "claimed_until" in update.split("WHERE", 1)[1]  # the due condition again
