"""The market's board and purchase pages: the public board (/market/), a purchase's page (its
need, caps and seed commitment; the registrants and the draw once closed; the forms
`selection.allowed_actions` offers — the same rule the steps check), the owner's workbench
(/my/market/purchases/, the post form) and an agency's registrations (/my/market/registrations/).
Thin views: parse, check access, call one step, render (STYLE.md)."""

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow import clock, inputs
from onewindow.accounts.permissions import public, requires
from onewindow.actions import dispatch
from onewindow.errors import DomainError, Forbidden, NotFound
from onewindow.market import selection, services
from onewindow.market.audit import PURCHASE_ACTIONS
from onewindow.market.models import Method, OwnerType, Purchase, Registration, ServiceType
from onewindow.workdays import calendar

S = Purchase.Status
PAGE_SIZE = 30
ACTION_LABELS = PURCHASE_ACTIONS
# After the selection: the contract's page (contract_views.py) takes over.
CONTRACT_STATUSES = (S.SELECTED, S.CONTRACTED, S.DELIVERED, S.COMPLETED)


def parse_deadline(value, field: str = "registration_deadline") -> dt.datetime:
    """A deadline typed as YYYY-MM-DDTHH:MM (a datetime-local field) in the hall's time zone."""
    return inputs.parse_datetime(value, field, "报名截止时间", prefix="market")


def contract_url(purchase: Purchase) -> str:
    return reverse("market_contracts:contract", args=[purchase.number])


_purchase = selection.purchase_by_number


def _cap(purchase: Purchase) -> tuple[int, int]:
    """The caps an offer must stay inside: (fen, working days)."""
    fee = min(services.fee_cap(purchase.service_type, purchase.owner_type), purchase.budget_fen)
    return fee, min(purchase.service_type.time_cap_days, purchase.time_limit_days)


# ---- the board -----------------------------------------------------------------------------------


