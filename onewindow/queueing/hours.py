"""A hall's opening hours on a date (issue 13 rule 9: the kiosk issues tickets only while the
hall is open). The periods are configured per hall and weekday (accounts.HallOpeningHours);
which weekday's periods apply on a date follows the working-day calendar:

- a statutory holiday (法定节假日) is closed, whatever its weekday;
- an adjusted working day (调休上班, a Saturday or Sunday at work) opens like a weekday, with
  Monday's periods;
- an ordinary weekend day has its own periods, if the hall configured any.

Booked appointments check in by their slots (appointments.arrive), not by these hours.
"""

import datetime as dt

from onewindow import clock
from onewindow.accounts.models import Hall, HallOpeningHours
from onewindow.errors import Conflict
from onewindow.workdays import calendar
from onewindow.workdays.models import Day

LOOK_AHEAD_DAYS = 31  # how far the closed message looks for the next opening
WEEKDAY_NAMES = "一二三四五六日"


def _week(hall: Hall) -> dict[int, list[tuple[dt.time, dt.time]]]:
    """weekday → its (opens, closes) periods."""
    rows = HallOpeningHours.objects.filter(hall=hall)
    week: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, opens, closes in rows.order_by("opens").values_list("weekday", "opens", "closes"):
        week.setdefault(weekday, []).append((opens, closes))
    return week


def _weekday_of(day: dt.date, holidays: set[dt.date]) -> int | None:
    """Whose periods `day` has: its own, Monday's on a 调休 weekend day, none on a holiday."""
    if calendar.is_workday(day):
        return 0 if day.weekday() >= 5 else day.weekday()  # 调休上班: like a weekday
    if day.weekday() < 5 or day in holidays:
        return None  # 法定节假日
    return day.weekday()


def _holidays(first: dt.date, last: dt.date) -> set[dt.date]:
    return set(
        Day.objects.filter(date__range=(first, last), kind=Day.Kind.HOLIDAY).values_list("date", flat=True)
    )


def periods(hall: Hall, day: dt.date) -> list[tuple[dt.time, dt.time]]:
    """The (opens, closes) periods of `day`."""
    weekday = _weekday_of(day, _holidays(day, day))
    return [] if weekday is None else _week(hall).get(weekday, [])


def is_open(hall: Hall, at: dt.datetime) -> bool:
    local = at.astimezone(clock.hall_tz())
    return any(o <= local.time() < c for o, c in periods(hall, local.date()))


def next_opening(hall: Hall, at: dt.datetime) -> dt.datetime | None:
    """The next moment after `at` the hall opens, within LOOK_AHEAD_DAYS; None if never."""
    local = at.astimezone(clock.hall_tz())
    week = _week(hall)
    last = local.date() + dt.timedelta(days=LOOK_AHEAD_DAYS)
    holidays = _holidays(local.date(), last)
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = local.date() + dt.timedelta(days=offset)
        weekday = _weekday_of(day, holidays)
        for opens, _closes in week.get(weekday, []) if weekday is not None else []:
            start = dt.datetime.combine(day, opens, tzinfo=clock.hall_tz())
            if start > local:
                return start
    return None


def describe(moment: dt.datetime) -> str:
    """2026年12月7日（周一）09:00"""
    return (
        f"{moment.year}年{moment.month}月{moment.day}日（周{WEEKDAY_NAMES[moment.weekday()]}）{moment:%H:%M}"
    )


def require_open(hall: Hall) -> None:
    """Refuses (409 queue.hall_closed) outside the hall's opening hours, naming the next opening."""
    now = clock.now()
    if is_open(hall, now):
        return
    upcoming = next_opening(hall, now)
    if upcoming is None:
        raise Conflict("queue.hall_closed", f"{hall.name}现在不在办公时间，暂不能取号（尚未设置办公时间）。")
    raise Conflict(
        "queue.hall_closed",
        f"{hall.name}现在不在办公时间，暂不能取号。下次开放：{describe(upcoming)}。",
        details={"next_opening": upcoming.isoformat()},
    )
