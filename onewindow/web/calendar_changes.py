"""A change of the working-day calendar and everything counted on it, in one transaction
(issue 13 rules 6 and 7; docs/decisions/0015-calendar-changes.md).

The calendar (workdays) sits below every module that stores a date counted in working days, so
it cannot tell them; this shell module, above them all, does the asking: it changes the calendar
through workdays.services and then calls each module's own recompute, in the same transaction —
a failure anywhere leaves the calendar and every deadline as they were. Each module owns its
rule and its recompute: cases (deadlines, steps), projects (stage limits, owed opinions), bundles
(the bundle's deadline), licenses (art. 44 delivery due dates derived from working days),
commitment checks (告知承诺核查). The
cases' and bundles' and stages' SMS ("your date moved") are queued by those modules with keys that
name the event or the new date, so a retry sends nothing twice."""

import dataclasses
import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from onewindow.bundles import services as bundles
from onewindow.cases import commitment_checks
from onewindow.cases import jobs as cases
from onewindow.licenses import services as licenses
from onewindow.projects import services as projects
from onewindow.workdays import services as workdays


@dataclasses.dataclass
class Moved:
    """What a calendar change moved: the changed dates and the dated things whose date moved."""

    dates: list[dt.date]
    cases: list[str] = dataclasses.field(default_factory=list)
    stages: int = 0
    bundles: list[str] = dataclasses.field(default_factory=list)
    deliveries: int = 0
    checks: int = 0

    def summary(self) -> str:
        return (f"{len(self.dates)} 个日期的工作日状态改变；期限调整：办件 {len(self.cases)} 件，项目阶段 {self.stages} 个，"
                f"一件事 {len(self.bundles)} 件，送达记录 {self.deliveries} 条，告知承诺核查 {self.checks} 件。")  # fmt: skip


def recompute(dates: list[dt.date], *, by) -> Moved:
    """Every dated thing that counts working days across `dates` (already changed) is recomputed."""
    moved = Moved(dates=dates)
    if not dates:
        return moved
    since = min(dates)
    moved.cases = cases.recompute_deadlines(since, by=by)
    moved.stages = len(projects.recompute_limits(since, by=by))
    moved.bundles = bundles.recompute_deadlines(since, by=by)
    moved.deliveries = licenses.recompute_delivery_due(since)
    moved.checks = commitment_checks.recompute_due(since)
    return moved


@transaction.atomic
def publish_official_year(
    year: int, *, holidays: Iterable[str], adjusted_workdays: Iterable[str], by
) -> Moved:
    """工作日历 › 录入官方年度安排: the year becomes official, and whatever it moved is recomputed."""
    dates = workdays.publish_official_year(
        year, holidays=holidays, adjusted_workdays=adjusted_workdays, by=by
    )
    return recompute(dates, by=by)


@transaction.atomic
def set_day(day: dt.date, *, is_workday: bool, kind: str, holiday_name: str = "", by) -> Moved:
    """A manual correction of one date, and whatever it moved."""
    changed = workdays.set_day(day, is_workday=is_workday, kind=kind, holiday_name=holiday_name, by=by)
    return recompute([day] if changed else [], by=by)
