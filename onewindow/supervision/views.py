"""The supervisor's pages (电子监察): the open cases of every department by light, the violation
register and a violation with its decision. Thin views: read, call the service, render."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.accounts.models import Department, Role
from onewindow.accounts.permissions import requires
from onewindow.cases.models import Light
from onewindow.errors import DomainError
from onewindow.supervision import cards, queries, services
from onewindow.supervision.models import Violation

WATCHERS = (Role.SUPERVISOR, Role.HALL_ADMIN)


def _departments(user):
    staff = getattr(user, "staff", None)
    if user.is_superuser or staff is None:
        return Department.objects.order_by("code")
    return staff.hall.departments.order_by("code")


@requires(*WATCHERS)
@require_GET
def overdue(request):
    """超期与预警: open cases across departments, red first (default: red only)."""
    light = request.GET.get("light", Light.RED)
    department = request.GET.get("department", "")
    rows = queries.watched(request.user, light=light if light != "all" else "", department=department)
    return render(request, "supervision/overdue.html", {
        "cases": rows, "light": light, "department": department, "departments": _departments(request.user),
        "lights": [("red", "超期（红灯）"), ("yellow", "临近期限（黄灯）"), ("all", "全部在办")],
    })  # fmt: skip


@requires(*WATCHERS)
@require_GET
def violation_list(request):
    status, department, kind = (request.GET.get(k, "") for k in ("status", "department", "kind"))
    rows = list(queries.violations(request.user, status=status, department=department, kind=kind)[:200])
    return render(request, "supervision/violations.html", {
        "violations": rows, "status": status, "department": department, "kind": kind,
        "statuses": Violation.Status.choices, "kinds": Violation.Kind.choices,
        "departments": _departments(request.user),
    })  # fmt: skip


@requires(*WATCHERS)
@require_http_methods(["GET", "POST"])
def violation(request, pk: int):
    found = get_object_or_404(queries.violations(request.user), pk=pk)
    if request.method == "POST":
        try:
            services.decide(found, to=request.POST.get("to", ""), reason=request.POST.get("reason", ""),
                            by=request.user)  # fmt: skip
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "已记录认定。")
            return redirect("supervision:violation", pk=pk)
    card = queries.officer_card(found.officer_id)
    return render(request, "supervision/violation.html", {
        "v": found, "decisions": [(s, Violation.Status(s).label) for s in services.allowed_decisions(found)],
        "card": card, "card_label": cards.LABELS[card],
    })  # fmt: skip
