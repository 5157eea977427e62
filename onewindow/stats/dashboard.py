"""What the hall-management dashboard shows (issue 16 part 4), each table one function that the
page and its Excel export both call (one source): today's lights, the overdue list, the monthly
trend, the ranking of departments by on-time rate and the items with the most overdue cases.

Scope: a supervisor or hall admin sees the whole hall; a department head only their department
(`scope_of`). Lights come from cases.clock_rules.light_expression (the one definition)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.accounts.queries import staff_of
from onewindow.cases.clock_rules import light_expression, red_superset
from onewindow.cases.models import OPEN_STATUSES, Case
from onewindow.errors import Forbidden
from onewindow.stats import kpis
from onewindow.stats.models import DailyFigure
from onewindow.stats.rollup import COUNTS
from onewindow.workdays import calendar

READERS = (Role.SUPERVISOR, Role.HALL_ADMIN, Role.DEPARTMENT_HEAD)
MONTHS = 12


@dataclass(frozen=True)
class Scope:
    hall_id: int
    department_id: int | None = None  # a department head's own department

    def filter(self, queryset):
        queryset = queryset.filter(hall_id=self.hall_id)
        return queryset if self.department_id is None else queryset.filter(department_id=self.department_id)


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


def lights(scope: Scope) -> dict[str, int]:
    cases, _ = _open_with_lights(scope)
    # Three filtered counts in one pass (a hash of nothing), not a sort of every open case by
    # its light (decision 30: 0.5 s of the page over 300,000 open cases).
    return cases.aggregate(
        **{light: Count("pk", filter=Q(light=light)) for light in ("red", "yellow", "green")}
    )


def overdue(scope: Scope, limit: int = 500) -> Table:
    """逾期在办: open cases whose light is red, the longest overdue first (no personal data)."""
    cases, today_seq = _open_with_lights(scope)
    rows = (
        cases.filter(red_superset(today_seq), light="red")
        .order_by("due_seq", "number")
        .values_list(
            "number", "item_version__name", "department__name", "accepted_on", "due_on", "due_seq", "status"
        )[:limit]
    )
    labels = dict(Case._meta.get_field("status").choices)
    return Table("逾期办件", ["办件编号", "事项", "办理部门", "受理日期", "办结期限", "超期（工作日）", "状态"],
                 [[n, item, dept, acc, due, today_seq - seq, labels[s]] for n, item, dept, acc, due, seq, s in rows])  # fmt: skip


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


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


def trend(scope: Scope) -> Table:
    return Table("月度趋势", ["月份", "接件", "受理", "即办", "办结", "按时办结", "即办率", "按时办结率", "即期办结率", "平均用时（工作日）",
                              "承诺÷法定", "提速率（较上月）"],
                 [[f"{m['month']:%Y-%m}", m["received"], m["accepted"], m["on_the_spot"], m["closed"], m["closed_on_time"],
                   _percent(m["on_the_spot_rate"]), _percent(m["on_time_rate"]), _percent(m["closing_rate"]),
                   m["average_days"] if m["average_days"] is not None else "—", _percent(m["promised_share"]),
                   _percent(m["speedup"])] for m in monthly(scope)])  # fmt: skip


def departments(scope: Scope, today: dt.date | None = None) -> Table:
    """部门排名 by on-time rate over this calendar year (ties: more closed first)."""
    today = today or clock.today()
    rows = (
        scope.filter(DailyFigure.objects.filter(day__gte=today.replace(month=1, day=1), day__lte=today))
        .values(name=F("department__name"))
        .annotate(**{name: Sum(name) for name in COUNTS})
    )
    ranked = sorted(
        ({"name": r["name"], **kpis.kpis({n: r[n] or 0 for n in COUNTS})} for r in rows),
        key=lambda r: (
            -(r["on_time_rate"] if r["on_time_rate"] is not None else -1),
            -r["closed"],
            r["name"],
        ),
    )
    return Table("部门按时办结率排名（本年度）", ["名次", "部门", "受理", "办结", "按时办结", "按时办结率", "即办率", "平均用时（工作日）"],
                 [[i, r["name"], r["accepted"], r["closed"], r["closed_on_time"], _percent(r["on_time_rate"]),
                   _percent(r["on_the_spot_rate"]), r["average_days"] if r["average_days"] is not None else "—"]
                  for i, r in enumerate(ranked, 1)])  # fmt: skip


def items(scope: Scope, limit: int = 20) -> Table:
    """逾期最多的事项: today's red cases counted per item."""
    cases, today_seq = _open_with_lights(scope)
    rows = (
        cases.filter(red_superset(today_seq), light="red")
        .values("item_id", name=F("item__current__name"), dept=F("department__name"))
        .annotate(n=Count("pk"))
        .order_by("-n", "name")[:limit]
    )
    return Table(
        "逾期最多的事项", ["事项", "办理部门", "逾期件数"], [[r["name"], r["dept"], r["n"]] for r in rows]
    )


TABLES = {"overdue": overdue, "trend": trend, "departments": departments, "items": items}
