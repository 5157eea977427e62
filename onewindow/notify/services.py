"""The use cases of messages: queue one in the transaction of its cause (`enqueue`), and hall
management's retry of a message that failed for good (`retry`). Delivery is outbox.py's."""

import re
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.template import Context, Engine

from onewindow import clock, fastsql
from onewindow.accounts.models import Hall, User
from onewindow.errors import Conflict, Forbidden, NotFound
from onewindow.notify import queries
from onewindow.notify.models import Event, Message

MOBILE = re.compile(r"1\d{10}")


@lru_cache(maxsize=1)
def _engine() -> Engine:
    """The SMS templates are plain text: no HTML escaping of names and reasons."""
    return Engine(app_dirs=True, autoescape=False, builtins=["onewindow.notify.sms_filters"])


@lru_cache(maxsize=64)
def _template(event: str):
    """notify/sms/<event>.txt, compiled once per process (an SMS goes with every acceptance)."""
    if event not in Event.values:
        raise ValueError(f"unknown message event {event!r}")
    return _engine().get_template(f"notify/sms/{event}.txt")


def render(event: str, context: dict) -> str:
    """The signed text of `event`: notify/sms/<event>.txt, its lines joined (a template may wrap
    its text over lines and use tags), after the registered signature."""
    body = _template(event).render(Context(context, autoescape=False))
    return settings.ONEWINDOW_SMS_SIGNATURE + "".join(line.strip() for line in body.splitlines())


def mobile(phone: str | None) -> str:
    """The 11-digit mainland mobile number in `phone` ('+86 139-1234-5678' → '13912345678'),
    or '' when it is none (a landline cannot receive an SMS)."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    digits = digits.removeprefix("+86").removeprefix("0086")
    return digits if MOBILE.fullmatch(digits) else ""


def enqueue(*, phone: str, event: str, context: dict, key: str, subject_kind: str = "", subject_key: str = "",
            hall: Hall | None = None) -> Message | None:  # fmt: skip
    """Queues the SMS for `event` inside the caller's transaction: it is committed with its cause
    or not at all. `key` is deterministic from the cause (`case:<number>:event:<seq>`), so a
    repeated call finds the first message instead of queueing a second. Without a mobile number
    nothing is queued (None). `subject_kind`/`subject_key`: what it is about, as the caller names
    it (Message.subject_kind)."""
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError(
            "enqueue() belongs inside the transaction of the event that causes the message"
        )
    message = build(phone=phone, event=event, context=context, key=key, subject_kind=subject_kind,
                    subject_key=subject_key, hall_id=hall.pk if hall is not None else None)  # fmt: skip
    if message is None:
        return None
    if _insert(message):
        return message
    return Message.objects.get(key=key)


def enqueue_many(requests: list[dict], *, fast: bool = False) -> list[Message | None]:
    """`enqueue` for many messages at once (a job's batch, e.g. supervision's sweep), inside the
    caller's transaction: each request holds enqueue's keyword arguments; the messages go in one
    bulk insert, a key already there left as it is (as enqueue finds it, not a second message).
    Returns what enqueue would for each request in a list: the message (as built, not read back),
    or None without a mobile number. `fast`: built as `build(fast=True)` does (a measured batch
    path with fastsql on: supervision's sweep, decision 34)."""
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError(
            "enqueue_many() belongs inside the transaction of the events that cause the messages"
        )
    built = []
    for r in requests:
        hall = r.get("hall")
        built.append(
            build(
                **{k: v for k, v in r.items() if k != "hall"}, hall_id=hall.pk if hall is not None else None
            )
        )
    Message.objects.bulk_create([m for m in built if m is not None], ignore_conflicts=True, batch_size=1000)
    return built


def build(*, phone: str, event: str, context: dict, key: str, subject_kind: str = "", subject_key: str = "",
          hall_id: int | None = None, fast: bool = False) -> Message | None:  # fmt: skip
    """The message, rendered and not saved; None without a mobile number. `hall_id`: whose hall
    management sees it (None: city-wide). `fast` (intake's hot path, fastsql on): built by
    fastsql.new, without Model.__init__'s cost (decision 17)."""
    to = mobile(phone)
    if not to:
        return None
    now = clock.now()
    return (fastsql.new if fast else _model)(
        Message, key=key, event=event, phone=to, text=render(event, context), subject_kind=subject_kind,
        subject_key=subject_key, hall_id=hall_id, created_at=now, next_attempt_at=now,
    )  # fmt: skip


def _model(model, **values):
    return model(**values)


def _insert(message: Message) -> bool:
    """The row, unless its key is there already — then False. In a savepoint, so that the
    caller's transaction goes on after a repeated key; a concurrent insert of the same key waits
    for the other transaction (PostgreSQL); SQLite has one writer at a time."""
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def retry(key: str, *, by: User) -> Message:
    """重新发送 a dead message (the gateway refused it or it failed too often): hall management
    fixed the cause (a wrong number, the gateway's configuration) and queues it again at once."""
    message = Message.objects.select_for_update().filter(key=key).first()
    if message is None or not queries.may_see(by, message):
        raise NotFound("notify.not_found", "未找到该短信。")
    if not queries.may_retry(by, message):
        raise Forbidden("notify.role", "只有本中心的大厅管理员可以重新发送短信。")
    if message.state != Message.State.DEAD:
        raise Conflict(
            "notify.not_dead",
            f"该短信当前为“{message.get_state_display()}”，只有发送失败的短信可以重新发送。",
        )
    now = clock.now()
    message.state, message.attempts, message.next_attempt_at = Message.State.PENDING, 0, now
    message.retried_by, message.retried_at = by, now
    message.save(update_fields=["state", "attempts", "next_attempt_at", "retried_by", "retried_at"])
    return message
