"""Staffing advisor: how many windows each category needs, hour by hour, to keep the wait short.

The hall is an M/M/c queue (Poisson arrivals, exponential service, c open windows, nobody
leaves), so the Erlang C formula gives the probability that a citizen has to wait at all:

    A    = λ · s                                   offered load in erlangs
    C(A, c) = (A^c / c!) · c / (c − A)
              ─────────────────────────────────────────────── , valid for c > A
              Σ_{k=0}^{c−1} A^k / k!  +  (A^c / c!) · c / (c − A)

and the share of citizens called within a target wait t:

    P(W ≤ t) = 1 − C(A, c) · exp(−(c − A) · t / s)

Source: L. Kleinrock, *Queueing Systems, Vol. 1: Theory* (Wiley, 1975), §3.5 (M/M/m, the
"Erlang C formula", eq. 3.40) and the waiting-time distribution of the same section; the
worked example used in the tests is Call Centre Helper, "Erlang C Formula – Made Simple With
an Easy Worked Example" (100 calls per 30 minutes, 3-minute handling time, 80 % in 20 s).

The factorials overflow a float beyond c ≈ 170, so `erlang_c` never forms them: it runs the
Erlang B recursion B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), whose terms stay in [0, 1], and
converts with C = c·B / (c − A·(1 − B)), which follows from dividing both formulas by
Σ_{k=0}^{c} A^k / k! (R. B. Cooper, *Introduction to Queueing Theory*, 2nd ed., ch. 3).
"""

import datetime as dt
import math

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import ExtractHour, ExtractWeekDay

from onewindow import clock
from onewindow.accounts.models import Hall
from onewindow.queueing.models import Category, Ticket


def erlang_c(traffic_erlangs: float, servers: int) -> float:
    """Probability that an arrival waits, with `servers` windows offered `traffic_erlangs`.

    1.0 when the windows cannot keep up (c ≤ A): the queue grows without bound."""
    if traffic_erlangs < 0 or servers < 0:
        raise ValueError("traffic and servers must not be negative")
    if traffic_erlangs == 0:
        return 0.0
    if servers <= traffic_erlangs:
        return 1.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = traffic_erlangs * blocking / (k + traffic_erlangs * blocking)
    return servers * blocking / (servers - traffic_erlangs * (1 - blocking))


def service_level(
    arrival_rate_per_hour: float, mean_service_minutes: float, servers: int, target_wait_minutes: float
) -> float:
    """P(wait ≤ target) = 1 − C(A, c) · exp(−(c − A) · t / s), with A = λ · s."""
    if arrival_rate_per_hour <= 0 or mean_service_minutes <= 0:
        return 1.0
    traffic = arrival_rate_per_hour * mean_service_minutes / 60
    if servers <= traffic:
        return 0.0
    waits = erlang_c(traffic, servers)
    return 1 - waits * math.exp(-(servers - traffic) * target_wait_minutes / mean_service_minutes)


def servers_needed(
    arrival_rate_per_hour: float, mean_service_minutes: float, target_wait_minutes: float = 15,
    goal: float = 0.8,
) -> int:  # fmt: skip
    """The fewest windows c > A that call `goal` of the citizens within the target wait."""
    if not 0 < goal < 1:
        raise ValueError("goal must lie strictly between 0 and 1")
    if arrival_rate_per_hour <= 0 or mean_service_minutes <= 0:
        return 0
    traffic = arrival_rate_per_hour * mean_service_minutes / 60
    servers = math.floor(traffic) + 1
    while service_level(arrival_rate_per_hour, mean_service_minutes, servers, target_wait_minutes) < goal:
        servers += 1
    return servers


def _python_weekday(sql_weekday: int) -> int:
    """ExtractWeekDay counts 1 = Sunday … 7 = Saturday; the hall (SlotRule) counts 0 = Monday."""
    return (sql_weekday + 5) % 7


def plan_next_week(
    hall: Hall, today: dt.date, weeks: int = 8, target_wait_minutes: float = 15, goal: float = 0.8
) -> list[dict]:
    """Windows needed per category, weekday and hour, from the last `weeks` weeks of tickets.

    Arrivals per hour are averaged over the days of that weekday on which the hall issued
    tickets at all (a holiday Monday does not dilute the Mondays). The service time is the mean
    `finished_at − started_at` of DONE tickets in that slot, or of the category over the
    whole period when nobody was served in the slot."""
    tz = clock.hall_tz()
    tickets = Ticket.objects.filter(hall=hall, day__gte=today - dt.timedelta(weeks=weeks), day__lt=today)
    served = Q(status=Ticket.Status.DONE, started_at__isnull=False, finished_at__isnull=False)
    service = Avg(
        ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField()), filter=served
    )
    local = {"weekday": ExtractWeekDay("issued_at", tzinfo=tz), "hour": ExtractHour("issued_at", tzinfo=tz)}
    slots = (
        tickets.annotate(**local)
        .order_by()
        .values("category_id", "weekday", "hour")
        .annotate(arrivals=Count("pk"), service=service)
    )
    days_seen = dict(
        tickets.annotate(weekday=local["weekday"])
        .order_by()
        .values("weekday")
        .annotate(days=Count("day", distinct=True))
        .values_list("weekday", "days")
    )
    category_service = dict(
        tickets.order_by()
        .values("category_id")
        .annotate(service=service)
        .values_list("category_id", "service")
    )
    categories = Category.objects.in_bulk({slot["category_id"] for slot in slots})
    plan = []
    for slot in slots:
        mean = slot["service"] or category_service.get(slot["category_id"])
        mean_minutes = mean.total_seconds() / 60 if mean else None
        rate = slot["arrivals"] / days_seen[slot["weekday"]]
        needed = servers_needed(rate, mean_minutes, target_wait_minutes, goal) if mean_minutes else None
        plan.append({
            "category": categories[slot["category_id"]],
            "weekday": _python_weekday(slot["weekday"]),
            "hour": slot["hour"],
            "arrivals_per_hour": rate,
            "mean_service_minutes": mean_minutes,
            "windows_needed": needed,
        })  # fmt: skip
    plan.sort(key=lambda row: (row["category"].order, row["category"].letter, row["weekday"], row["hour"]))
    return plan
