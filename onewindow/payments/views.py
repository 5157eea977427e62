"""Fee pages: the notice list and a notice's page with the action each role takes (finance
checks, the bank window marks paid and deposited, the department cancels), and the daily
reconciliation. Thin views: parse, check access, call one service, render (STYLE.md)."""

import datetime as dt

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from onewindow import clock, inputs
from onewindow.accounts.models import DEPARTMENT_ROLES
from onewindow.accounts.permissions import requires
from onewindow.accounts.queries import staff_of
from onewindow.actions import dispatch
from onewindow.cases import queries as case_queries
from onewindow.errors import NotFound
from onewindow.payments import queries, services
from onewindow.payments.models import NoticeState

NOTICE_ROLES = (*queries.HALL_ROLES, *DEPARTMENT_ROLES)
ACTIONS = {
    "check": lambda n, by, p: services.check_notice(n, by=by),
    "pay": lambda n, by, p: services.mark_paid(n, by=by, bank_ref=p.get("bank_ref", "")),
    "deposit": lambda n, by, p: services.mark_deposited(n, by=by),
    "cancel": lambda n, by, p: services.cancel_notice(n, by=by, reason=p.get("reason", "")),
}


def _role(user) -> str | None:
    return "*" if user.is_superuser else getattr(staff_of(user), "role", None)


@requires(*NOTICE_ROLES)
@require_GET
def notices(request):
    """缴款通知 by state: finance works the 已开具 tab, the bank window the 已审核 and 已缴款 tabs."""
    state = request.GET.get("state") if request.GET.get("state") in NoticeState.values else None
    services.issue_due_notices()  # the approvals still owing a notice, issued before the list is read
    rows = queries.visible_notices(request.user).select_related("case__item_version", "department")
    number = (request.GET.get("number") or "").strip()[:20]
    if number:
        rows = rows.filter(number=number)
    elif state:
        rows = rows.filter(state=state)
    return render(request, "payments/notices.html", {
        "rows": list(rows.order_by("-issued_at")[:200]), "state": state, "number": number,
        "states": NoticeState.choices, "may_reconcile": _role(request.user) in (*queries.RECONCILIATION_ROLES, "*"),
    })  # fmt: skip


def _notice_page(request, notice, *, error: str = "", status: int = 200):
    role = _role(request.user)
    actions = {
        a
        for a, roles in services.ACTION_ROLES.items()
        if (role == "*" or role in roles) and notice.state in services.ACTION_FROM[a]
    }
    return render(request, "payments/notice.html", {"notice": notice, "actions": actions, "error": error},
                  status=status)  # fmt: skip


@requires(*NOTICE_ROLES)
@require_GET
def notice_page(request, number: str):
    return _notice_page(request, queries.notice_for(request.user, number))


@requires(*NOTICE_ROLES)
@require_POST
def notice_action(request, number: str, action: str):
    notice = queries.notice_for(request.user, number)
    return dispatch(
        request, ACTIONS, action, notice, unknown=NotFound("payment.unknown_action", "没有这项操作。"),
        done=reverse("payments:notice", args=[number]),
        refused=lambda exc: _notice_page(request, queries.notice_for(request.user, number), error=exc.message,
                                         status=exc.status),
    )  # fmt: skip


@requires(*DEPARTMENT_ROLES)
@require_POST
def issue(request, number: str):
    """开具缴款通知 from the case's 制证送达 page (again after a cancellation)."""
    case = case_queries.case_for(request.user, number)
    notice = services.issue_notice(case, by=request.user)
    return redirect("payments:notice", notice.number)


@requires(*queries.RECONCILIATION_ROLES)
@require_GET
def reconciliation(request):
    """日对账 (?day=YYYY-MM-DD): issued, paid, unpaid, and not deposited within 24 hours."""
    today = clock.today()
    day = (
        inputs.parse_date(request.GET["day"], "day", "日期", prefix="payment")
        if request.GET.get("day")
        else today
    )
    services.issue_due_notices()
    data = queries.reconciliation(queries.reconciliation_halls(request.user), day)
    return render(request, "payments/reconciliation.html", {
        **data, "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1) if day < today else None,
    })  # fmt: skip