@public
@require_GET
def board(request):
    """中介超市公告: posted purchases first (nearest deadline first), then the others, newest first."""
    g = request.GET
    types = ServiceType.objects.filter(is_active=True).order_by("code")
    chosen_type = g.get("service_type", "")
    status = g.get("status", "") if g.get("status", "") in S.values else ""
    rows = Purchase.objects.select_related("service_type").annotate(
        open=Case(When(status=S.POSTED, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    if chosen_type:
        rows = rows.filter(service_type__code=chosen_type)
    if status:
        rows = rows.filter(status=status)
    rows = rows.order_by(
        "open", Case(When(status=S.POSTED, then="registration_deadline")), "-posted_at", "-pk"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(g.get("page"))
    return render(request, "market/board.html", {
        "page": page, "types": types, "chosen_type": chosen_type, "status": status, "statuses": S.choices,
        "now": clock.now(),
    })  # fmt: skip


# ---- a purchase's page ---------------------------------------------------------------------------


def _page(request, number: str, *, error: str = "", form=None, status: int = 200):
    p = _purchase(number)
    user = request.user
    actions = selection.allowed_actions(p, user)
    agency = services.agency_of(user)
    mine = selection.live_registration(p, agency)
    refusal = None
    if agency is not None and p.status == S.POSTED and mine is None and "register" not in actions:
        found = services.eligibility_refusal(agency, p, clock.today())
        refusal = found.message if found else "报名已截止。"
    registrants, closing, draw, choosable, drawn_names = [], None, None, [], []
    if selection.registrants_public(p):
        closing = selection.closing_event(p)
        eligible = set(closing.payload.get("eligible", [])) if closing else set()
        registrants = [
            (r, r.agency.credit_code in eligible)
            for r in p.registrations.filter(withdrawn_at__isnull=True).select_related("agency")
            .order_by("offer_fen", "registered_at")
        ]  # fmt: skip
        if p.drawn_at is not None:
            draw = selection.replay(p)
            names = {r.agency.credit_code: r.agency.name for r, _ in registrants}
            drawn_names = [names.get(key, key) for key in draw["recorded"]]
        if "choose" in actions:
            choosable = [r for r, ok in registrants if ok and (p.method != Method.BEST_VALUE or r.agency.credit_code in p.short_list)]  # fmt: skip
    fee_cap, days_cap = _cap(p)
    return render(request, "market/purchase.html", {
        "p": p, "actions": actions, "mine": mine, "refusal": refusal, "error": error, "form": form or {},
        "count": p.registrations.filter(withdrawn_at__isnull=True).count(), "registrants": registrants,
        "public": selection.registrants_public(p), "closing": closing, "draw": draw, "choosable": choosable, "drawn_names": drawn_names,
        "purpose": selection.PURPOSES.get(draw["purpose"], "") if draw else "",
        "fee_cap": fee_cap, "fee_cap_yuan": services.yuan(fee_cap), "days_cap": days_cap,
        "budget_yuan": services.yuan(p.budget_fen), "is_owner": selection.is_owner(p, user),
        "events": [(e, ACTION_LABELS.get(e.action, e.action)) for e in p.events.order_by("seq")],
        "contract_url": contract_url(p) if p.status in CONTRACT_STATUSES else "",
        "reposts": list(p.reposts.all()), "now": clock.now(), "grace_minutes": int(services.CLOSE_GRACE.total_seconds() // 60),
        "default_deadline": _default_deadline(), "snippet": selection.REPLAY_SNIPPET,
    }, status=status)  # fmt: skip


def _default_deadline() -> str:
    """Five working days from today at 17:00, for the forms' deadline field."""
    try:
        day = calendar.add_workdays(clock.today(), 5)
    except DomainError:  # no calendar for these days: a week
        day = clock.today() + dt.timedelta(days=7)
    return f"{day.isoformat()}T17:00"


@public
@require_GET
def purchase_page(request, number: str):
    return _page(request, number)


def _registration(purchase, post):
    pk = post.get("registration", "")
    return Registration.objects.filter(purchase=purchase, pk=pk).select_related("agency").first() if pk.isdigit() else None  # fmt: skip


def _own_registration(purchase, by):
    found = selection.live_registration(purchase, services.agency_of(by))
    if found is None:
        raise DomainError("market.not_registered", "本机构没有该项目的有效报名。")
    return found


ACTIONS = {
    "register": lambda p, by, post: services.register(
        p, by=by, offer_fen=services.parse_yuan(post.get("offer", ""), "offer", "报价"),
        offer_days=services.parse_days(post.get("offer_days", ""), "offer_days", "承诺时限"), note=post.get("note", "")),
    "withdraw": lambda p, by, post: services.withdraw(_own_registration(p, by), by=by),
    "choose": lambda p, by, post: selection.choose(p, _registration(p, post), by=by, reason=post.get("reason", "")),
    "cancel": lambda p, by, post: selection.cancel(p, by=by, reason=post.get("reason", "")),
    "repost": lambda p, by, post: selection.repost(p, by=by, registration_deadline=parse_deadline(post.get("registration_deadline"))),
}  # fmt: skip


@requires()
@require_POST
def purchase_action(request, number: str, action: str):
    p = _purchase(number)

    def done(result):
        if isinstance(result, Purchase) and result.pk != p.pk:  # reposted: the new purchase
            return redirect("market:purchase", result.number)
        return redirect("market:purchase", number)

    return dispatch(
        request, ACTIONS, action, p,
        unknown=NotFound("market.unknown_action", "没有这项操作。"), done=done,
        refused=lambda exc: _page(request, number, error=exc.message, form=request.POST, status=exc.status),
    )  # fmt: skip


# ---- the owner's workbench -----------------------------------------------------------------------


def _owner(request):
    owner = services.owner_of(request.user)
    if owner is None:
        raise Forbidden("market.not_owner", "只有以法人身份登录的业主可以发布和管理中介服务需求。")
    return owner


@requires()
@require_GET
def owner_purchases(request):
    """我的采购: the owner's purchases, newest first, with their registrants' number."""
    owner = _owner(request)
    rows = (
        Purchase.objects.filter(owner=owner)
        .select_related("service_type", "selected__agency")
        .annotate(live=Count("registrations", filter=Q(registrations__withdrawn_at__isnull=True)))
        .order_by("-posted_at", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "market/owner_purchases.html", {"page": page, "owner": owner,
                                                           "contract_statuses": CONTRACT_STATUSES})  # fmt: skip


def _caps_table():
    types = list(ServiceType.objects.filter(is_active=True).order_by("code"))
    table = services.reliefs()  # one read for the whole table, not one per cell
    return [
        (t, [(label, services.yuan(services.fee_cap(t, value, table))) for value, label in OwnerType.choices])
        for t in types
    ]


@requires()
@require_http_methods(["GET", "POST"])
def owner_new(request):
    """发布中介服务需求: the form; the caps of every service type by owner type beside it."""
    owner = _owner(request)
    form, error, status = {}, "", 200
    if request.method == "POST":
        form = request.POST
        try:
            code = form.get("service_type", "")
            purchase = services.post(
                by=request.user, owner_type=form.get("owner_type", ""), title=form.get("title", ""),
                service_type=ServiceType.objects.filter(code=code, is_active=True).first() if code else None,
                scope=form.get("scope", ""), budget_fen=services.parse_yuan(form.get("budget", ""), "budget", "预算上限"),
                time_limit_days=services.parse_days(form.get("time_limit_days", ""), "time_limit_days", "服务时限"),
                method=form.get("method", ""), registration_deadline=parse_deadline(form.get("registration_deadline")),
                government_invested=form.get("government_invested") == "1", project_code=form.get("project_code", ""),
            )  # fmt: skip
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect("market:purchase", purchase.number)
    return render(request, "market/owner_new.html", {
        "owner": owner, "form": form, "error": error, "caps": _caps_table(), "owner_types": OwnerType.choices,
        "methods": Method.choices, "default_deadline": _default_deadline(),
        "types": ServiceType.objects.filter(is_active=True).order_by("code"),
    }, status=status)  # fmt: skip


# ---- an agency's registrations -------------------------------------------------------------------


@requires()
@require_GET
def my_registrations(request):
    """本机构的报名: each purchase registered for, the offer, and how it ended."""
    agency = services.agency_of(request.user)
    if agency is None:
        raise Forbidden("market.not_agency", "只有入驻的中介机构可以查看报名记录。")
    rows = (
        Registration.objects.filter(agency=agency)
        .select_related("purchase__service_type", "purchase__selected")
        .order_by("-registered_at", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "market/my_registrations.html", {"page": page, "agency": agency,
                                                            "contract_statuses": CONTRACT_STATUSES})  # fmt: skip
