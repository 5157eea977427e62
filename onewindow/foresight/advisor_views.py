"""Pages of the promise advisor (承诺时限建议): the list of items, one item's distribution and
evidence, and the hall admin's 据此起草变更 (a catalog draft, never published here)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from onewindow.accounts.models import Role
from onewindow.accounts.permissions import requires
from onewindow.catalog.models import ServiceItem
from onewindow.errors import DomainError
from onewindow.foresight import advisor
from onewindow.foresight.models import PromiseAdvice

VIEWERS = (Role.HALL_ADMIN, Role.SUPERVISOR)


@requires(*VIEWERS)
def advisor_list(request):
    return render(
        request, "foresight/advisor.html", {"rows": advisor.advise_all(), "window": advisor.last_12_months()}
    )


def _item_page(request, item: ServiceItem, error: DomainError | None = None, status: int = 200):
    advice = advisor.advise(item)
    refusal = advisor.draft_refusal(advice, item, request.user)
    rows = []
    within = 0
    for days, cases in advice.histogram:
        within += cases
        rows.append({"days": days, "cases": cases, "cumulative": within * 100 / advice.n})
    return render(request, "foresight/advisor_item.html", {
        "advice": advice, "item": item, "rows": rows, "peak": max((c for _, c in advice.histogram), default=0),
        "refusal": refusal, "may_draft": refusal is None, "error": error, "open_version": advisor.open_version(item),
        "drafted": PromiseAdvice.objects.filter(item=item).select_related("version", "created_by")[:10],
    }, status=status)  # fmt: skip


@requires(*VIEWERS)
def advisor_item(request, code: str):
    item = get_object_or_404(ServiceItem.objects.filter(current__isnull=False), code=code)
    return _item_page(request, item)


@requires(Role.HALL_ADMIN)
@require_POST
def advisor_draft(request, code: str):
    """据此起草变更: the draft waits on the catalog's publishing page for a proposer and a publisher."""
    item = get_object_or_404(ServiceItem.objects.filter(current__isnull=False), code=code)
    try:
        draft = advisor.draft_from_advice(item, by=request.user)
    except DomainError as exc:
        return _item_page(request, item, error=exc, status=exc.status)
    messages.success(
        request,
        f"已起草{item.code}第{draft.number}版（承诺{draft.promised_limit_days}个工作日），待提交发布。",
    )
    return redirect("catalog:staff")
