"""一件事 pages: the comprehensive window (apply for a walk-in applicant and accept at once), the
portal application (one merged form, one material list), the application page for staff and for
the applicant, the acceptance notice, and the public progress page. Thin views: parse, check
access, call one service, render (STYLE.md)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts import services as accounts
from onewindow.accounts.models import DEPARTMENT_ROLES, Role
from onewindow.accounts.permissions import public, requires
from onewindow.accounts.queries import staff_of
from onewindow.actions import dispatch
from onewindow.bundles import notice, queries, services
from onewindow.bundles.forms import MergedForm, UploadForm, note
from onewindow.bundles.models import BundleApplication, Status
from onewindow.cases import pages as case_pages
from onewindow.cases import queries as case_queries
from onewindow.cases import services as cases
from onewindow.cases.forms import WalkInForm
from onewindow.cases.models import Channel
from onewindow.catalog.models import Bundle
from onewindow.catalog.queries import bundle as bundle_by_code
from onewindow.catalog.queries import bundles as active_bundles
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound

STAFF_ROLES = (Role.CLERK, Role.AGENT, Role.SUPERVISOR, Role.HALL_ADMIN, *DEPARTMENT_ROLES)


def _checklist(bundle: Bundle) -> dict:
    parts = services.parts(bundle)
    merged = services.merged_materials(bundle, parts)
    return {
        "parts": parts,
        "fields": services.merged_form(bundle, parts),
        "asked": [{"m": m, "note": note(m)} for m in merged if m.asked],
        "shared": [m for m in merged if m.shared],
    }


# ---- the comprehensive window (综合窗口) --------------------------------------------------------


@requires(*STAFF_ROLES)
@require_GET
def staff_index(request):
    """The bundles a clerk can start, and the applications this viewer may see (derived status)."""
    status = request.GET.get("status") if request.GET.get("status") in Status.values else None
    qs = queries.with_status(queries.visible_applications(request.user)).select_related("bundle", "applicant")
    if status:
        qs = qs.filter(status=status)
    return render(request, "bundles/staff_index.html", {
        "bundles": active_bundles(), "applications": qs.order_by("-received_at")[:100], "status": status,
        "statuses": Status.choices, "may_apply": services.may_start(request.user, channel=Channel.WINDOW),
    })  # fmt: skip


def _window_url(code: str, **params) -> str:
    return reverse("bundles:window-apply", args=[code]) + ("?" + urlencode(params) if params else "")


def _window(request, bundle, *, applicant_ref="", form=None, status=200, **extra):
    lists = _checklist(bundle)
    applicant = case_pages.applicant_by_ref(applicant_ref)
    return render(request, "bundles/window_apply.html", {
        "bundle": bundle, **lists, "form": form or MergedForm(fields=lists["fields"]), "applicant": applicant,
        "register_form": WalkInForm(), "refused": services.start_refusal(bundle, applicant), **extra,
    }, status=status)  # fmt: skip


@requires(Role.CLERK, Role.AGENT)
@require_http_methods(["GET", "POST"])
def window_apply(request, code: str):
    """接件 (and 受理 at once, at a comprehensive window) for an applicant in front of the clerk."""
    bundle = bundle_by_code(code)
    if request.method == "GET":
        return _window(request, bundle, applicant_ref=request.GET.get("applicant", ""))
    ref = request.POST.get("applicant", "")
    form = MergedForm(request.POST, fields=services.merged_form(bundle))
    try:
        applicant = case_pages.applicant_by_ref(ref)
        staff = staff_of(request.user)
        if applicant is None:
            raise NotFound("bundle.applicant_not_found", "未找到申请人，请先查找或登记申请人。")
        if staff is None:
            raise Forbidden("bundle.intake_role", "只有本中心的窗口人员可以登记窗口申请。")
        application = services.apply(bundle=bundle, applicant=applicant, form_data=form.answers(),
                                     materials=request.POST.getlist("handed_in"), by=request.user,
                                     channel=Channel.WINDOW, hall=staff.hall)  # fmt: skip
    except DomainError as exc:
        form.show(exc.details.get("errors", {}))
        return _window(request, bundle, applicant_ref=ref, form=form, status=exc.status, error=exc.message)
    if request.POST.get("accept"):
        try:
            services.accept(application, by=request.user)
        except DomainError as exc:
            messages.error(request, f"已接件，但未能受理：{exc.message}")
    return redirect("bundles:staff-application", application.number)


@requires(Role.CLERK, Role.AGENT)
@require_POST
def window_find(request, code: str):
    """Exact match on the ID number or credit code; posted, so the number stays out of URLs."""
    bundle = bundle_by_code(code)
    number = (request.POST.get("number") or "").strip().upper()[:18]
    applicant = case_pages.find_applicant(number)
    if applicant is None:
        field = "id_number" if number[:17].isdigit() else "credit_code"
        return _window(request, bundle, status=404, register_form=WalkInForm(initial={field: number}),
                       find_error="未找到该证件号码的申请人，请核对号码，或在下方登记新申请人。")  # fmt: skip
    return redirect(_window_url(bundle.code, applicant=applicant.ref))


@requires(Role.CLERK, Role.AGENT)
@require_POST
def window_register(request, code: str):
    """登记 a walk-in applicant after checking the number (GB 11643 / GB 32100)."""
    bundle = bundle_by_code(code)
    form = WalkInForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            applicant = accounts.register_applicant(
                kind=data["kind"], name=data["name"], id_number=data["id_number"], credit_code=data["credit_code"],
                phone=data["phone"], address=data["address"], region_code=data["region"].code,
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            return redirect(_window_url(bundle.code, applicant=applicant.ref))
    return _window(request, bundle, status=status, register_form=form)


# ---- the application page ------------------------------------------------------------------


def _is_staff(user) -> bool:
    return user.is_superuser or staff_of(user) is not None


def _staff_page(request, application: BundleApplication, *, error: str = "", status: int = 200):
    sheet = queries.sheet(request.user, application)
    window = services.at_comprehensive_window(request.user, application.hall_id)
    intake = application.status in (Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED)
    blocked = services.unacceptable_child(application, request.user) if window and intake else None
    return render(request, "bundles/application.html", {
        **sheet, "staff_view": True, "error": error, "may_answer": window and intake,
        "may_accept": blocked is None, "blocked": blocked,
        "may_print": not queries.sees_own_child_only(request.user, application),
        "pending": [m for m in sheet["materials"] if m["state"] in ("missing", "defective")],
    }, status=status)  # fmt: skip


@requires()
@require_GET
def staff_application(request, number: str):
    """The application as the hall sees it; a department sees only its own child; 404 for others."""
    services.settle([number])  # the children's own closes recorded first: the reader sees the true state
    application = queries.application_for(request.user, number)
    if not _is_staff(request.user):
        return redirect("bundles:my-application", number)
    return _staff_page(request, application)


def _notice_items(post) -> list[dict]:
    return [
        {"material": name, "note": post.get(f"note_{i}", ""), "defective": post.get(f"defective_{i}") == "on"}
        for i, name in enumerate(post.getlist("material_name")) if post.get(f"pick_{i}") == "on"
    ]  # fmt: skip


ACTIONS = {
    "accept": lambda a, by, p: services.accept(a, by=by),
    "request-supplement": lambda a, by, p: services.request_supplement(a, by=by, items=_notice_items(p)),
    "supplement": lambda a, by, p: services.supplement(a, by=by, materials=p.getlist("material")),
    "refuse": lambda a, by, p: services.refuse(a, by=by, reason=p.get("reason", ""),
                                               where_to_turn=p.get("where_to_turn", "")),
}  # fmt: skip


def _staff_only(user) -> None:
    if not _is_staff(user):
        raise Forbidden("bundle.staff_only", "一件事由窗口人员办理，您可在“我的一件事”中查看进度。")


@requires()
@require_POST
def staff_action(request, number: str, action: str):
    application = queries.application_for(request.user, number)
    return dispatch(
        request, ACTIONS, action, application, unknown=NotFound("bundle.unknown_action", "没有这项办理操作。"),
        allowed=lambda: _staff_only(request.user), done=reverse("bundles:staff-application", args=[number]),
        refused=lambda exc: _staff_page(request, queries.application_for(request.user, number), error=exc.message,
                                        status=exc.status),
    )  # fmt: skip


def _pdf(application: BundleApplication) -> HttpResponse:
    response = HttpResponse(notice.render(application), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{notice.quoted_filename(application)}"
    return response


@requires(Role.CLERK, Role.AGENT, Role.SUPERVISOR, Role.HALL_ADMIN)
@require_GET
def staff_notice(request, number: str):
    """一件事受理通知书 (PDF), printed at the window."""
    return _pdf(queries.application_for(request.user, number))


# ---- the applicant's pages --------------------------------------------------------------------


@requires()
@require_http_methods(["GET", "POST"])
def portal_apply(request, code: str):
    """网上申请: one merged form and one upload per merged material; the hall stationing the
    bundle's lead department receives it and its comprehensive window accepts it once."""
    bundle = bundle_by_code(code)
    lists = _checklist(bundle)
    applicant = case_pages.applicant_of(request.user)
    if applicant is None:
        return render(request, "bundles/portal_apply.html", {"bundle": bundle, **lists}, status=403)
    post = request.method == "POST"
    form = MergedForm(request.POST if post else None, fields=lists["fields"])
    uploads = UploadForm(request.POST if post else None, request.FILES if post else None,
                         materials=services.merged_materials(bundle, lists["parts"]))  # fmt: skip
    status = 200
    if post and uploads.is_valid():
        files = uploads.uploads()
        try:
            hall = cases.submission_hall(request.user, bundle.lead_department_id, channel=Channel.PORTAL)
            if hall is None:
                raise Conflict(
                    "bundle.hall_not_found", "该一件事的牵头部门尚未进驻政务服务中心，暂不能网上申请。"
                )
            application = services.apply(bundle=bundle, applicant=applicant, form_data=form.answers(),
                                         materials=list(files), by=request.user, channel=Channel.PORTAL, hall=hall,
                                         files=files)  # fmt: skip
        except DomainError as exc:
            form.show(exc.details.get("errors", {}))
            uploads.add_error(None, exc.message)
            status = exc.status
        else:
            return redirect("bundles:my-application", application.number)
    elif post:
        status = 400
    return render(request, "bundles/portal_apply.html", {
        "bundle": bundle, **lists, "applicant": applicant, "form": form, "uploads": uploads,
        "refused": services.start_refusal(bundle, applicant),
    }, status=status)  # fmt: skip


