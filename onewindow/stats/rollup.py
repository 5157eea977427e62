"""The daily roll-up (decision 29): each figure is one grouped query over the cases (set-based,
never a loop over cases), merged per key and written with one bulk insert.

- received: cases received that day (received_on);
- accepted: cases accepted that day (accepted_on; 视为受理 by art. 32 counts on its back-dated day);
- on_the_spot (即办): accepted and decided the same day (closed_on = accepted_on, not withdrawn);
- closed, closed_on_time (按时办结: closed_seq ≤ due_seq), days_used, suspended_days, promised and
  legal days, one_visit (一次办好: the item version asks ≤ 1 visit, A/B 级 0/1 次跑腿): over the
  accepted cases closed that day;
- overdue: accepted, not closed by the end of the day, and the day's working-day ordinal at or past
  the deadline (due_seq ≤ seq(day): a case due that day and still open at its end is overdue).

`refresh(start, end)` replaces the rows of those days; the periodic job refreshes the last
ONEWINDOW_STATS_REFRESH_DAYS days, which covers art. 32's back-dated acceptances. `rebuild()`
replaces everything from the records. Overdue is a snapshot: a deadline moved later (suspension,
extension) changes a past day's figure only when that day is refreshed or rebuilt."""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case as When_
from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from onewindow import clock
from onewindow.cases.models import Case, CaseEvent, Outcome, Suspension
from onewindow.stats.models import DailyFigure
from onewindow.workdays import queries as workdays
from onewindow.workdays.models import Day

ONE_VISIT = 1  # 一次办好: A 级 0 次、B 级 1 次跑腿 (ItemVersion.visits, 到现场次数)
KEY = ("hall_id", "department_id", "window_id", "item_id", "officer")  # the window: Case.window (受理窗口)
COUNTS = ("received", "accepted", "on_the_spot", "closed", "closed_on_time", "overdue", "days_used",
          "suspended_days", "promised_days", "legal_days", "one_visit")  # fmt: skip
# Issue 17 (ratings) adds its columns here (e.g. rated, satisfied) and their KPI in kpis.kpis();
# the trend, the public page and the monthly report show whatever kpis() returns by name.


def _cases():
    accepting = (
        CaseEvent.objects.filter(case=OuterRef("pk"), action="accept").order_by("seq").values("actor")[:1]
    )
    return Case.objects.annotate(officer=Subquery(accepting, output_field=IntegerField()))


def _grouped(queryset, day_field: str, **figures):
    return queryset.values(day_field, *KEY).annotate(**figures).values_list(day_field, *KEY, *figures)


def _figures(start: dt.date, end: dt.date) -> dict[tuple, dict[str, int]]:
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))

    def add(results, names):
        for day, *rest in results:
            key, values = (day, *rest[: len(KEY)]), rest[len(KEY) :]
            for name, value in zip(names, values, strict=True):
                rows[key][name] += value or 0

    if settings.ONEWINDOW_FASTSQL:
        add(_in_one_statement(start, end), COUNTS)
        return rows
    span = {"__gte": start, "__lte": end}
    received = _cases().filter(**{f"received_on{k}": v for k, v in span.items()})
    add(_grouped(received, "received_on", received=Count("pk")), ["received"])

    accepted = _cases().filter(**{f"accepted_on{k}": v for k, v in span.items()})
    spot = Q(closed_on=F("accepted_on")) & ~Q(outcome=Outcome.WITHDRAWN)
    add(_grouped(accepted, "accepted_on", accepted=Count("pk"), on_the_spot=Count("pk", filter=spot)),
        ["accepted", "on_the_spot"])  # fmt: skip

    suspended = Subquery(
        Suspension.objects.filter(case=OuterRef("pk")).values("case").annotate(s=Sum("days")).values("s")[:1],
        output_field=IntegerField(),
    )
    closed = (
        _cases()
        .filter(
            accepted_on__isnull=False,
            closed_seq__isnull=False,
            **{f"closed_on{k}": v for k, v in span.items()},
        )
        .annotate(paused=Coalesce(suspended, Value(0)), accepted_seq=workdays.seq_of(OuterRef("accepted_on")))
    )
    add(
        _grouped(
            closed,
            "closed_on",
            closed=Count("pk"),
            closed_on_time=Count("pk", filter=Q(closed_seq__lte=F("due_seq"))),
            days_used=Sum(F("closed_seq") - F("accepted_seq") - F("paused")),
            suspended_days=Sum("paused"),
            promised_days=Sum("promised_days"),
            legal_days=Sum("item_version__legal_limit_days"),
            one_visit=Count("pk", filter=Q(item_version__visits__lte=ONE_VISIT)),
        ),
        [
            "closed",
            "closed_on_time",
            "days_used",
            "suspended_days",
            "promised_days",
            "legal_days",
            "one_visit",
        ],
    )

    add(_overdue(start, end), ["overdue"])
    return rows


