"""License pages: public verification (the QR code's target), the applicant's licenses and
their PDFs, and the staff desk — issue, delivery, revocation, the holder lookup of 证照共享 and
late deliveries. Thin views: parse, check access, call one service, render (STYLE.md)."""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from onewindow import clock, inputs
from onewindow.accounts.models import Role
from onewindow.accounts.permissions import public, requires
from onewindow.accounts.queries import staff_of
from onewindow.actions import dispatch
from onewindow.cases import queries as case_queries
from onewindow.cases.after_decision import DELIVERY_METHODS
from onewindow.cases.models import Case
from onewindow.errors import DomainError, NotFound
from onewindow.licenses import certificate, numbers, queries, services
from onewindow.licenses.models import LicenseStatus
from onewindow.payments import queries as payment_queries
from onewindow.payments import services as payments

DESK_ROLES = (Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR, Role.HALL_ADMIN)

# ---- public verification ---------------------------------------------------------------------


@public
@require_GET
def verify(request, number: str):
    """证照核验 — the same answer as GET /api/v1/licenses/{number}/verify."""
    context, status = {"number": number}, 200
    try:
        queries.count_verification(request)
        context["result"] = queries.verification(queries.verify(number))
    except DomainError as exc:
        context["error"], status = exc, exc.status
        if exc.code == "license.unknown":
            context["result"] = {"number": exc.details["number"], "status": LicenseStatus.UNKNOWN,
                                 "status_display": LicenseStatus.UNKNOWN.label}  # fmt: skip
    response = render(request, "licenses/verify.html", context, status=status)
    return context["error"].add_headers(response) if "error" in context else response


@public
@require_GET
def verify_form(request):
    """The typed number, checked first (a typo answers here) and then shown on its own page."""
    typed = (request.GET.get("number") or "").strip()[:100]
    if not typed:
        return render(request, "licenses/verify.html", {})
    try:
        return redirect("licenses:verify", numbers.parse(typed))
    except DomainError as exc:
        return render(request, "licenses/verify.html", {"number": typed, "error": exc}, status=exc.status)


# ---- the applicant's licenses ------------------------------------------------------------------


@requires()
@require_GET
def my_licenses(request):
    payments.issue_due_notices(Case.objects.filter(applicant__user=request.user))  # the fees they owe, shown
    return render(request, "licenses/my_licenses.html", {
        "licenses": [(lic, lic.status_on(clock.today())) for lic in queries.my_licenses(request.user)],
        "notices": payment_queries.unpaid_notices_of(request.user),
    })  # fmt: skip


@requires()
@require_GET
def my_license_pdf(request, number: str):
    """Only the holder downloads their license; anyone else's number answers 404."""
    license = queries.my_license(request.user, number)
    response = HttpResponse(certificate.render(license), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.filename(license)}"'
    return response


# ---- the staff desk ----------------------------------------------------------------------------


def _department_staff(user) -> bool:
    staff = staff_of(user)
    return user.is_superuser or (staff is not None and staff.role in (Role.REVIEWER, Role.DEPARTMENT_HEAD))


def _may_lookup(user) -> bool:
    return user.is_superuser or getattr(staff_of(user), "role", None) in services.LOOKUP_ROLES


@requires(*DESK_ROLES)
@require_GET
def desk(request):
    """证照管理: approved cases waiting for their license (the department's), licenses waiting
    for delivery and the late deliveries (art. 44) of the cases this person may see."""
    sheet = queries.desk(case_queries.visible_cases(request.user), issuing=_department_staff(request.user))
    return render(request, "licenses/desk.html", {**sheet, "may_lookup": _may_lookup(request.user)})


