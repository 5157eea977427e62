"""月度考核 pages: the management's ranking (compute, confirm awards, Excel), a staff member's own
breakdown, the public month. Thin: scope, ask services / queries, render."""

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from onewindow import clock
from onewindow.accounts.models import Hall
from onewindow.accounts.permissions import public, requires
from onewindow.assessment import criteria, queries, services
from onewindow.assessment.models import Award, Criterion
from onewindow.errors import DomainError
from onewindow.stats import excel
from onewindow.stats.dashboard import Table


def _hall(request) -> Hall:
    staff = getattr(request.user, "staff", None)
    if staff is not None:
        return staff.hall
    return Hall.objects.filter(windows__is_active=True).order_by("code").first()  # a superuser


def _months(month: dt.date) -> dict:
    return {"month": month, "previous": (month - dt.timedelta(days=1)).replace(day=1),
            "next": (month + dt.timedelta(days=32)).replace(day=1), "this_month": clock.today().replace(day=1)}  # fmt: skip


@requires(*services.MANAGERS)
@require_http_methods(["GET", "POST"])
def ranking_page(request):
    hall = _hall(request)
    month = services.month_of(request.GET.get("month") or request.POST.get("month"))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "compute":
                services.compute(month, hall, by=request.user)
                messages.success(request, f"{month:%Y年%m月}得分已重新计算。")
            else:
                award = services.confirm_award(hall, month, request.POST.get("kind", ""),
                                               int(request.POST.get("score") or 0), by=request.user)  # fmt: skip
                messages.success(request, f"已确认{award.get_kind_display()}：{award.name}。")
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(f"{request.path}?month={month:%Y-%m}")
    confirmed = queries.awards(hall, month)
    taken = {(a.window_id, a.officer_id) for a in confirmed}
    proposals = [
        {"kind": kind, "label": Award.Kind(kind).label, "quota": services.quota(hall, kind),
         "scores": [(s, (s.window_id, s.officer_id) in taken) for s in services.proposals(hall, month, kind)]}
        for kind in Award.Kind.values
    ]  # fmt: skip
    return render(request, "assessment/ranking.html", {
        "hall": hall, **_months(month), "ranking": queries.ranking(hall, month), "run": queries.run(hall, month),
        "proposals": proposals, "awards": confirmed, "can_confirm": services.can_confirm(request.user, hall),
    })  # fmt: skip


@requires(*services.MANAGERS)
@require_GET
def export(request):
    hall = _hall(request)
    month = services.month_of(request.GET.get("month"))
    names = list(Criterion.objects.filter(code__in=criteria.REGISTRY).values_list("code", "name"))
    headers, rows = queries.table_rows(hall, month, names)
    data = excel.workbook(Table(f"{month:%Y年%m月}考核排名", headers, rows))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="assessment-{month:%Y-%m}.xlsx"'
    return response


@requires()
@require_GET
def own_page(request):
    month = services.month_of(request.GET.get("month"))
    return render(
        request, "assessment/mine.html", {**_months(month), "scores": queries.own(request.user, month)}
    )


@public
@require_GET
def public_page(request):
    month = services.month_of(request.GET.get("month"))
    return render(request, "assessment/public.html", {**_months(month), "halls": queries.public_month(month)})
