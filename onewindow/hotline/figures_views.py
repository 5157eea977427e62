"""The hotline's knowledge-base page and its weekly / monthly category report with the figures
(issue 18 items 4–5). Thin: scope, ask hotline.knowledge / report / figures, render or export.
Who reads the report: hall management and the hotline operators (the whole hotline), a
department head their department's orders (as stats' dashboard)."""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.accounts.permissions import requires
from onewindow.accounts.queries import staff_of
from onewindow.hotline import figures, knowledge, report

KB_READERS = (Role.HOTLINE_OPERATOR, Role.HALL_ADMIN, Role.SUPERVISOR)
REPORT_READERS = (Role.HOTLINE_OPERATOR, Role.HALL_ADMIN, Role.SUPERVISOR, Role.DEPARTMENT_HEAD)


def _department_scope(user) -> int | None:
    staff = staff_of(user)
    return staff.department_id if staff is not None and staff.role == Role.DEPARTMENT_HEAD else None


@requires(*KB_READERS)
@require_GET
def kb_page(request):
    """热线知识库: search the typical questions, copy an answer into the reply."""
    q = request.GET.get("q", "").strip()[: knowledge.QUERY_MAX]
    return render(request, "hotline/kb_search.html", {"q": q, "hits": knowledge.search(q, 10) if q else []})


def _report_data(request):
    period = report.period_of(request.GET.get("week"), request.GET.get("month"), clock.today())
    department_id = _department_scope(request.user)
    return (period, department_id, report.category_report(period, department_id),
            figures.by_department(period.start, period.end, department_id))  # fmt: skip


@requires(*REPORT_READERS)
@require_GET
def report_page(request):
    period, department_id, data, (rows, total) = _report_data(request)
    return render(request, "hotline/report_page.html", {
        "period": period, "report": data, "rows": rows, "total": total, "scoped": department_id is not None,
        "rising_factor": report.RISING_FACTOR, "rising_min": report.RISING_MIN,
        "baseline": f"前{period.baseline_n}{'周' if period.kind == 'week' else '个月'}",
        "previous": _link(period, -1), "next": _link(period, 1),
    })  # fmt: skip


def _link(period: report.Period, direction: int) -> str:
    """The query string of the period before (-1) or after (+1)."""
    if period.kind == "week":
        return f"?week={period.start + dt.timedelta(weeks=direction):%Y-%m-%d}"
    day = period.start - dt.timedelta(days=1) if direction < 0 else period.end + dt.timedelta(days=1)
    return f"?month={day:%Y-%m}"


@requires(*REPORT_READERS)
@require_GET
def report_export(request):
    period, _, data, table = _report_data(request)
    response = HttpResponse(
        report.workbook(data, table),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"hotline-{period.kind}-{period.start:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
