"""差评整改 pages (issue 17 item 2): the bad ratings a department (or hall management) handles, with
their lights and due dates; a bad rating's page with the steps `allowed_actions` gives — the
same TRANSITIONS table the services check — and its audit chain; hall management's appeals.
Thin views: parse, check access, call one service, render (STYLE.md)."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from onewindow import clock
from onewindow.accounts.models import Department
from onewindow.accounts.permissions import requires
from onewindow.accounts.queries import staff_of
from onewindow.actions import dispatch
from onewindow.errors import NotFound
from onewindow.ratings import rectification as services
from onewindow.ratings import rectification_queries as queries
from onewindow.ratings.complaint_queries import HALL_MANAGEMENT
from onewindow.ratings.models import (
    INDICATORS,
    AppealGround,
    RectificationStatus,
    VerificationFinding,
)

YES_NO = {"yes": True, "no": False}
OUTCOMES = {"upheld": True, "rejected": False}


def _is_hall_management(user) -> bool:
    staff = staff_of(user)
    return user.is_superuser or (staff is not None and staff.role in HALL_MANAGEMENT)


@requires(*queries.STAFF_ROLES)
@require_GET
def rectification_list(request):
    """差评整改: the bad ratings to handle, by status, overdue first (the clock running now)."""
    g = request.GET
    filters = {"status": g.get("status", ""), "overdue_only": g.get("overdue") == "1",
               "department": g.get("department", "")}  # fmt: skip
    today = clock.today()
    rows = list(queries.staff_list(request.user, **filters, today=today)[:200])
    staff = staff_of(request.user)
    management = _is_hall_management(request.user)
    return render(request, "ratings/rectification_list.html", {
        "rows": [(r, queries.days_left(r, today)) for r in rows], "filters": filters,
        "statuses": RectificationStatus.choices, "management": management,
        "departments": (Department.objects.filter(halls=staff.hall_id) if staff else Department.objects.all())
        if management else [],
        "pending_appeals": queries.pending_appeals(request.user).count() if management else 0,
    })  # fmt: skip


def _page(request, rating_id: int, *, error: str = "", status: int = 200):
    rect = queries.rectification_for(request.user, rating_id)
    rating = rect.rating
    indicators = [(label, getattr(rating, name)) for name, label in INDICATORS[rating.mode]
                  if getattr(rating, name) is not None]  # fmt: skip
    return render(request, "ratings/rectification_page.html", {
        "rect": rect, "rating": rating, "indicators": indicators, "days_left": queries.days_left(rect),
        "phone": services.rater_phone(rect, request.user), "phone_whole": services.may_see_phone(rect, request.user),
        "actions": services.allowed_actions(rect, request.user), "appeal": queries.appeal_of(rect),
        "events": [(e, services.ACTION_LABELS.get(e.action, e.action)) for e in queries.events_of(rect)],
        "findings": VerificationFinding.choices, "grounds": AppealGround.choices, "error": error,
    }, status=status)  # fmt: skip


@requires(*queries.STAFF_ROLES)
@require_GET
def rectification_page(request, rating_id: int):
    return _page(request, rating_id)


ACTIONS = {
    "callback": lambda r, by, p: services.callback(r, by=by, reached=YES_NO.get(p.get("reached", "")),
                                                   note=p.get("note", "")),
    "verify": lambda r, by, p: services.verify(r, by=by, finding=p.get("finding", ""), note=p.get("note", "")),
    "rectify": lambda r, by, p: services.rectify(r, by=by, measures=p.get("measures", "")),
    "feedback": lambda r, by, p: services.feedback(r, by=by, text=p.get("text", "")),
    "appeal": lambda r, by, p: services.file_appeal(r, by=by, ground=p.get("ground", ""), reason=p.get("reason", "")),
    "decide_appeal": lambda r, by, p: services.decide_appeal(r, by=by, upheld=OUTCOMES.get(p.get("outcome", "")),
                                                             reason=p.get("reason", "")),
}  # fmt: skip


@requires(*queries.STAFF_ROLES)
@require_POST
def rectification_action(request, rating_id: int, action: str):
    rect = queries.rectification_for(request.user, rating_id)
    back = request.POST.get("back") == "appeals" and action == "decide_appeal"
    return dispatch(
        request, ACTIONS, action, rect,
        unknown=NotFound("rectification.unknown_action", "没有这项操作。"),
        done=reverse("rectifications:appeals") if back else reverse("rectifications:rectification", args=[rating_id]),
        refused=lambda exc: _page(request, rating_id, error=exc.message, status=exc.status),
    )  # fmt: skip


@requires(*HALL_MANAGEMENT)
@require_GET
def appeal_list(request):
    """申诉复核: the departments' appeals, pending first, each with the decide form."""
    rows = list(queries.appeals(request.user)[:200])
    return render(request, "ratings/rectification_appeals.html", {"appeals": rows})
