"""What the hall-management dashboard shows (issue 16 part 4), each table one function that the
page and its Excel export both call (one source): today's lights, the overdue list, the monthly
trend, the rankings of departments and of windows by on-time rate, the items with the most
overdue cases and the bottleneck steps (where cases wait longest). The monthly report
(stats.monthly_report) asks the same functions for one month.

Scope: a supervisor or hall admin sees the whole hall; a department head only their department
(`scope_of`). Lights come from cases.clock_rules.light_expression (the one definition)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DateField, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

from onewindow import clock
from onewindow.accounts.models import Department, Role
from onewindow.accounts.queries import staff_of
from onewindow.cases.clock_rules import light_expression
from onewindow.cases.models import OPEN_STATUSES, Case, CaseStep
from onewindow.cases.queries import likely, red_rows, with_risk
from onewindow.catalog.models import ServiceItem
from onewindow.errors import Forbidden
from onewindow.ratings import figures as rating_figures
from onewindow.stats import kpis
from onewindow.stats.models import DailyFigure
from onewindow.stats.rollup import COUNTS
from onewindow.workdays import calendar
from onewindow.workdays import queries as workdays

READERS = (Role.SUPERVISOR, Role.HALL_ADMIN, Role.DEPARTMENT_HEAD)
MONTHS = 12


@dataclass(frozen=True)
class Scope:
    hall_id: int
    department_id: int | None = None  # a department head's own department

    def filter(self, queryset, prefix: str = ""):
        """`prefix`: the path to the hall and department ("case__" for a case's steps)."""
        queryset = queryset.filter(**{f"{prefix}hall_id": self.hall_id})
        if self.department_id is None:
            return queryset
        return queryset.filter(**{f"{prefix}department_id": self.department_id})


def scope_of(user) -> Scope:
    staff = staff_of(user)
    if staff is None or staff.role not in READERS:
        raise Forbidden("stats.not_management", "统计分析仅对大厅管理部门和部门负责人开放。")
    if staff.role == Role.DEPARTMENT_HEAD:
        return Scope(staff.hall_id, staff.department_id)
    return Scope(staff.hall_id)


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list]


def _open_with_lights(scope: Scope):
    today_seq = calendar.seq(clock.today())
    cases = scope.filter(Case.objects.filter(status__in=OPEN_STATUSES, accepted_on__isnull=False))
    return cases.annotate(light=light_expression(today_seq)), today_seq


def open_by_item(scope: Scope) -> list[dict]:
    """Today's lights of the open cases per item and department, in one pass: rows of item_id,
    department_id, red, yellow and all (green = all − red − yellow). `lights` and `items` both
    read it, so the page scans the hall's open cases once for both (decision 34: each scan is
    0.1–0.2 s over 300,000 open cases); filtered counts, not a sort of every case by its light."""
    cases, _ = _open_with_lights(scope)
    return list(
        cases.order_by()
        .values("item_id", "department_id")
        .annotate(
            red=Count("pk", filter=Q(light="red")),
            yellow=Count("pk", filter=Q(light="yellow")),
            all=Count("pk"),
        )  # fmt: skip
    )


def at_risk(scope: Scope) -> int:
    """预警: open green cases the forecast expects to close late (cases.queries.with_risk). Read
    from the forecast's side first (an inner join on the few likely ones), not by annotating
    every open case."""
    cases, _ = _open_with_lights(scope)
    return with_risk(cases.filter(likely())).filter(at_risk=True).count()


def lights(scope: Scope, by_item: list[dict] | None = None) -> dict[str, int]:
    rows = open_by_item(scope) if by_item is None else by_item
    red, yellow, every = (sum(r[name] for r in rows) for name in ("red", "yellow", "all"))
    risky = at_risk(scope)
    return {"red": red, "yellow": yellow, "at_risk": risky, "green": every - red - yellow - risky}


# The page lists the longest-overdue PAGE_ROWS (the red count beside it says how many there are);
# the Excel export lists up to EXPORT_ROWS. Rendering 500 rows was a third of the page's time over
# 300,000 open cases (bench/supervision.py, decision 34).
PAGE_ROWS = 50
EXPORT_ROWS = 10_000


