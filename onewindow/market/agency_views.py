"""Agency pages (issue 19 item 1): the public directory (/market/agencies/: admitted agencies by
service type and grade, C on the warning list, D in a separate 黑名单 section) and an agency's page;
the agency's workbench (/my/market/agency/: the application, then its status, profile,
qualifications, staff and exit); hall management's admission page (/staff/market/agencies/:
pending applications to admit or refuse, every agency to expel). Thin views: parse, check access,
call one step of market.agencies, render. Phones are masked for the public (decision 18)."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.accounts.permissions import public, requires
from onewindow.accounts.queries import staff_of
from onewindow.actions import dispatch
from onewindow.errors import DomainError, Forbidden, NotFound
from onewindow.market import agencies
from onewindow.market.models import Agency, Grade, ServiceType, YearGrade
from onewindow.market.services import agency_of, is_management

MANAGEMENT_ROLES = (Role.HALL_ADMIN, Role.SUPERVISOR)
PAGE_SIZE = 20
BLANK_ROWS = 2  # empty rows under the filled ones, to add a qualification or a person


@public
@require_GET
def directory(request):
    """中介机构名录: admitted agencies with their grade and service types; D in the 黑名单 section."""
    g = request.GET
    filters = {"service_type": g.get("service_type", "")[:20], "grade": g.get("grade", "")[:4],
               "q": g.get("q", "").strip()[:50]}  # fmt: skip
    rows = agencies.listed(**filters)
    listed = rows.exclude(grade=Grade.D) if filters["grade"] != Grade.D else rows.none()
    page = Paginator(listed, PAGE_SIZE).get_page(g.get("page"))
    blacklist = agencies.with_qualifications(
        Agency.objects.filter(status=Agency.Status.ADMITTED, grade=Grade.D).order_by("name")
    )
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(request, "market/directory.html", {
        "page": page, "blacklist": blacklist, "filters": filters, "query": query,
        "service_types": ServiceType.objects.filter(is_active=True), "grades": Grade.choices,
    })  # fmt: skip


def _visible(request, ref: str) -> Agency:
    agency = Agency.objects.select_related("region", "decided_by").filter(ref=ref).first()
    if agency is None or not agencies.may_see(agency, request.user):
        raise NotFound("market.agency_not_found", "未找到该中介机构。")
    return agency


def _detail(request, agency: Agency, *, error: str = "", status: int = 200):
    user = request.user
    insider = user.is_authenticated and (agency.user_id == user.pk or is_management(user))
    return render(request, "market/agency_detail.html", {
        "agency": agency, "insider": insider, "today": clock.today(), "error": error,
        "qualifications": agency.qualifications.select_related("service_type").order_by("service_type__code"),
        "people": agency.staff.order_by("pk"),  # not "staff": the frame's viewer (context processor)
        "grades": YearGrade.objects.filter(agency=agency, status=YearGrade.Status.PUBLISHED).order_by("-year"),
        "actions": [a for a in agencies.allowed_actions(agency, user) if a in MANAGE_ACTIONS],
        "events": _events(agency) if insider else [],
    }, status=status)  # fmt: skip


def _events(agency: Agency) -> list:
    return [(e, agencies.ACTION_LABELS.get(e.action, e.action))
            for e in agency.events.select_related("actor").order_by("-seq")[:50]]  # fmt: skip


@public
@require_GET
def detail(request, ref: str):
    """An agency's page: qualifications with validity, staff, fee commitment, grade history."""
    return _detail(request, _visible(request, ref))


# ---- the agency's workbench -----------------------------------------------------------------------


def _rows(post, prefix: str, fields: tuple[str, ...]) -> list[dict]:
    """The filled rows of a repeated group of inputs (prefix-N-field), in order; blank rows skipped."""
    indexes = sorted(
        {int(k.split("-")[1]) for k in post if k.startswith(f"{prefix}-") and k.split("-")[1].isdigit()}
    )
    rows = [{f: post.get(f"{prefix}-{i}-{f}", "").strip() for f in fields} for i in indexes[:200]]
    return [r for r in rows if any(r.values())]


QUAL_FIELDS = ("service_type", "certificate_no", "level", "valid_from", "valid_until")
STAFF_FIELDS = ("name", "title", "certificate_no")


def _qual_rows(post) -> list[dict]:
    return _rows(post, "q", QUAL_FIELDS)


def _staff_rows(post) -> list[dict]:
    return _rows(post, "s", STAFF_FIELDS)


def _padded(rows: list[dict], fields) -> list[dict]:
    return rows + [dict.fromkeys(fields, "") for _ in range(BLANK_ROWS)]


def _existing_quals(agency: Agency) -> list[dict]:
    return [{"service_type": q.service_type.code, "certificate_no": q.certificate_no, "level": q.level,
             "valid_from": q.valid_from.isoformat(), "valid_until": q.valid_until.isoformat()}
            for q in agency.qualifications.select_related("service_type").order_by("service_type__code")]  # fmt: skip


def _existing_staff(agency: Agency) -> list[dict]:
    return [
        {"name": s.name, "title": s.title, "certificate_no": s.certificate_no}
        for s in agency.staff.order_by("pk")
    ]


