"""Delivery bookkeeping of the outbox, for `manage.py worker`.

- `claim` takes a batch of due messages in one short transaction and leases them to the batch:
  `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so workers running at once take different
  messages without waiting on each other; the UPDATE repeats the "due" condition, a
  compare-and-set that also makes it safe on SQLite (one writer at a time there).
- `record` writes one message's result in its own transaction, and only while the batch still
  holds the claim: after a lost lease another worker has the message, and its result counts.
- `release` gives unsent claims back (a worker stopping with SIGTERM).

Nothing is lost: a message leaves the table never, and `sending` only with a lease; a worker that
dies mid-batch leaves its claims to run out, and the message is sent again with the same
idempotency key, which the gateway dedups."""

import datetime as dt
import random
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from onewindow import clock
from onewindow.notify.backends import DEAD, SENT, Result
from onewindow.notify.models import Message

S = Message.State


def _due(now: dt.datetime) -> Q:
    return Q(state=S.PENDING, next_attempt_at__lte=now) | Q(state=S.SENDING, claimed_until__lt=now)


def claim(batch: int, lease_seconds: int) -> tuple[str, list[Message]]:
    """(the batch's claim token, the messages it holds until now + lease), oldest due first."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        now = clock.now()
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(_due(now))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return token, []
        Message.objects.filter(_due(now), pk__in=ids).update(
            state=S.SENDING, claim=token, claimed_until=now + dt.timedelta(seconds=lease_seconds),
            attempts=F("attempts") + 1,
        )  # fmt: skip
    return token, list(Message.objects.filter(claim=token, state=S.SENDING).order_by("next_attempt_at", "pk"))


def backoff(attempts: int, retry_after: float | None = None) -> dt.timedelta:
    """Exponential: BASE × 2^(attempts−1) capped at CAP, the second half jittered (so workers
    retrying after one outage spread out, and each wait is at least as long as the one before);
    never shorter than the gateway's Retry-After."""
    full = min(settings.ONEWINDOW_SMS_RETRY_CAP_SECONDS,
               settings.ONEWINDOW_SMS_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))  # fmt: skip
    seconds = full / 2 + random.uniform(0, full / 2)
    return dt.timedelta(seconds=max(seconds, retry_after or 0))


def record(message: Message, token: str, result: Result) -> str | None:
    """Writes the result of one attempt; the message's new state, or None when the batch no
    longer held the claim (its lease ran out and another worker took the message)."""
    now = clock.now()
    if result.outcome == SENT:
        state, changes = S.SENT, {"sent_at": now, "gateway_ref": result.ref[:100], "last_error": ""}
    elif result.outcome == DEAD or message.attempts >= settings.ONEWINDOW_SMS_MAX_ATTEMPTS:
        state, changes = S.DEAD, {"last_error": result.error}
    else:
        state = S.PENDING
        changes = {
            "last_error": result.error,
            "next_attempt_at": now + backoff(message.attempts, result.retry_after),
        }
    with transaction.atomic():
        held = Message.objects.filter(pk=message.pk, claim=token, state=S.SENDING).update(
            state=state, claim="", claimed_until=None, last_attempt_at=now, **changes
        )
    return state if held else None


def release(token: str, messages: list[Message]) -> int:
    """Gives the batch's unsent claims back, due at once; they were not attempted."""
    with transaction.atomic():
        return Message.objects.filter(claim=token, state=S.SENDING, pk__in=[m.pk for m in messages]).update(
            state=S.PENDING, claim="", claimed_until=None, attempts=F("attempts") - 1
        )
