"""预约 (GLOSSARY.md: `Appointment`): booking a time slot of a category, cancelling it, arriving
at the hall (the booking becomes a priority ticket) and the no-shows. Each use case runs in one
transaction and changes nothing when it refuses.

Capacity is never exceeded under concurrent booking: `book` locks the slot's SlotRule row
(SELECT … FOR UPDATE on PostgreSQL; SQLite serializes writers with IMMEDIATE transactions)
before it counts the bookings, so two bookings of one slot count one after the other.
"""

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet

from onewindow import clock
from onewindow.accounts.models import Applicant, Hall, User
from onewindow.accounts.queries import staff_of
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.queueing import services
from onewindow.queueing.models import Appointment, Category, Priority, SlotRule, Ticket
from onewindow.workdays import calendar

# Configurable defaults (hall management's rules for appointments).
BOOKING_DAYS_AHEAD = 30  # a slot may be booked from today up to this many days ahead
NO_SHOW_LIMIT = 3  # this many no-shows …
NO_SHOW_WINDOW_DAYS = 30  # … within this many days …
BLOCK_DAYS = 30  # … block booking for this many days from the last no-show

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud at the window
CODE_LENGTH = 8

TAKEN = (Appointment.Status.BOOKED, Appointment.Status.ARRIVED)  # statuses that hold a place


def _local_now() -> dt.datetime:
    return clock.now().astimezone(clock.hall_tz())


def _starts_at(day: dt.date, start: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, start, tzinfo=clock.hall_tz())


def _started(day: dt.date, start: dt.time, now: dt.datetime) -> bool:
    """A slot that has started can no longer be booked."""
    return _starts_at(day, start) <= now


def last_day(today: dt.date) -> dt.date:
    """The last day a slot may be booked on (the booking window's end)."""
    return today + dt.timedelta(days=BOOKING_DAYS_AHEAD)


def _open_rules(rules, day: dt.date) -> list[SlotRule]:
    """The rules among `rules` that open a slot on `day`, in their order: the day's weekday, and
    on a non-working day only those the hall opens then (非工作日预约). The one definition:
    `slots`, `open_days` and `book` all pass their rules through it."""
    workday = calendar.is_workday(day)
    return [r for r in rules if r.weekday == day.weekday() and (workday or r.on_non_working_days)]


def _booked(hall: Hall, category: Category, first: dt.date, last: dt.date) -> dict:
    """The places taken from `first` to `last`, by (day, start): one grouped query."""
    rows = (
        Appointment.objects.filter(hall=hall, category=category, day__range=(first, last), status__in=TAKEN)
        .values_list("day", "start")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(day, start): n for day, start, n in rows}


def _slot(rule: SlotRule, day: dt.date, booked: dict, now: dt.datetime) -> dict:
    taken = booked.get((day, rule.start), 0)
    return {
        "start": rule.start,
        "end": rule.end,
        "capacity": rule.capacity,
        "booked": taken,
        "free": max(rule.capacity - taken, 0),
        "started": _started(day, rule.start, now),
    }


@transaction.atomic
def slots(hall: Hall, category: Category, day: dt.date) -> list[dict]:
    """The bookable slots of a day, each with its capacity, places booked and places free, and
    whether it has started."""
    rules = _open_rules(SlotRule.objects.filter(hall=hall, category=category, weekday=day.weekday()).order_by("start"), day)  # fmt: skip
    if not rules:
        return []
    booked, now = _booked(hall, category, day, day), _local_now()
    return [_slot(rule, day, booked, now) for rule in rules]


def open_days(hall: Hall, category: Category, since: dt.date, limit: int = 5) -> list[dict]:
    """The first `limit` days from `since` within the booking window that still have a place
    in a slot not yet started, each with its free places: the page offers them as one-tap
    choices, so nobody has to guess a date (关怀版, issue 23). Two queries whatever the window
    (the category's rules, the window's bookings by day and slot); the calendar is in memory."""
    now = _local_now()
    since, last = max(since, now.date()), last_day(now.date())
    rules = list(SlotRule.objects.filter(hall=hall, category=category))
    if not rules or since > last:
        return []
    booked = _booked(hall, category, since, last)
    days = []
    day = since
    while day <= last and len(days) < limit:
        day_slots = [_slot(rule, day, booked, now) for rule in _open_rules(rules, day)]
        free = sum(s["free"] for s in day_slots if not s["started"])
        if free:
            days.append({"day": day, "free": free})
        day += dt.timedelta(days=1)
    return days


def blocked_until(user: User, today: dt.date) -> dt.date | None:
    """The first day the user may book again after NO_SHOW_LIMIT no-shows within
    NO_SHOW_WINDOW_DAYS, or None when not blocked."""
    since = today - dt.timedelta(days=NO_SHOW_WINDOW_DAYS + BLOCK_DAYS)
    days = sorted(
        Appointment.objects.filter(user=user, status=Appointment.Status.NO_SHOW, day__gt=since).values_list(
            "day", flat=True
        )
    )
    until = None
    for i, last in enumerate(days):
        window_start = last - dt.timedelta(days=NO_SHOW_WINDOW_DAYS)
        if sum(1 for d in days[: i + 1] if d > window_start) >= NO_SHOW_LIMIT:
            until = last + dt.timedelta(days=BLOCK_DAYS)
    return until if until is not None and today < until else None


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Appointment.objects.filter(code=code).exists():
            return code