def _workbench(request, *, form=None, error: str = "", status: int = 200, section: str = ""):
    agency = agency_of(request.user)
    post = form or {}
    if agency is not None:
        agency.refresh_from_db()
    quals = (
        _qual_rows(post)
        if section in ("apply", "qualifications")
        else (_existing_quals(agency) if agency else [])
    )
    people = (
        _staff_rows(post) if section in ("apply", "staff") else (_existing_staff(agency) if agency else [])
    )
    return render(request, "market/agency_workbench.html", {
        "agency": agency, "form": post if section in ("apply", "profile") else {}, "error": error,
        "section": section, "service_types": ServiceType.objects.filter(is_active=True),
        "qual_rows": _padded(quals, QUAL_FIELDS),
        "staff_rows": _padded(people, STAFF_FIELDS),
        "actions": agencies.allowed_actions(agency, request.user) if agency else [],
        "exit_refusal": agencies.refusal("exit", agency, request.user) if agency else None,
        "today": clock.today(),
    }, status=status)  # fmt: skip


def _not_staff(request):
    if request.user.is_superuser or staff_of(request.user) is not None:
        raise Forbidden(
            "market.staff_cannot_apply", "中介机构工作台供机构的网上办事账号使用，工作人员账号不能申请入驻。"
        )


@requires()
@require_http_methods(["GET", "POST"])
def workbench(request):
    """我的中介机构: the application form when the account has no agency; else its workbench."""
    _not_staff(request)
    if request.method == "GET":
        return _workbench(request)
    if agency_of(request.user) is not None:
        return redirect("market_agencies:workbench")
    post = request.POST
    try:
        agencies.apply(
            by=request.user, name=post.get("name", ""), credit_code=post.get("credit_code", ""),
            legal_representative=post.get("legal_representative", ""), contact=post.get("contact", ""),
            phone=post.get("phone", ""), address=post.get("address", ""), introduction=post.get("introduction", ""),
            fee_commitment=post.get("fee_commitment", ""), qualifications=_qual_rows(post), staff=_staff_rows(post),
        )  # fmt: skip
    except DomainError as exc:
        return _workbench(request, form=post, error=exc.message, status=exc.status, section="apply")
    return redirect("market_agencies:workbench")


def _profile_values(post) -> dict:
    return {f: post.get(f, "") for f in (*agencies.PROFILE_FIELDS, "phone")}


MY_ACTIONS = {
    "profile": lambda a, by, p: agencies.update_profile(a, by=by, **_profile_values(p)),
    "qualifications": lambda a, by, p: agencies.set_qualifications(a, by=by, qualifications=_qual_rows(p)),
    "staff": lambda a, by, p: agencies.set_staff(a, by=by, staff=_staff_rows(p)),
    "reapply": lambda a, by, p: agencies.reapply(a, by=by),
    "exit": lambda a, by, p: agencies.exit_voluntarily(a, by=by, reason=p.get("reason", "")),
}


@requires()
@require_POST
def my_action(request, action: str):
    _not_staff(request)
    agency = agency_of(request.user)
    if agency is None:
        raise NotFound("market.no_agency", "本账号尚未申请中介机构入驻。")
    return dispatch(
        request, MY_ACTIONS, action, agency,
        unknown=NotFound("market.unknown_action", "没有这项操作。"),
        done=reverse("market_agencies:workbench"),
        refused=lambda exc: _workbench(request, form=request.POST, error=exc.message, status=exc.status,
                                       section=action),
    )  # fmt: skip


# ---- hall management ------------------------------------------------------------------------------

MANAGE_ACTIONS = {
    "admit": lambda a, by, p: agencies.admit(a, by=by, note=p.get("note", "")),
    "refuse": lambda a, by, p: agencies.refuse(a, by=by, note=p.get("note", "")),
    "expel": lambda a, by, p: agencies.expel(a, by=by, reason=p.get("reason", "")),
}


def _admission(request, *, error: str = "", status: int = 200):
    g = request.GET
    state = g.get("status", "")
    state = state if state in Agency.Status.values else ""
    q = g.get("q", "").strip()[:50]
    rows = Agency.objects.select_related("region").order_by("name", "pk")
    if state:
        rows = rows.filter(status=state)
    if q:
        rows = rows.filter(Q(name__contains=q) | Q(credit_code=q.upper()))
    pending = agencies.with_qualifications(
        Agency.objects.filter(status=Agency.Status.APPLIED).order_by("applied_at", "pk")
    )
    pending = pending.prefetch_related("staff")
    return render(request, "market/admission.html", {
        "pending": pending, "page": Paginator(rows, 50).get_page(g.get("page")), "state": state, "q": q,
        "statuses": Agency.Status.choices, "error": error, "today": clock.today(),
        "pending_actions": ("admit", "refuse"),  # a pending application's; the steps check again
    }, status=status)  # fmt: skip


@requires(*MANAGEMENT_ROLES)
@require_GET
def admission(request):
    """中介机构入驻审核: pending applications (admit / refuse), every agency (expel)."""
    return _admission(request)


@requires(*MANAGEMENT_ROLES)
@require_POST
def manage_action(request, ref: str, action: str):
    agency = Agency.objects.filter(ref=ref).first()
    if agency is None:
        raise NotFound("market.agency_not_found", "未找到该中介机构。")
    back = request.POST.get("back", "")
    done = (
        reverse("market_agencies:detail", args=[ref])
        if back == "detail"
        else reverse("market_agencies:admission")
    )
    return dispatch(
        request, MANAGE_ACTIONS, action, agency,
        unknown=NotFound("market.unknown_action", "没有这项操作。"),
        done=done,
        refused=lambda exc: (_detail(request, agency, error=exc.message, status=exc.status) if back == "detail"
                             else _admission(request, error=exc.message, status=exc.status)),
    )  # fmt: skip