def _overdue(start: dt.date, end: dt.date):
    """(day, *KEY, n) of the cases overdue at the end of each day: one grouped query per day."""
    for day, seq in Day.objects.filter(date__gte=start, date__lte=end).values_list("date", "seq"):
        late = (
            _cases()
            .filter(accepted_on__lte=day, due_seq__lte=seq)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        )
        yield from ((day, *r) for r in late.values(*KEY).annotate(n=Count("pk")).values_list(*KEY, "n"))


def _in_one_statement(start: dt.date, end: dt.date):
    """The same figures as the ORM queries above, (day, *KEY, *COUNTS) rows, in one statement
    (fastsql on, decision 17; decision 34). bench/supervision.py (1,000,000 cases, 300,000
    open): the four grouped scans and 15 overdue ones each looked up the officer of every row
    (~225,000 cases received in the last 14 days, twice) and took 20–40 s. Here the cases any
    figure of the span counts are read once (MATERIALIZED), each with its officer once, and
    grouped per figure; overdue joins each case with the calendar's days from its acceptance
    to the day before it closed (a range of the calendar's primary key; `closed_on > day`
    written as `day < coalesce(closed_on, end + 1)`), kept where `due_seq ≤ seq(day)`."""
    last_seq = Day.objects.filter(date__lte=end).aggregate(seq=Max("seq"))["seq"]
    if last_seq is None:
        return
    span = lambda field: Q(**{f"{field}__gte": start, f"{field}__lte": end})  # noqa: E731
    closed = Q(accepted_on__isnull=False, closed_seq__isnull=False) & span("closed_on")
    overdue = Q(accepted_on__lte=end, due_seq__lte=last_seq) & (
        Q(closed_on__isnull=True) | Q(closed_on__gt=start)
    )
    suspended = Subquery(
        Suspension.objects.filter(case=OuterRef("pk")).values("case").annotate(s=Sum("days")).values("s")[:1],
        output_field=IntegerField(),
    )
    cases = (
        _cases()
        .filter(span("received_on") | span("accepted_on") | closed | overdue)
        .annotate(
            # Only the cases closed in the span need these (their look-ups are skipped for the rest).
            paused=When_(When(closed, then=Coalesce(suspended, Value(0))), default=Value(0)),
            acc_seq=When_(When(closed, then=workdays.seq_of(OuterRef("accepted_on"))), default=None),
            legal=F("item_version__legal_limit_days"),
            visits=F("item_version__visits"),
        )
        .order_by()
        .values(
            *KEY,
            "received_on",
            "accepted_on",
            "closed_on",
            "closed_seq",
            "due_seq",
            "outcome",
            "promised_days",
            "paused",
            "acc_seq",
            "legal",
            "visits",
        )  # fmt: skip
    )
    sql, params = cases.query.sql_with_params()
    keys = ", ".join(f"c.{k}" for k in KEY)
    between = "BETWEEN %s AND %s"
    adapt = connection.ops.adapt_datefield_value
    s, e = adapt(start), adapt(end)
    # COUNTS: received, accepted, on_the_spot, closed, closed_on_time, overdue, days_used,
    # suspended_days, promised_days, legal_days, one_visit.
    statement = f"""
        WITH c AS MATERIALIZED ({sql})
        SELECT c.received_on, {keys}, COUNT(*), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
          FROM c WHERE c.received_on {between} GROUP BY c.received_on, {keys}
        UNION ALL
        SELECT c.accepted_on, {keys}, 0, COUNT(*),
               SUM(CASE WHEN c.closed_on = c.accepted_on AND NOT c.outcome = %s THEN 1 ELSE 0 END),
               0, 0, 0, 0, 0, 0, 0, 0
          FROM c WHERE c.accepted_on {between} GROUP BY c.accepted_on, {keys}
        UNION ALL
        SELECT c.closed_on, {keys}, 0, 0, 0, COUNT(*), SUM(CASE WHEN c.closed_seq <= c.due_seq THEN 1 ELSE 0 END),
               0, SUM(c.closed_seq - c.acc_seq - c.paused), SUM(c.paused), SUM(c.promised_days), SUM(c.legal),
               SUM(CASE WHEN c.visits <= {ONE_VISIT:d} THEN 1 ELSE 0 END)
          FROM c WHERE c.accepted_on IS NOT NULL AND c.closed_seq IS NOT NULL AND c.closed_on {between}
         GROUP BY c.closed_on, {keys}
        UNION ALL
        SELECT d.date, {keys}, 0, 0, 0, 0, 0, COUNT(*), 0, 0, 0, 0, 0
          FROM c JOIN {Day._meta.db_table} d
            ON d.date {between} AND d.date >= c.accepted_on AND d.date < COALESCE(c.closed_on, %s)
           AND d.seq >= c.due_seq
         WHERE c.due_seq <= %s  -- not the open cases due after the span (most): no day to join
         GROUP BY d.date, {keys}"""
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            [*params, s, e, Outcome.WITHDRAWN, s, e, s, e, s, e, adapt(end + dt.timedelta(days=1)), last_seq],
        )  # fmt: skip
        for day, *rest in cursor.fetchall():
            yield (day if isinstance(day, dt.date) else dt.date.fromisoformat(day), *rest)