def overdue(scope: Scope, limit: int = EXPORT_ROWS) -> Table:
    """逾期在办: open cases whose light is red, the longest overdue first (no personal data)."""
    cases, today_seq = _open_with_lights(scope)
    rows = red_rows(
        cases.values_list(
            "number", "item_version__name", "department__name", "accepted_on", "due_on", "due_seq", "status"
        ),
        clock.today(), ("due_seq", "number"), limit, key=lambda row: (row[5], row[0]),
    )  # fmt: skip
    labels = dict(Case._meta.get_field("status").choices)
    return Table("逾期办件", ["办件编号", "事项", "办理部门", "受理日期", "办结期限", "超期（工作日）", "状态"],
                 [[n, item, dept, acc, due, today_seq - seq, labels[s]] for n, item, dept, acc, due, seq, s in rows])  # fmt: skip


def _percent(value) -> str:
    return kpis.percent(value)


def monthly(scope: Scope, today: dt.date | None = None) -> list[dict]:
    today = today or clock.today()
    first = (today.replace(day=1) - dt.timedelta(days=30 * (MONTHS - 1))).replace(day=1)
    rows = (
        scope.filter(DailyFigure.objects.filter(day__gte=first, day__lte=today))
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(**{name: Sum(name) for name in COUNTS})
        .order_by("month")
    )
    months, base = [], None
    for r in rows:  # one row per month; 提速率 against the month before (decision 29)
        totals = {name: r[name] or 0 for name in COUNTS}
        months.append({"month": r["month"], **kpis.kpis(totals, base=base)})
        base = totals
    return months


def trend(scope: Scope, months: list[dict] | None = None) -> Table:
    """月度趋势 from `monthly` (the page passes the months it read for the chart)."""
    months = monthly(scope) if months is None else months
    return Table("月度趋势", ["月份", "接件", "受理", "即办", "办结", "按时办结", "即办率", "按时办结率", "即期办结率", "平均用时（工作日）",
                              "承诺÷法定", "提速率（较上月）", "一次办好率"],
                 [[f"{m['month']:%Y-%m}", m["received"], m["accepted"], m["on_the_spot"], m["closed"], m["closed_on_time"],
                   _percent(m["on_the_spot_rate"]), _percent(m["on_time_rate"]), _percent(m["closing_rate"]),
                   m["average_days"] if m["average_days"] is not None else "—", _percent(m["promised_share"]),
                   _percent(m["speedup"]), _percent(m["one_visit_rate"])] for m in months])  # fmt: skip


def _period(first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date, str]:
    """A table's days: first..last, by default this calendar year up to today (本年度)."""
    if first is None:
        today = clock.today()
        return today.replace(month=1, day=1), today, "本年度"
    return (
        first,
        last,
        f"{first.year}年{first.month}月"
        if first.day == 1 and last.month == first.month
        else f"{first}至{last}",
    )


def _ranked(scope: Scope, first: dt.date, last: dt.date, queryset_of, name_of) -> list[dict]:
    """The period's figures per group (`queryset_of(figures)` → rows with their group's fields),
    ranked by on-time rate (ties: more closed first, then the name)."""
    figures = scope.filter(DailyFigure.objects.filter(day__gte=first, day__lte=last))
    rows = queryset_of(figures).annotate(**{name: Sum(name) for name in COUNTS})
    return sorted(
        ({"name": name_of(r), **kpis.kpis({n: r[n] or 0 for n in COUNTS})} for r in rows),
        key=lambda r: (
            -(r["on_time_rate"] if r["on_time_rate"] is not None else -1),
            -r["closed"],
            r["name"],
        ),
    )


def _ranking_rows(ranked: list[dict]) -> list[list]:
    return [[i, r["name"], r["accepted"], r["closed"], r["closed_on_time"], _percent(r["on_time_rate"]),
             _percent(r["on_the_spot_rate"]), r["average_days"] if r["average_days"] is not None else "—"]
            for i, r in enumerate(ranked, 1)]  # fmt: skip


RANKING = ["名次", "{}", "受理", "办结", "按时办结", "按时办结率", "即办率", "平均用时（工作日）"]


