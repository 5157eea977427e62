"""月度报告: one month of the hall's (or a department head's department's) figures as a PDF with the
project's pdf helper (issue 16 part 4): the KPIs, the department ranking, the items with the most
overdue cases and the bottleneck steps. Every figure comes from the same stats.dashboard function
the page and its Excel exports call (decision 21: one source)."""

import datetime as dt

from onewindow import clock
from onewindow.accounts.models import Department, Hall
from onewindow.errors import DomainError
from onewindow.pdf import render_pdf
from onewindow.stats import dashboard

EARLIEST_MONTH = dt.date(2000, 1, 1)


def month_of(text: str | None) -> dt.date:
    """The first day of the month named YYYY-MM: a month that has begun (default the last whole one)."""
    today = clock.today()
    if not text:
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    try:
        first = dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise DomainError(
            "stats.bad_month", f"月份“{text[:20]}”格式不对，应为“年-月”，如 2026-03。"
        ) from None
    if first > today:
        raise DomainError("stats.future_month", f"{first.year}年{first.month}月尚未开始，没有数据。")
    if first < EARLIEST_MONTH:  # "0001-01" parses, and the month before it does not exist
        raise DomainError("stats.month_too_early", f"{first.year}年{first.month}月早于系统启用，没有数据。")
    return first


def last_day(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def figures(scope: dashboard.Scope, first: dt.date) -> dict:
    """The report's content. A month still running ends today (its figures so far)."""
    last = min(last_day(first), clock.today())
    month = next((m for m in dashboard.monthly(scope, today=last) if m["month"] == first), None)
    hall = Hall.objects.get(pk=scope.hall_id)
    department = Department.objects.get(pk=scope.department_id) if scope.department_id else None
    return {
        "hall": hall, "department": department, "first": first, "last": last, "today": clock.today(),
        "kpis": month,
        "tables": [{"number": number, "table": table} for number, table in zip("二三四五", [
            dashboard.departments(scope, first, last), dashboard.windows(scope, first, last),
            dashboard.late_items(scope, first, last),
            dashboard.bottlenecks(scope, first, last)], strict=True)],
    }  # fmt: skip


def report_pdf(scope: dashboard.Scope, first: dt.date) -> bytes:
    return render_pdf("stats/monthly_report_pdf.html", figures(scope, first))
