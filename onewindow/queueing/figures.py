"""Queue figures of a hall over a period, per category, window or clerk (the supervisor's report).

Counts and averages are computed in SQL, one grouped query each. The 90th percentile of the
wait is computed in Python from the waits of each group: SQLite has no percentile aggregate
(PostgreSQL's `percentile_cont` is not portable), so we fetch the wait durations with one
`values_list` query and interpolate the same way `percentile_cont(0.9)` does."""

import datetime as dt
from collections import defaultdict

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import ExtractHour, TruncHour

from onewindow import clock
from onewindow.accounts.models import Hall, User, Window
from onewindow.queueing.models import Category, Ticket

GROUPS = {"category": (Category, "category_id"), "window": (Window, "window_id"), "clerk": (User, "clerk_id")}

_WAIT = ExpressionWrapper(F("called_at") - F("queued_at"), output_field=DurationField())
_SERVICE = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL `percentile_cont`)."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _minutes(duration: dt.timedelta | None) -> float | None:
    return None if duration is None else duration.total_seconds() / 60


def summary(hall: Hall, start_day: dt.date, end_day: dt.date, by: str = "category") -> list[dict]:
    """One row per category, window or clerk over start_day … end_day (inclusive).

    Per window and per clerk only called tickets count (an uncalled ticket has neither).
    The no-show rate is 过号 ÷ tickets called; calls per hour is tickets called ÷ the distinct
    clock hours in which that group called anyone."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}")
    model, key = GROUPS[by]
    tickets = Ticket.objects.filter(hall=hall, day__gte=start_day, day__lte=end_day).order_by()
    if by != "category":
        tickets = tickets.filter(**{f"{key}__isnull": False})
    called = Q(called_at__isnull=False)
    served = Q(status=Ticket.Status.DONE, started_at__isnull=False, finished_at__isnull=False)
    rows = tickets.values(key).annotate(
        tickets=Count("pk"),
        called=Count("pk", filter=called),
        no_shows=Count("pk", filter=Q(status=Ticket.Status.NO_SHOW)),
        call_hours=Count(TruncHour("called_at", tzinfo=clock.hall_tz()), distinct=True, filter=called),
        avg_wait=Avg(_WAIT, filter=called),
        avg_service=Avg(_SERVICE, filter=served),
    )
    waits = defaultdict(list)
    for group, wait in tickets.filter(called).values_list(key, _WAIT):
        waits[group].append(wait.total_seconds() / 60)
    names = model.objects.in_bulk([row[key] for row in rows])
    result = [
        {
            by: names[row[key]],
            "tickets": row["tickets"],
            "avg_wait_minutes": _minutes(row["avg_wait"]),
            "p90_wait_minutes": percentile(waits[row[key]], 0.9),
            "avg_service_minutes": _minutes(row["avg_service"]),
            "no_show_rate": row["no_shows"] / row["called"] if row["called"] else None,
            "calls_per_hour": row["called"] / row["call_hours"] if row["call_hours"] else None,
        }
        for row in rows
    ]
    result.sort(key=lambda row: str(row[by]))
    return result


def hourly_arrivals(hall: Hall, day: dt.date) -> list[int]:
    """Tickets issued in each hour of the day (hall time), index 0 = 00:00–00:59."""
    counts = [0] * 24
    per_hour = (
        Ticket.objects.filter(hall=hall, day=day)
        .annotate(hour=ExtractHour("issued_at", tzinfo=clock.hall_tz()))
        .order_by()
        .values_list("hour")
        .annotate(n=Count("pk"))
    )
    for hour, n in per_hour:
        counts[hour] = n
    return counts