@transaction.atomic
def book(user: User, hall: Hall, category: Category, day: dt.date, start: dt.time) -> Appointment:
    """预约 one slot; the returned appointment's `code` is what the citizen shows at the hall."""
    if category.hall_id != hall.pk or not category.is_active:
        raise DomainError("queue.category", "该业务类别不在本中心办理。")
    now = _local_now()
    today = now.date()
    last = last_day(today)
    if not today <= day <= last:
        raise DomainError(
            "queue.booking_window",
            f"只能预约今天起{BOOKING_DAYS_AHEAD}天内（{today} 至 {last}）的时段，{day} 不在此范围内。",
        )
    # The lock serializes every booking of this slot: the count below cannot go stale.
    locked = SlotRule.objects.filter(hall=hall, category=category, weekday=day.weekday(), start=start)
    rule = next(iter(_open_rules(locked.select_for_update(), day)), None)
    if rule is None:
        raise DomainError(
            "queue.no_slot", f"{day} 没有 {start:%H:%M} 开始的可预约时段，请选择其他日期或时段。"
        )
    if _started(day, rule.start, now):
        raise DomainError("queue.booking_window", f"{day} {rule.start:%H:%M} 的时段已开始，不能再预约。")
    until = blocked_until(user, today)
    if until is not None:
        raise Forbidden(
            "queue.booking_blocked",
            f"您在{NO_SHOW_WINDOW_DAYS}天内爽约已达{NO_SHOW_LIMIT}次，{until} 起方可重新预约。",
        )
    if _has_active_booking(user, category):
        raise _already_booked(category)
    taken = Appointment.objects.filter(
        hall=hall, category=category, day=day, start=rule.start, status__in=TAKEN
    ).count()
    if taken >= rule.capacity:
        raise Conflict(
            "queue.slot_full", f"{day} {rule.start:%H:%M}-{rule.end:%H:%M} 已约满，请选择其他时段。"
        )
    try:
        with transaction.atomic():
            return Appointment.objects.create(
                hall=hall, category=category, user=user, day=day, start=rule.start, end=rule.end,
                code=_new_code(), booked_at=clock.now(),
            )  # fmt: skip
    except IntegrityError:
        # Two bookings of one person in two slots at once: the one_active_booking constraint decides.
        if _has_active_booking(user, category):
            raise _already_booked(category) from None
        raise


def _has_active_booking(user: User, category: Category) -> bool:
    return Appointment.objects.filter(user=user, category=category, status=Appointment.Status.BOOKED).exists()


def _already_booked(category: Category) -> Conflict:
    return Conflict(
        "queue.already_booked", f"您已有一个“{category.name}”的有效预约，请先办理或取消后再预约。"
    )


@transaction.atomic
def cancel(appointment: Appointment, *, by: User) -> Appointment:
    """取消预约: by the person who booked (or staff of the hall), before the slot starts."""
    staff = staff_of(by)
    if not (
        by.pk == appointment.user_id or by.is_superuser or (staff and staff.hall_id == appointment.hall_id)
    ):
        raise Forbidden("queue.not_your_appointment", "只能取消本人的预约。")
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.status != Appointment.Status.BOOKED:
        raise Conflict(
            "queue.appointment_state", f"预约 {locked.code} 当前为“{locked.get_status_display()}”，不能取消。"
        )
    if _started(locked.day, locked.start, _local_now()):
        raise Conflict(
            "queue.cancel_too_late", f"{locked.day} {locked.start:%H:%M} 的时段已开始，不能再取消。"
        )
    Appointment.objects.filter(pk=locked.pk).update(status=Appointment.Status.CANCELLED)
    appointment.refresh_from_db()
    return appointment


@transaction.atomic
def arrive(code: str, hall: Hall) -> Ticket:
    """签到 at the kiosk or window: today's booking becomes a ticket with the appointment priority.
    Early or late arrival is still served (the ticket goes first in its category)."""
    code = (code or "").strip().upper()
    appointment = Appointment.objects.select_for_update().filter(code=code, hall=hall).first()
    if appointment is None:
        raise NotFound("queue.appointment_not_found", f"本中心没有预约码为 {code} 的预约。")
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(
            "queue.appointment_state",
            f"预约 {code} 当前为“{appointment.get_status_display()}”，不能签到取号。",
        )
    if appointment.day != clock.today():
        raise Conflict(
            "queue.appointment_not_today", f"预约 {code} 是 {appointment.day} 的预约，不是今天的。"
        )
    applicant = Applicant.objects.filter(user=appointment.user_id).first()
    ticket = services.issue_ticket(
        hall, appointment.category, priority=Priority.APPOINTMENT, applicant=applicant
    )
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.ARRIVED, ticket=ticket)
    return ticket


@transaction.atomic
def mark_no_shows(day: dt.date) -> int:
    """爽约: the day's bookings whose slot has ended without arrival (one UPDATE); the count."""
    now = _local_now()
    if day > now.date():
        return 0
    ended = Appointment.objects.filter(day=day, status=Appointment.Status.BOOKED)
    if day == now.date():
        ended = ended.filter(end__lte=now.time())
    return ended.update(status=Appointment.Status.NO_SHOW)


def reminders_due(day: dt.date) -> QuerySet[Appointment]:
    """The bookings of the day after `day`, for the SMS reminder sent the evening before."""
    return Appointment.objects.filter(
        day=day + dt.timedelta(days=1), status=Appointment.Status.BOOKED
    ).select_related("user", "hall", "category")