@requires(*services.LOOKUP_ROLES)
@require_POST
def lookup(request):
    """证照共享查询 by ID number or credit code (posted: the number stays out of URLs and logs)."""
    context, status = {"identifier": (request.POST.get("identifier") or "").strip()[:18]}, 200
    try:
        holder = services.lookup_holder(context["identifier"], by=request.user)
    except DomainError as exc:
        context["error"], status = exc.message, exc.status
    else:
        context |= {"holder": holder, "licenses": list(queries.valid_licenses_of(holder))}
    return render(request, "licenses/lookup.html", context, status=status)


def _case_desk(request, number: str, *, error: str = "", status: int = 200):
    case = case_queries.case_for(request.user, number)
    payments.issue_due_notices(Case.objects.filter(pk=case.pk))  # its fee notice, once approved
    sheet = queries.case_sheet(case)
    return render(request, "licenses/case.html", {
        **sheet, "methods": DELIVERY_METHODS, "error": error, "may_issue": _department_staff(request.user),
    }, status=status)  # fmt: skip


@requires(*DESK_ROLES)
@require_GET
def case_desk(request, number: str):
    return _case_desk(request, number)


@requires(*DESK_ROLES)
@require_GET
def shared_partial(request, number: str):
    """The case's 部门共享 materials with the licenses that satisfy them: a fragment the staff
    case page loads with htmx (cases sits below licenses and cannot ask for it itself)."""
    case = case_queries.case_for(request.user, number)
    return render(request, "licenses/_shared.html", {"shared": queries.shared_materials(case)})


def _date(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    return inputs.parse_date(raw, "date", "日期", prefix="license")


ACTIONS = {
    "issue": lambda case, by, p: services.issue_license(
        case, by=by, delivery=p.get("delivery", ""), valid_until=_date(p.get("valid_until"))
    ),
    "deliver": lambda case, by, p: services.deliver_license(
        case, by=by, method=p.get("method", ""), signed_by=p.get("signed_by", ""),
        id_checked=p.get("id_checked") == "on", courier=p.get("courier", ""),
        tracking_number=p.get("tracking_number", ""), address=p.get("address", ""),
    ),
}  # fmt: skip


@requires(*DESK_ROLES)
@require_POST
def case_action(request, number: str, action: str):
    case = case_queries.case_for(request.user, number)
    return dispatch(
        request,
        ACTIONS,
        action,
        case,
        unknown=NotFound("license.unknown_action", "没有这项操作。"),
        done=reverse("licenses:case", args=[number]),
        refused=lambda exc: _case_desk(request, number, error=exc.message, status=exc.status),
    )


@requires(*DESK_ROLES)
@require_GET
def license_page(request, number: str):
    license = queries.license_for(request.user, number)
    return render(request, "licenses/license.html", {
        "license": license, "status": license.status_on(clock.today()),
        "may_revoke": request.user.is_superuser or getattr(staff_of(request.user), "role", None) == Role.DEPARTMENT_HEAD,
    })  # fmt: skip


@requires(Role.DEPARTMENT_HEAD)
@require_POST
def revoke(request, number: str):
    license = queries.license_for(request.user, number)
    try:
        services.revoke_license(license, by=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return render(request, "licenses/license.html", {
            "license": license, "status": license.status_on(clock.today()), "may_revoke": True,
            "error": exc.message,
        }, status=exc.status)  # fmt: skip
    return redirect("licenses:license", license.number)


@requires(Role.REVIEWER, Role.DEPARTMENT_HEAD)
@require_POST
def commitment_check(request, number: str):
    """告知承诺核查, posted from the case page: passed, or failed with the reason (which revokes the
    approval and the case's license). A refused entry is shown as an error page (middleware)."""
    case = case_queries.case_for(request.user, number)
    if request.POST.get("result") not in ("passed", "failed"):
        raise DomainError("case.form_check_result", "请选择核查结果：通过或承诺不实。")
    services.record_commitment_check(case, by=request.user, passed=request.POST["result"] == "passed",
                                     reason=request.POST.get("reason", ""))  # fmt: skip
    return redirect("cases:case", number)
