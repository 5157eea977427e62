"""统计分析 pages. Thin: scope, ask stats.dashboard / stats.public, render or export."""

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow import clock
from onewindow.accounts.permissions import public, requires
from onewindow.ratings import figures as rating_figures
from onewindow.replicas import read_only_page
from onewindow.stats import dashboard, excel, monthly_report, public_figures


def _labelled(name: str, table: dashboard.Table) -> dict:
    """Each cell with its header (the phone layout labels every cell)."""
    return {"name": name, "title": table.title, "headers": table.headers,
            "rows": [list(zip(table.headers, row, strict=True)) for row in table.rows]}  # fmt: skip


@requires(*dashboard.READERS)
@require_GET
@read_only_page
def dashboard_page(request):
    scope = dashboard.scope_of(request.user)
    rated_month = monthly_report.month_of(request.GET.get("month"))  # the satisfaction section's month
    months = dashboard.monthly(scope)
    by_item = dashboard.open_by_item(scope)  # one pass over the open cases: the lights and the items
    on_page = {
        "overdue": {"limit": dashboard.PAGE_ROWS},
        "items": {"by_item": by_item},
        "trend": {"months": months},  # the chart's months, read once
    }  # the export: all rows
    return render(request, "stats/dashboard.html", {
        "scope": scope, "today": clock.today(), "lights": dashboard.lights(scope, by_item), "page_rows": dashboard.PAGE_ROWS,
        "tables": [_labelled(name, dashboard.TABLES[name](scope, **on_page.get(name, {})))
                   for name in ("overdue", "trend", "departments", "windows", "items", "bottlenecks")],
        "satisfaction": [_labelled("satisfaction", make(scope, rated_month)) for make in dashboard.MONTHLY["satisfaction"]],
        "rated_month": f"{rated_month:%Y-%m}",
        "report_month": f"{monthly_report.month_of(None):%Y-%m}", "this_month": f"{clock.today():%Y-%m}",
        "chart": {"labels": [f"{m['month']:%Y-%m}" for m in months], "accepted": [m["accepted"] for m in months],
                  "closed": [m["closed"] for m in months],
                  "on_time": [float(m["on_time_rate"] * 100) if m["on_time_rate"] is not None else None for m in months]},
    })  # fmt: skip


@requires(*dashboard.READERS)
@require_GET
@read_only_page
def export(request, table: str):
    if table not in dashboard.TABLES:
        raise Http404
    scope = dashboard.scope_of(request.user)
    if table in dashboard.MONTHLY:  # a chosen month's tables, one sheet each
        first = monthly_report.month_of(request.GET.get("month"))
        data = [make(scope, first) for make in dashboard.MONTHLY[table]]
        name = f"{table}-{first:%Y-%m}.xlsx"
    else:
        data = [dashboard.TABLES[table](scope)]
        name = f"{table}-{clock.today():%Y%m%d}.xlsx"
    response = HttpResponse(
        excel.workbook(*data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@requires(*dashboard.READERS)
@require_GET
@read_only_page
def report(request):
    """月度报告 (PDF) of ?month=YYYY-MM for the reader's scope (a department head: their department)."""
    scope = dashboard.scope_of(request.user)
    first = monthly_report.month_of(request.GET.get("month"))
    response = HttpResponse(monthly_report.report_pdf(scope, first), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="stats-report-{first:%Y-%m}.pdf"'
    return response


@public
@require_GET
@read_only_page
def public_page(request):
    """各部门月度办件数据 (no personal data): a month chosen by ?month=YYYY-MM, default the last one."""
    today = clock.today()
    try:
        month = dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return render(request, "stats/public.html", public_figures.month(month))


@public
@require_GET
@read_only_page
def public_satisfaction(request):
    """满意度与差评整改公开 (issue 17 item 4; decision 39): per hall and department, a month's
    satisfaction and rectification rates and its rectified bad ratings with their outcome — no
    personal data. ?month=YYYY-MM (default the last whole month); a bad or future month is a
    clear error page (stats.bad_month, stats.future_month, stats.month_too_early)."""
    first = monthly_report.month_of(request.GET.get("month"))
    last = monthly_report.last_day(first)
    figures = rating_figures.satisfaction(first, last)
    rectified = rating_figures.rectified_list(first, last, limit=rating_figures.LIST_LIMIT + 1)
    this_month = clock.today().replace(day=1)
    return render(request, "stats/public_satisfaction.html", {
        "first": first, "figures": figures, "rectified": rectified[: rating_figures.LIST_LIMIT],
        "more": len(rectified) > rating_figures.LIST_LIMIT, "limit": rating_figures.LIST_LIMIT,
        "previous": (first - dt.timedelta(days=1)).replace(day=1) if first > monthly_report.EARLIEST_MONTH else None,
        "next": last + dt.timedelta(days=1) if last < this_month else None, "this_month": this_month,
        "earliest": monthly_report.EARLIEST_MONTH,
    })  # fmt: skip