def departments(scope: Scope, first: dt.date | None = None, last: dt.date | None = None) -> Table:
    """部门排名 by on-time rate over the period (default this calendar year; ties: more closed first)."""
    first, last, period = _period(first, last)
    ranked = _ranked(scope, first, last, lambda q: q.values(name=F("department__name")), lambda r: r["name"])
    return Table(
        f"部门按时办结率排名（{period}）", [h.format("部门") for h in RANKING], _ranking_rows(ranked)
    )


def windows(scope: Scope, first: dt.date | None = None, last: dt.date | None = None) -> Table:
    """窗口排名 by on-time rate over the period, as the departments': the figures of the cases each
    window accepted (DailyFigure.window, the case's 受理窗口); online cases and art. 32's
    acceptances have no window and are not ranked."""
    first, last, period = _period(first, last)
    ranked = _ranked(
        scope, first, last,
        lambda q: q.filter(window__isnull=False).values("window_id", number=F("window__number"), title=F("window__name")),
        lambda r: f"{r['number']}号窗口 {r['title']}",
    )  # fmt: skip
    return Table(
        f"窗口按时办结率排名（{period}）", [h.format("窗口") for h in RANKING], _ranking_rows(ranked)
    )


def items(scope: Scope, limit: int = 20, by_item: list[dict] | None = None) -> Table:
    """逾期最多的事项: today's red cases counted per item (and its department), from
    `open_by_item` (the page passes the rows it read for the lights)."""
    rows = [r for r in (open_by_item(scope) if by_item is None else by_item) if r["red"]]
    names = dict(
        ServiceItem.objects.filter(pk__in={r["item_id"] for r in rows}).values_list("pk", "current__name")
    )
    departments = dict(
        Department.objects.filter(pk__in={r["department_id"] for r in rows}).values_list("pk", "name")
    )
    ranked = sorted(((names[r["item_id"]] or "", departments[r["department_id"]], r["red"]) for r in rows),
                    key=lambda r: (-r[2], r[0]))[:limit]  # fmt: skip
    return Table("逾期最多的事项", ["事项", "办理部门", "逾期件数"], [list(r) for r in ranked])


def late_items(scope: Scope, first: dt.date, last: dt.date, limit: int = 20) -> Table:
    """逾期最多的事项 of a past period, from the roll-up: the cases closed past their deadline in
    the period and those still overdue at its last day's end (the daily snapshot, decision 29)."""
    rows = (
        scope.filter(DailyFigure.objects.filter(day__gte=first, day__lte=last))
        .values("item_id", name=F("item__current__name"), dept=F("department__name"))
        .annotate(closed=Sum("closed"), on_time=Sum("closed_on_time"), open_late=Sum("overdue", filter=Q(day=last)))
        .values_list("name", "dept", "closed", "on_time", "open_late")
    )  # fmt: skip
    lines = [[name, dept, closed - on_time, late or 0] for name, dept, closed, on_time, late in rows]
    lines = sorted((r for r in lines if r[2] + r[3]), key=lambda r: (-(r[2] + r[3]), -r[2], r[0]))[:limit]
    return Table("逾期最多的事项", ["事项", "办理部门", "超期办结（件）", "期末逾期在办（件）"], lines)


def _step_days(scope: Scope, first: dt.date, last: dt.date):
    """The steps finished first..last (hall's days) with the working days each took: from the day
    the step began — the day the step before it finished, the first step on the acceptance day —
    to the day it finished (seq difference: clock time, as the case's promise counts it;
    suspended days stay in the step they fell in, where the case waited)."""
    tz = clock.hall_tz()
    since = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    before = CaseStep.objects.filter(
        case=OuterRef("case"), order=OuterRef("order") - 1, done_at__isnull=False
    ).order_by()  # (unique: no ordering, so no join to the case for the model's default order)
    before_done = Subquery(
        before.annotate(d=TruncDate("done_at", tzinfo=tz)).values("d")[:1], output_field=DateField()
    )
    return (
        scope.filter(CaseStep.objects.filter(done_at__gte=since, done_at__lt=until), prefix="case__")
        .annotate(done_on=TruncDate("done_at", tzinfo=tz), started_on=Coalesce(before_done, F("case__accepted_on")))
        .annotate(done_seq=workdays.seq_of(OuterRef("done_on")), start_seq=workdays.seq_of(OuterRef("started_on")))
        .annotate(spent=F("done_seq") - F("start_seq"))
    )  # fmt: skip


