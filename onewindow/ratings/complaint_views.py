"""投诉 pages: the citizen's form and their complaints (/my/complaints/), the staff list with its
filters, the complaint desk's form (a walk-in or a hotline call), and the complaint page with the
actions `allowed_actions` gives — the same rule the services check. Thin views: parse, check
access, call one service, render (STYLE.md)."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.models import Department, Hall
from onewindow.accounts.permissions import requires
from onewindow.accounts.queries import staff_of
from onewindow.actions import dispatch
from onewindow.cases.models import Case
from onewindow.errors import DomainError, NotFound
from onewindow.ratings import complaint_queries as queries
from onewindow.ratings import complaints as services
from onewindow.ratings.models import CallbackOutcome, ComplaintFinding, ComplaintSource, ComplaintStatus

# ---- the citizen ---------------------------------------------------------------------------------


def _my_page(request, *, form=None, error: str = "", status: int = 200):
    return render(request, "ratings/complaints/my.html", {
        "complaints": queries.my_complaints(request.user),
        "cases": Case.objects.filter(applicant__user=request.user).select_related("item_version").order_by("-received_at")[:50],
        "halls": Hall.objects.order_by("code"), "form": form or {}, "error": error,
        "filed": request.GET.get("filed", ""),
    }, status=status)  # fmt: skip


@requires()
@require_http_methods(["GET", "POST"])
def my_complaints(request):
    """我的投诉: the form (about one of my cases, or a hall) and my complaints with their answers."""
    if request.method == "GET":
        return _my_page(request)
    post = request.POST
    try:
        hall = Hall.objects.filter(pk=int(post["hall"])).first() if post.get("hall", "").isdigit() else None
        complaint = services.file_complaint(by=request.user, subject=post.get("subject", ""), text=post.get("text", ""),
                                            case_number=post.get("case", ""), hall=hall, phone=post.get("phone", ""))  # fmt: skip
    except DomainError as exc:
        return _my_page(request, form=post, error=exc.message, status=exc.status)
    return redirect(reverse("complaints:my") + f"?filed={complaint.number}")


# ---- staff -----------------------------------------------------------------------------------------


@requires(*queries.STAFF_ROLES)
@require_GET
def staff_list(request):
    """投诉管理: the complaints this person may see, filtered by status, department, source, overdue."""
    g = request.GET
    filters = {"status": g.get("status", ""), "department": g.get("department", ""), "source": g.get("source", ""),
               "overdue_only": g.get("overdue") == "1", "q": g.get("q", "")[:40]}  # fmt: skip
    rows = list(queries.staff_list(request.user, **filters)[:200])
    staff = staff_of(request.user)
    return render(request, "ratings/complaints/list.html", {
        "complaints": [(c, queries.days_left(c)) for c in rows], "filters": filters,
        "statuses": ComplaintStatus.choices, "sources": ComplaintSource.choices,
        "departments": Department.objects.filter(halls=staff.hall_id) if staff else Department.objects.all(),
        "may_file": request.user.is_superuser or (staff is not None and staff.role in services.DESK_FILERS[ComplaintSource.HOTLINE]),
    })  # fmt: skip


@requires(*services.DESK_FILERS[ComplaintSource.HOTLINE])
@require_http_methods(["GET", "POST"])
def desk_form(request):
    """大厅投诉台: hall management records a walk-in complaint (or a hotline call, with its order number)."""
    staff = staff_of(request.user)
    departments = Department.objects.filter(halls=staff.hall_id) if staff else Department.objects.all()
    context = {"departments": departments, "sources": [(ComplaintSource.DESK, "大厅投诉台（现场）"),
                                                       (ComplaintSource.HOTLINE, "12345热线")], "form": {}}  # fmt: skip
    if request.method == "GET":
        return render(request, "ratings/complaints/desk.html", context)
    post = request.POST
    try:
        department = (
            departments.filter(code=post.get("department")).first() if post.get("department") else None
        )
        complaint = services.file_complaint(
            by=request.user, source=post.get("source", ComplaintSource.DESK), source_ref=post.get("source_ref", ""),
            name=post.get("name", ""), phone=post.get("phone", ""), subject=post.get("subject", ""),
            text=post.get("text", ""), case_number=post.get("case", ""), department=department,
        )  # fmt: skip
    except DomainError as exc:
        return render(request, "ratings/complaints/desk.html", {**context, "form": post, "error": exc.message},
                      status=exc.status)  # fmt: skip
    return redirect("complaints:complaint", complaint.number)


def _page(request, number: str, *, error: str = "", status: int = 200):
    complaint = queries.complaint_for(request.user, number)
    staff = staff_of(request.user)
    return render(request, "ratings/complaints/complaint.html", {
        "complaint": complaint, "days_left": queries.days_left(complaint),
        "actions": services.allowed_actions(complaint, request.user), "events": [(e, services.ACTION_LABELS.get(e.action, e.action)) for e in queries.events_of(complaint)],
        "departments": complaint.hall.departments.order_by("code"), "outcomes": CallbackOutcome.choices,
        "findings": ComplaintFinding.choices, "error": error, "is_staff": staff is not None or request.user.is_superuser,
    }, status=status)  # fmt: skip


@requires(*queries.STAFF_ROLES)
@require_GET
def complaint_page(request, number: str):
    return _page(request, number)


def _department(complaint, post):
    return complaint.hall.departments.filter(code=post.get("department", "")).first()


ACTIONS = {
    "assign": lambda c, by, p: services.assign(c, by=by, department=_department(c, p), note=p.get("note", "")),
    "answer": lambda c, by, p: services.answer(c, by=by, text=p.get("text", "")),
    "callback": lambda c, by, p: services.record_callback(c, by=by, outcome=p.get("outcome", ""),
                                                          note=p.get("note", "")),
    "reopen": lambda c, by, p: services.reopen(c, by=by, reason=p.get("reason", "")),
    "decide": lambda c, by, p: services.decide(c, by=by, finding=p.get("finding", ""), reason=p.get("reason", "")),
    "close": lambda c, by, p: services.close(c, by=by),
}  # fmt: skip


@requires(*queries.STAFF_ROLES)
@require_POST
def complaint_action(request, number: str, action: str):
    complaint = queries.complaint_for(request.user, number)
    return dispatch(
        request, ACTIONS, action, complaint,
        unknown=NotFound("complaint.unknown_action", "没有这项操作。"),
        done=reverse("complaints:complaint", args=[number]),
        refused=lambda exc: _page(request, number, error=exc.message, status=exc.status),
    )  # fmt: skip
