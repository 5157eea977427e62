"""Case pages: the window workbench, the case page and its action forms, the department inbox,
the applicant's own cases, the public progress page and the portal application. Thin views:
parse, check access, call one service, render (STYLE.md); the services decide."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow import clock, inputs
from onewindow.accounts import services as accounts
from onewindow.accounts.models import Role
from onewindow.accounts.permissions import public, requires
from onewindow.accounts.queries import staff_of
from onewindow.actions import dispatch
from onewindow.cases import delivery_choice, material_files, pages, pre_review, queries, services
from onewindow.cases.forms import ApplyForm, SupplementForm, WalkInForm
from onewindow.cases.models import AT_RISK, AT_RISK_LABEL, CaseMaterial, Channel, Light, Suspension
from onewindow.catalog import search
from onewindow.catalog.queries import published_versions
from onewindow.catalog.services import version_for_new_case
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.replicas import read_only_page

DELIVERY_FIELDS = ("method", "recipient", "phone", "address")  # posted as delivery_<name> by the apply page

# ---- window workbench (办件受理) -------------------------------------------------------------


def _workbench_url(**params) -> str:
    return reverse("cases:workbench") + ("?" + urlencode(params) if params else "")


def _workbench(request, *, applicant_ref=None, item=None, status=200, **extra):
    applicant = pages.applicant_by_ref(applicant_ref)
    version = published_versions().filter(item__code=item).first() if applicant and item else None
    staff = staff_of(request.user)
    return render(request, "cases/workbench.html", {
        "applicant": applicant, "applicant_ref": applicant_ref or "",
        "version": version, "checklist": version and pages.checklist(version), "versions": published_versions(),
        "register_form": WalkInForm(), "q": "", "hits": [],
        "citywide": pages.citywide(staff and staff.hall, version), "received": queries.received_here(request.user),
        **extra,
    }, status=status)  # fmt: skip


@requires(Role.CLERK, Role.AGENT)
@require_GET
def workbench(request):
    """Find or register the applicant, pick the item, tick the materials handed in. Typing in
    the item search box (htmx) gets only the list of items."""
    q = (request.GET.get("q") or "").strip()[:100]
    hits = search.current().search(q, kinds=("item",)) if q else []
    applicant_ref = request.GET.get("applicant") or ""
    if request.headers.get("HX-Request"):
        return render(
            request, "cases/_item_hits.html", {"q": q, "hits": hits, "applicant_ref": applicant_ref}
        )
    return _workbench(request, applicant_ref=applicant_ref, item=request.GET.get("item"), q=q, hits=hits)


@requires(Role.CLERK, Role.AGENT)
@require_POST
def workbench_find(request):
    """Exact match on the ID number or credit code; posted, so the number stays out of URLs and logs."""
    number = (request.POST.get("number") or "").strip().upper()[:18]
    applicant = pages.find_applicant(number)
    if applicant is None:
        field = "id_number" if number[:17].isdigit() else "credit_code"
        return _workbench(request, status=404, register_form=WalkInForm(initial={field: number}),
                          find_error="未找到该证件号码的申请人，请核对号码，或在下方登记新申请人。")  # fmt: skip
    return redirect(_workbench_url(applicant=applicant.ref))


def _field_of(error: DomainError) -> str | None:
    return next((f for f in ("id_number", "credit_code", "phone", "name") if f in error.code), None)


@requires(Role.CLERK, Role.AGENT)
@require_POST
def workbench_register(request):
    """登记 a walk-in applicant after checking the number (GB 11643 / GB 32100)."""
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
            form.add_error(_field_of(exc), exc.message)
            status = exc.status
        else:
            return redirect(_workbench_url(applicant=applicant.ref))
    return _workbench(request, status=status, register_form=form)


@requires(Role.CLERK, Role.AGENT)
@require_POST
def workbench_submit(request):
    """接件: the case is created with the materials ticked as handed in."""
    applicant_ref, code = request.POST.get("applicant") or "", request.POST.get("item") or ""
    try:
        applicant = pages.applicant_by_ref(applicant_ref)
        if applicant is None:
            raise NotFound("case.applicant_not_found", "未找到申请人，请先查找或登记申请人。")
        version = version_for_new_case(code)
        hall = services.submission_hall(request.user, version.item.department_id, channel=Channel.WINDOW)
        if hall is None or staff_of(request.user) is None:
            raise Forbidden("case.intake_role", "只有本中心的窗口人员可以登记窗口申请。")
        case = services.submit(version=version, applicant=applicant, hall=hall,
                               channel=Channel.WINDOW, by=request.user, handed_in=_ids(request.POST, "handed_in"))  # fmt: skip
    except DomainError as exc:
        return _workbench(
            request, applicant_ref=applicant_ref, item=code, status=exc.status, error=exc.message
        )
    return redirect("cases:case", case.number)


# ---- the case page and its actions ---------------------------------------------------------

NOTE_MAX = CaseMaterial._meta.get_field("note").max_length


def _case_page(request, case, *, error: str = "", status: int = 200):
    sheet = pages.case_sheet(case)
    return render(request, "cases/case.html", {
        **sheet, "actions": pages.actions_for(request.user, sheet), "error": error, "today": clock.today(),
        "suspension_kinds": [k for k in Suspension.Kind.choices if k[0] != Suspension.Kind.CORRECTION],
        "max_extension_days": settings.ONEWINDOW_MAX_EXTENSION_DAYS, "note_max": NOTE_MAX,
        "reads": material_files.reads_of(case),
    }, status=status)  # fmt: skip


def _is_staff(user) -> bool:
    return user.is_superuser or staff_of(user) is not None


@requires()
@require_GET
def case_page(request, number: str):
    """A case as the hall sees it; 404 for anyone outside its department or hall."""
    case = queries.case_for(request.user, number)
    if not _is_staff(request.user):
        return redirect("cases:my-case", number)  # the applicant's own view of it
    return _case_page(request, case)


def _ids(post, name: str) -> list[int]:
    try:
        return [int(v) for v in post.getlist(name)]
    except ValueError:
        raise DomainError("case.form_material", "所选材料不正确，请刷新页面后重试。") from None


def _notice(post) -> list[dict]:
    """一次性告知 / 退回补正: every ticked material with its note."""
    items = [
        {"material": i, "note": post.get(f"note_{i}", ""), "defective": post.get(f"defective_{i}") == "on"}
        for i in _ids(post, "material")
    ]
    if any(len(item["note"].strip()) > NOTE_MAX for item in items):
        raise DomainError("case.notice_note_length", f"每项补正要求不超过{NOTE_MAX}字。")
    return items


def _date(raw: str | None) -> dt.date:
    return inputs.parse_date(raw, "date", "日期", prefix="case")


def _int(raw: str | None, *, label: str) -> int:
    try:
        return int(raw or "")
    except ValueError:
        raise DomainError("case.form_number", f"请填写{label}（整数）。") from None


def _decide(case, by, post):
    if post.get("approve") not in ("yes", "no"):
        raise DomainError("case.form_decision", "请选择准予或不予准予。")
    return services.decide(case, by=by, approve=post["approve"] == "yes", reason=post.get("reason", ""),
                           legal_basis=post.get("legal_basis", ""))  # fmt: skip


def _suspend(case, by, post):
    expected = _int(post["expected_days"], label="预计工作日") if post.get("expected_days") else None
    if expected is not None and not 1 <= expected <= 365:  # as the API's SuspendIn
        raise DomainError("case.form_number", "预计工作日应为1至365之间的整数。")
    return services.suspend(case, by=by, kind=post.get("kind", ""), reason=post.get("reason", ""),
                            expected_days=expected)  # fmt: skip


# One entry per form on the case page: parse the post, call the one service it names.
ACTIONS = {
    "receive": lambda c, by, p: services.receive(c, by=by, materials=_ids(p, "material")),
    "mark-material": lambda c, by, p: services.mark_material(c, by=by, material=_int(p.get("material"), label="材料"),
                                                             mark=p.get("mark", ""), note=p.get("note", "")),
    "accept": lambda c, by, p: services.accept(c, by=by),
    "request-supplement": lambda c, by, p: services.request_supplement(c, by=by, items=_notice(p)),
    "refuse": lambda c, by, p: services.refuse(c, by=by, reason=p.get("reason", ""),
                                               where_to_turn=p.get("where_to_turn", ""),
                                               legal_basis=p.get("legal_basis", "")),
    "accept-tolerantly": lambda c, by, p: services.accept_tolerantly(c, by=by, supply_by=_date(p.get("supply_by"))),
    "approve-by-commitment": lambda c, by, p: services.approve_by_commitment(c, by=by,
                                                                             commitment=p.get("commitment", "")),
    "supplement": lambda c, by, p: services.supplement(c, by=by, materials=_ids(p, "material")),
    "supply-tolerated": lambda c, by, p: services.supply_tolerated(c, by=by, materials=_ids(p, "material")),
    "review": lambda c, by, p: services.review(c, by=by, opinion=p.get("opinion", "")),
    "return-for-correction": lambda c, by, p: services.return_for_correction(c, by=by, items=_notice(p)),
    "decide": _decide,
    "suspend": _suspend,
    "resume": lambda c, by, p: services.resume(c, by=by),
    "extend": lambda c, by, p: services.extend(c, by=by, days=_int(p.get("days"), label="延期工作日"),
                                               reason=p.get("reason", "")),
    "withdraw": lambda c, by, p: services.withdraw(c, by=by, reason=p.get("reason", "")),
}  # fmt: skip


def _staff_only(user) -> None:
    if not _is_staff(user):
        raise Forbidden("case.staff_only", "办件办理由工作人员操作，您可在“我的办件”中查看进度。")


@requires()
@require_POST
def case_action(request, number: str, action: str):
    case = queries.case_for(request.user, number)
    return dispatch(
        request, ACTIONS, action, case, unknown=NotFound("case.unknown_action", "没有这项办理操作。"),
        allowed=lambda: _staff_only(request.user), done=reverse("cases:case", args=[number]),
        refused=lambda exc: _case_page(request, queries.case_for(request.user, number), error=exc.message,
                                       status=exc.status),
    )  # fmt: skip


# ---- department inbox (我的待办) ------------------------------------------------------------


@requires(*pre_review.ROLES)
@require_GET
def pre_review_queue(request):
    """网上预审: online submissions waiting for the written answer, by the art. 32 clock."""
    light = request.GET.get("light", "")
    item = (request.GET.get("item") or "").strip()[:50]
    order = request.GET.get("order") if request.GET.get("order") in pre_review.ORDERS else "oldest"
    counts = pre_review.counts(request.user)
    tabs = [{"value": v, "label": Light(v).label, "count": counts[v]} for v in ("red", "yellow", "green")]
    return render(request, "cases/pre_review.html", {
        "cases": pre_review.queue(request.user, light=light, item=item, order=order),
        "light": light if light in Light.values else "", "item": item, "order": order, "tabs": tabs,
        "total": sum(counts.values()), "answer_days": settings.ONEWINDOW_INTAKE_ANSWER_DAYS,
    })  # fmt: skip


@requires(Role.REVIEWER, Role.DEPARTMENT_HEAD)
@require_GET
def inbox(request):
    """The department's open cases, most urgent first, filtered by light."""
    staff = staff_of(request.user)
    if staff is None or staff.department_id is None:
        raise Forbidden("case.no_department", "待办按部门列出，您的账号不属于任何部门。")
    light = request.GET.get("light") if request.GET.get("light") in (*Light.values, AT_RISK) else None
    counts = queries.light_counts(staff.department_id)
    labels = {**dict(Light.choices), AT_RISK: AT_RISK_LABEL}
    tabs = [{"value": v, "label": labels[v], "count": counts[v]} for v in ("red", "yellow", AT_RISK, "green")]
    return render(request, "cases/inbox.html", {
        "department": staff.department, "cases": queries.inbox(staff.department_id, light=light), "light": light,
        "home_hall": services.deciding_hall(staff.department_id),  # 同城通办: rows received elsewhere are marked
        "tabs": tabs, "total": sum(counts.values()),
    })  # fmt: skip