def bottleneck_figures(scope: Scope, first: dt.date, last: dt.date) -> list[dict]:
    """Per item and step name (one grouped query): steps finished in the period, the working days
    they took in all and at most, and how many finished past the step's own deadline (due_seq).
    Most-waited first: the highest average, then the most steps."""
    rows = (
        _step_days(scope, first, last)
        .values("case__item_id", "name")
        .annotate(
            item=Max("case__item__current__name"), department=Max("case__department__name"), order=Min("order"),
            steps=Count("pk"), days=Sum("spent"), longest=Max("spent"),
            late=Count("pk", filter=Q(done_seq__gt=F("due_seq"))),
        )
    )  # fmt: skip
    lines = [{**r, "average": kpis.ratio(r["days"] or 0, r["steps"], "0.01")} for r in rows]
    return sorted(lines, key=lambda r: (-r["average"], -r["steps"], r["item"], r["order"]))


def bottlenecks(
    scope: Scope, first: dt.date | None = None, last: dt.date | None = None, limit: int = 20
) -> Table:
    first, last, period = _period(first, last)
    return Table(f"办理环节平均用时（{period}，用时最长在前）",
                 ["事项", "环节", "办理部门", "完成环节数", "平均用时（工作日）", "最长用时（工作日）", "超环节时限"],
                 [[r["item"], r["name"], r["department"], r["steps"], r["average"], r["longest"], r["late"]]
                  for r in bottleneck_figures(scope, first, last)[:limit]])  # fmt: skip


SATISFACTION = [
    "部门",
    "评价数",
    "满意（含基本满意）",
    "满意度",
    "差评",
    "已整改",
    "差评整改率",
    "按期整改率",
]


def satisfaction_rows(figures: rating_figures.Figures) -> list[list]:
    """The satisfaction table's rows (the dashboard, its export and the public page print these
    cells: decision 39's one source). Rates as the seed halls print them (98.8%)."""
    return [[line.department, line.rated, line.satisfied, _percent(line.satisfaction_rate), line.bad, line.rectified,
             _percent(line.rectification_rate), _percent(line.on_time_rate)]
            for line in [*figures.lines, figures.total]]  # fmt: skip


def _month(first: dt.date | None) -> tuple[dt.date, dt.date]:
    """A month's days, by default the last whole month (as the monthly report)."""
    if first is None:
        first = (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    first = first.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def satisfaction(scope: Scope, first: dt.date | None = None) -> Table:
    """满意度与差评整改 of a month per department and in total (ratings.figures, decision 39)."""
    first, last = _month(first)
    data = rating_figures.satisfaction(first, last, hall_id=scope.hall_id, department_id=scope.department_id)
    return Table(f"满意度与差评整改（{first.year}年{first.month}月）", SATISFACTION, satisfaction_rows(data))


def rectified(scope: Scope, first: dt.date | None = None) -> Table:
    """The month's rectified bad ratings with their outcome (the public list's fields)."""
    first, last = _month(first)
    rows = rating_figures.rectified_list(
        first, last, hall_id=scope.hall_id, department_id=scope.department_id
    )
    return Table(f"已整改差评（{first.year}年{first.month}月）",
                 ["评价日期", "事项", "办理部门", "评价", "评价标签", "整改措施", "按期", "追评"],
                 [[r["rated_on"], r["item"], r["department"], r["level_label"], r["tags"] or "—", r["measures"] or "—",
                   "是" if r["on_time"] else "否", r["follow_up_label"] or "—"] for r in rows])  # fmt: skip


# The tables of one chosen month (?month=YYYY-MM): the export passes it on.
MONTHLY = {"satisfaction": (satisfaction, rectified)}

TABLES = {
    "overdue": overdue,
    "trend": trend,
    "departments": departments,
    "windows": windows,
    "items": items,
    "bottlenecks": bottlenecks,
    "satisfaction": satisfaction,
}
