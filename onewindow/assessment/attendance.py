"""考勤 (the seed: 每天4次指纹/刷脸考勤): devices post check-ins with their key; each is placed in one of
the four slots of its hall's day when recorded; the month's missing check-ins are one grouped
query over working days × staff × slots.

A check-in counts for a slot when its hall time lies in the slot's span: for 上班 (in) from
`window_minutes` before the time to `grace_minutes` after it; for 下班 (out) from `grace_minutes`
before the time to `window_minutes` after it; where two spans overlap, the nearer time's. Outside every span it is recorded with slot 0 and
counts for nothing (a late arrival past the grace is a missing 上班 check-in)."""

import datetime as dt
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from onewindow import clock
from onewindow.accounts.models import Hall, Staff
from onewindow.assessment.models import AttendanceDevice, CheckIn, HallSettings, Slot, StaffNumber
from onewindow.errors import Conflict, DomainError, NotFound
from onewindow.workdays.models import Day

SLOTS = (Slot.MORNING_IN, Slot.MORNING_OUT, Slot.AFTERNOON_IN, Slot.AFTERNOON_OUT)
PER_DAY = len(SLOTS)


def settings_of(hall: Hall | int) -> HallSettings:
    hall_id = hall if isinstance(hall, int) else hall.pk
    found = HallSettings.objects.filter(hall_id=hall_id).first()
    return found or HallSettings(hall_id=hall_id)


def spans(rules: HallSettings) -> list[tuple[int, dt.time, dt.time]]:
    """(slot, from, to) of the four check-ins of a day, hall time, both ends included."""
    grace, window = dt.timedelta(minutes=rules.grace_minutes), dt.timedelta(minutes=rules.window_minutes)

    def shift(t: dt.time, delta: dt.timedelta) -> dt.time:
        moved = dt.datetime.combine(dt.date(2000, 1, 2), t) + delta
        return (
            moved.time()
            if moved.date() == dt.date(2000, 1, 2)
            else (dt.time.min if delta < dt.timedelta() else dt.time.max)
        )

    return [
        (Slot.MORNING_IN, shift(rules.morning_in, -window), shift(rules.morning_in, grace)),
        (Slot.MORNING_OUT, shift(rules.morning_out, -grace), shift(rules.morning_out, window)),
        (Slot.AFTERNOON_IN, shift(rules.afternoon_in, -window), shift(rules.afternoon_in, grace)),
        (Slot.AFTERNOON_OUT, shift(rules.afternoon_out, -grace), shift(rules.afternoon_out, window)),
    ]


def slot_of(rules: HallSettings, local_time: dt.time) -> int:
    """The slot a check-in at this hall time counts for, or 0. Spans may overlap at noon (上午下班
    and 下午上班): the slot whose time is nearest wins."""

    def minutes(t: dt.time) -> int:
        return t.hour * 60 + t.minute

    at = minutes(local_time) + local_time.second / 60
    times = dict(
        zip(
            SLOTS, (rules.morning_in, rules.morning_out, rules.afternoon_in, rules.afternoon_out), strict=True
        )
    )
    holding = [
        (abs(at - minutes(times[slot])), int(slot))
        for slot, start, end in spans(rules)
        if start <= local_time <= end
    ]
    return min(holding)[1] if holding else int(Slot.OUTSIDE)


# Devices ---------------------------------------------------------------------------------------


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def add_device(hall: Hall, name: str) -> tuple[AttendanceDevice, str]:
    """A new device and its key; only the key's hash is stored, the key is shown once."""
    key = "owd_" + secrets.token_urlsafe(32)
    device = AttendanceDevice.objects.create(hall=hall, name=name, prefix=key[:10], key_hash=_hash(key))
    return device, key


def device_for(key: str) -> AttendanceDevice:
    device = (
        AttendanceDevice.objects.select_related("hall")
        .filter(key_hash=_hash(key or ""), is_active=True)
        .first()
    )
    if device is None:
        raise DomainError("assessment.device_key_invalid", "考勤设备密钥无效或设备已停用。", status=401)
    return device