# ---- the applicant's pages ------------------------------------------------------------------


@requires()
@require_GET
def my_cases(request):
    return render(request, "cases/my_cases.html", {
        "applicant": pages.applicant_of(request.user), "cases": pages.my_cases(request.user),
    })  # fmt: skip


@requires()
@require_GET
def my_case(request, number: str):
    case = pages.my_case(request.user, number)
    sheet = pages.applicant_sheet(case)
    upload = (
        SupplementForm(materials=sheet["notice"]) if pages.online_supplement(request.user, case) else None
    )
    return render(request, "cases/my_case.html", {**sheet, "upload": upload})


@public
@require_http_methods(["GET", "POST"])
@read_only_page
def progress(request):
    """办件进度查询: the case number and the last four digits of the applicant's phone, both
    needed; rate-limited against guessing; no personal data shown."""
    if request.method == "GET":
        # The QR code on every notice lands here with the case number filled in.
        number = (request.GET.get("number") or "").strip()[:30]
        return render(request, "cases/progress.html", {"number": number})
    number = (request.POST.get("number") or "").strip()[:30]
    try:
        queries.count_progress_lookup(request)
        case = queries.public_progress(number, (request.POST.get("phone_last4") or "").strip())
    except DomainError as exc:
        return exc.add_headers(
            render(
                request, "cases/progress.html", {"number": number, "error": exc.message}, status=exc.status
            )
        )
    return render(
        request, "cases/progress.html", {"number": number, "case": case, "overdue": pages.overdue(case)}
    )