def _write(start: dt.date, end: dt.date) -> int:
    rows = _figures(start, end)
    with transaction.atomic():
        # One writer per span at a time: lock the calendar's days (always there for any case's day).
        list(Day.objects.select_for_update().filter(date__gte=start, date__lte=end).values_list("date"))
        DailyFigure.objects.filter(day__gte=start, day__lte=end).delete()
        DailyFigure.objects.bulk_create(
            [
                DailyFigure(
                    day=day,
                    hall_id=hall,
                    department_id=dept,
                    window_id=window,
                    item_id=item,
                    officer_id=officer,
                    **values,
                )  # fmt: skip
                for (day, hall, dept, window, item, officer), values in rows.items()
            ],
            batch_size=2000,
        )
    return len(rows)


def refresh(start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Replaces the rows of the days start..end (default: the last ONEWINDOW_STATS_REFRESH_DAYS
    days up to today); returns the number of rows written."""
    end = end or clock.today()
    start = start or end - dt.timedelta(days=settings.ONEWINDOW_STATS_REFRESH_DAYS)
    return _write(start, end)


def periodic_refresh() -> int:
    """The worker's job, every minute: the whole span of `refresh()` on the day's first run, then
    today's rows only. Days before today change only by records dated back — above all art. 32's
    acceptance as of the day received, which the job list makes on the day's first run, before
    this job — so they are recomputed once a day. At a province's size the span takes half a
    minute and today alone a few seconds (bench/province.py, decision 48). The mark is in the
    shared cache and set only after the span succeeded: a lost mark costs one more span, never a
    missed one."""
    today = clock.today()
    mark = f"stats:span-refreshed:{today.isoformat()}"
    if cache.get(mark):
        return refresh(today, today)
    rows = refresh()
    cache.set(mark, True, timeout=2 * 24 * 3600)
    return rows


def rebuild() -> int:
    """Everything again from the cases, from the first day any case was received until today."""
    first = Case.objects.aggregate(first=Min("received_on"))["first"]
    today = clock.today()
    if first is None:
        DailyFigure.objects.all().delete()
        return 0
    DailyFigure.objects.filter(Q(day__lt=first) | Q(day__gt=today)).delete()
    return _write(first, today)