@requires()
@require_GET
def my_applications(request):
    return render(request, "bundles/my_applications.html", {
        "applicant": case_pages.applicant_of(request.user),
        "applications": queries.my_applications(request.user).order_by("-received_at"), "statuses": Status.choices,
    })  # fmt: skip


def _mine(request, number: str) -> BundleApplication:
    found = (
        queries.my_applications(request.user)
        .select_related("applicant", "hall")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise NotFound("bundle.not_found", "未找到该一件事申请。")
    return found


@requires()
@require_GET
def my_application(request, number: str):
    services.settle([number])
    application = _mine(request, number)
    return render(request, "bundles/application.html", {**queries.sheet(request.user, application),
                                                         "staff_view": False, "may_print": True})  # fmt: skip


@requires()
@require_GET
def my_notice(request, number: str):
    return _pdf(_mine(request, number))


# ---- public progress ---------------------------------------------------------------------------


@public
@require_http_methods(["GET", "POST"])
def progress(request, number: str):
    """一件事进度查询 (the QR code on the notice lands here): the number and the last four digits
    of the applicant's phone, both needed; rate-limited against guessing; no personal data."""
    number = number.strip()[:30]
    if request.method == "GET":
        return render(request, "bundles/progress.html", {"number": number})
    try:
        case_queries.count_progress_lookup(request)
        services.settle([number])
        application = queries.public_progress(number, (request.POST.get("phone_last4") or "").strip())
    except DomainError as exc:
        return exc.add_headers(
            render(
                request, "bundles/progress.html", {"number": number, "error": exc.message}, status=exc.status
            )
        )
    return render(request, "bundles/progress.html", {
        "number": number, "application": application, "children": queries.public_children(application),
        "status_display": Status(application.status).label,
    })  # fmt: skip