@requires()
@require_http_methods(["GET", "POST"])
def apply(request, code: str):
    """网上申请: one upload per material the applicant supplies; the case goes to the hall the
    applicant chose among the city's (同城通办), else to the item's deciding hall."""
    version = version_for_new_case(code)
    applicant = pages.applicant_of(request.user)
    lists = {**pages.checklist(version), "halls": services.receiving_halls(version.item.department)}
    if applicant is None:
        return render(request, "cases/apply.html", {"v": version, **lists}, status=403)
    form = (ApplyForm(request.POST, request.FILES, materials=lists["asked"]) if request.method == "POST"
            else ApplyForm(materials=lists["asked"]))  # fmt: skip
    delivery = {k: (request.POST.get(f"delivery_{k}") or "")[:200] for k in DELIVERY_FIELDS}
    status = 200
    if request.method == "POST" and form.is_valid():
        uploads = form.uploads()
        try:
            choice = delivery_choice.check(version, **delivery)
            hall = services.submission_hall(request.user, version.item.department_id, channel=Channel.PORTAL,
                                            code=(request.POST.get("hall") or "")[:40] or None)  # fmt: skip
            if hall is None:
                raise Conflict(
                    "case.hall_not_found", "该事项的实施部门尚未进驻政务服务中心，暂不能网上申请。"
                )
            with transaction.atomic():
                case = services.submit(version=version, applicant=applicant, hall=hall, channel=Channel.PORTAL,
                                       by=request.user, handed_in=list(uploads), files=uploads)  # fmt: skip
                delivery_choice.record(case, choice)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            return redirect("cases:my-case", case.number)
    if form.errors and status == 200:
        status = 400
    return render(request, "cases/apply.html", {
        "v": version, "applicant": applicant, "form": form, **lists,
        "delivery_methods": delivery_choice.methods_for(version), "delivery": delivery,
    }, status=status)  # fmt: skip