def _staff(device: AttendanceDevice, person: str) -> Staff:
    """The staff member of the device's hall by login name or 工号."""
    found = (
        Staff.objects.filter(hall_id=device.hall_id)
        .filter(
            Q(user__username=person) | Q(pk__in=StaffNumber.objects.filter(number=person).values("staff"))
        )
        .first()
    )
    if found is None:
        raise NotFound(
            "assessment.staff_not_found", "本中心没有该登录名或工号的工作人员。", details={"staff": person}
        )
    return found


def record(
    device: AttendanceDevice, *, event_id: str, staff: str, at: dt.datetime, method: str = ""
) -> tuple[CheckIn, bool]:
    """Records one check-in; (check-in, created). The same event id from the same device again:
    the first record, nothing written (a device's retry); with another person or time: 409."""
    if at.tzinfo is None:
        raise DomainError(
            "assessment.time_without_offset", "打卡时间须带时区（如 2026-03-02T08:55:00+08:00）。"
        )
    person = _staff(device, staff)
    existing = CheckIn.objects.filter(device=device, event_id=event_id).first()
    if existing is not None:
        return _same(existing, person, at), False
    local = at.astimezone(clock.hall_tz())
    row = CheckIn(device=device, event_id=event_id, staff=person, at=at, day=local.date(),
                  slot=slot_of(settings_of(device.hall_id), local.time().replace(tzinfo=None)), method=method[:20])  # fmt: skip
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # a concurrent copy of the same report committed first
        return _same(CheckIn.objects.get(device=device, event_id=event_id), person, at), False
    AttendanceDevice.objects.filter(pk=device.pk).update(last_seen_at=clock.now())
    return row, True


def _same(existing: CheckIn, person: Staff, at: dt.datetime) -> CheckIn:
    if existing.staff_id != person.pk or existing.at != at:
        raise Conflict("assessment.event_id_reused", "该设备记录号已上报过另一条打卡记录。",
                       details={"event_id": existing.event_id})  # fmt: skip
    return existing


# The month's missing check-ins ----------------------------------------------------------------


def month_span(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def counted_days(month: dt.date, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The days of the month that count: all of a past month; up to yesterday of the current one."""
    first, last = month_span(month)
    today = today or clock.today()
    return first, min(last, today - dt.timedelta(days=1))


def missing(hall: Hall, month: dt.date, staff=None) -> dict[int, dict]:
    """{staff id: {"workdays", "expected", "present", "missing"}} for the hall's active staff (or
    the `staff` queryset): check-ins expected on the month's working days (the calendar) so far,
    those present (distinct working day × slot), the difference. One query for the working days,
    one grouped query for the staff — whatever the number of days and people."""
    first, last = counted_days(month)
    workdays = Day.objects.filter(date__gte=first, date__lte=last, is_workday=True)
    count = workdays.count()
    people = Staff.objects.filter(hall=hall, is_active=True) if staff is None else staff
    # Present: distinct working days per slot, summed over the four slots.
    present = sum((Count("day", distinct=True, filter=Q(slot=int(slot))) for slot in SLOTS[1:]),
                  Count("day", distinct=True, filter=Q(slot=int(SLOTS[0]))))  # fmt: skip
    rows = (
        CheckIn.objects.filter(
            staff__in=people, day__gte=first, day__lte=last, slot__gt=0, day__in=workdays.values("date")
        )  # fmt: skip
        .values("staff")
        .annotate(present=present)
        .values_list("staff", "present")
    )
    found = dict(rows)
    expected = count * PER_DAY
    return {
        pk: {
            "workdays": count,
            "expected": expected,
            "present": found.get(pk, 0),
            "missing": expected - found.get(pk, 0),
        }  # fmt: skip
        for pk in people.values_list("pk", flat=True)
    }
