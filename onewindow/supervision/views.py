"""The supervisor's pages (电子监察): the open cases of every department by light, the violation
register and a violation with its decision. Thin views: read, call the service, render."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from onewindow import clock
from onewindow.accounts.models import Department, Role
from onewindow.accounts.permissions import requires
from onewindow.cases.models import AT_RISK
from onewindow.errors import DomainError, NotFound
from onewindow.projects.queries import TARGET_DAYS
from onewindow.supervision import cards, queries, report, services, watches
from onewindow.supervision.holders import OFFICER, WINDOW, Holder
from onewindow.supervision.models import Violation

WATCHERS = (Role.SUPERVISOR, Role.HALL_ADMIN)


def _departments(user):
    staff = getattr(user, "staff", None)
    if user.is_superuser or staff is None:
        return Department.objects.order_by("code")
    return staff.hall.departments.order_by("code")


LIGHTS = [
    (queries.WARN, "红灯和黄灯"),
    ("red", "超期（红灯）"),
    ("yellow", "临近期限（黄灯）"),
    (AT_RISK, "预警（预计逾期，仅办件）"),
    ("all", "全部在办"),
]
TARGET = "target"  # the tab of projects past the 120-working-day target


def _watch_departments(user, scope: watches.Scope):
    if scope.department_id is not None:  # a department head: their own only
        return Department.objects.filter(pk=scope.department_id)
    return _departments(user)


@requires(*WATCHERS, Role.DEPARTMENT_HEAD)
@require_GET
def overdue(request):
    """超期与预警: every watched clock by kind (watches.KINDS), red and yellow first; a
    department head sees their department's."""
    light, department = request.GET.get("light", queries.WARN), request.GET.get("department", "")
    kind = request.GET.get("kind", "cases")
    kind = kind if kind in watches.BY_KEY or kind == TARGET else "cases"
    scope, today = watches.scope_for(request.user), clock.today()
    tabs = [(k, watches.counts(k, scope, today, department=department)) for k in watches.KINDS]
    context = {"kind": kind, "light": light, "department": department, "lights": LIGHTS, "tabs": tabs,
               "departments": _watch_departments(request.user, scope), "target_days": TARGET_DAYS,
               "watch_only": scope.department_id is not None}  # fmt: skip
    past_target = watches.past_target(scope, department=department)
    context["target_count"] = past_target.count()
    if kind == "cases":
        context["cases"] = queries.watched(
            request.user, light=light if light != "all" else "", department=department
        )
    elif kind == TARGET:
        context["projects"] = list(past_target[:200])
    else:
        lights = {"red": ("red",), "yellow": ("yellow",), "all": ("red", "yellow", "green")}.get(
            light, ("red", "yellow")
        )
        context["items"] = watches.items(
            watches.BY_KEY[kind], scope, today, lights=lights, department=department
        )
        context["kind_label"] = watches.BY_KEY[kind].label
    return render(request, "supervision/overdue.html", context)


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
    card = queries.card(OFFICER, found.officer_id)
    return render(request, "supervision/violation.html", {
        "v": found, "decisions": [(s, Violation.Status(s).label) for s in services.allowed_decisions(found)],
        "card": card, "card_label": cards.LABELS[card], "window_card_label": cards.LABELS[queries.card(WINDOW, found.window_id)],
    })  # fmt: skip


@requires(*WATCHERS)
@require_GET
def card_list(request):
    """黄牌 / 红牌: the officers and the windows with upheld violations and their current card."""
    return render(request, "supervision/cards.html", {
        "rows": queries.carded(request.user, OFFICER), "windows": queries.carded(request.user, WINDOW),
    })  # fmt: skip


def _holder(request, holder: Holder, pk: int):
    """An officer or a window (`holder`) with a violation in the supervisor's departments (else 404)."""
    if not queries.violations(request.user).filter(**holder.of(pk)).exists():
        raise NotFound(*holder.not_found)
    return get_object_or_404(holder.model, pk=pk)


@requires(*WATCHERS)
@require_http_methods(["GET", "POST"])
def holder_card(request, pk: int, holder: Holder):
    """An officer's or a window's card (urls: supervision:officer, supervision:window): its
    violations, 销牌, and the report once it is 'reported'."""
    subject = _holder(request, holder, pk)
    if request.method == "POST":
        try:
            services.clear_card(holder, subject, reason=request.POST.get("reason", ""), by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "已销牌。")
            return redirect(holder.url_name, pk=pk)
    card = queries.card(holder, pk)
    return render(request, "supervision/holder.html", {
        "holder": holder, "subject": subject, "title": holder.title(subject), "heading": holder.heading(subject),
        "report_url": holder.report_url_name, "card": card, "card_label": cards.LABELS[card],
        "can_clear": services.can_clear(card), "reported": card == cards.REPORTED,
        "violations": queries.violations(request.user).filter(**holder.of(pk)),
    })  # fmt: skip


@requires(*WATCHERS)
@require_GET
def holder_report(request, pk: int, holder: Holder):
    """报告市政府 (PDF) of an officer or a window (urls: supervision:officer-report,
    supervision:window-report), offered once its card is 'reported'."""
    subject = _holder(request, holder, pk)
    staff = getattr(request.user, "staff", None)
    pdf = report.report_pdf(holder, subject, hall_name=staff.hall.name if staff else "政务服务中心")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{holder.report_file(subject)}"'
    return response
