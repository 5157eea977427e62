"""The market's purchases under /api/v1/market/purchases (API.md): the board (public list and
detail — the registrants only once the selection has closed, the seed only once drawn), posting,
the steps POST /market/purchases/{number}/<action> (register, withdraw, choose, cancel, repost)
answering the purchase, and GET …/draw: the published draw and its replay."""

import datetime as dt

from django.db.models import Case, IntegerField, Value, When
from ninja import Field, Router, Schema
from ninja import Status as HttpStatus
from ninja.pagination import paginate

from onewindow import inputs
from onewindow.accounts.permissions import public, requires
from onewindow.errors import DomainError
from onewindow.inputs import column
from onewindow.market import selection, services
from onewindow.market.models import Agency, Purchase, PurchaseEvent, Registration, ServiceType
from onewindow.paging import Answered, Paged

router = Router(tags=["market"])
S = Purchase.Status


class RegistrantOut(Schema):
    agency: str = Field(description="统一社会信用代码")
    agency_name: str
    grade: str
    offer_fen: int
    offer_days: int
    currency: str = "CNY"
    registered_at: dt.datetime
    candidate: bool = Field(description="截止时符合条件（参与选取）")


class PurchaseOut(Schema):
    number: str
    title: str
    owner: str
    owner_type: str
    owner_type_display: str
    government_invested: bool
    project_code: str
    service_type: str
    service_type_name: str
    scope: str
    budget_fen: int
    currency: str = "CNY"
    offer_cap_fen: int = Field(description="报价上限：收费上限（减免后）与预算取低者")
    offer_cap_days: int
    time_limit_days: int
    method: str
    method_display: str
    registration_deadline: dt.datetime
    status: str
    status_display: str
    posted_at: dt.datetime
    reposted_from: str | None
    reposted_as: list[str]
    seed_commitment: str
    seed: str | None = Field(description="抽取后公开；此前为 null")
    drawn_at: dt.datetime | None
    short_list: list[str]
    selected: str | None = Field(description="选定机构的统一社会信用代码")
    selected_at: dt.datetime | None
    closed_reason: str
    registration_count: int
    registrants: list[RegistrantOut] | None = Field(description="选取结束后公布；报名中为 null（只公布家数）")
    allowed_actions: list[str]


def out(p: Purchase, user, reliefs: dict | None = None) -> dict:
    """One purchase as the API answers it; `reliefs`: services.reliefs() read once for a list."""
    fee_cap = min(services.fee_cap(p.service_type, p.owner_type, reliefs), p.budget_fen)
    registrants = None
    if selection.registrants_public(p):
        closing = selection.closing_event(p)
        eligible = set(closing.payload.get("eligible", [])) if closing else set()
        registrants = [
            {"agency": r.agency.credit_code, "agency_name": r.agency.name, "grade": r.agency.grade,
             "offer_fen": r.offer_fen, "offer_days": r.offer_days, "registered_at": r.registered_at,
             "candidate": r.agency.credit_code in eligible}
            for r in p.registrations.filter(withdrawn_at__isnull=True).select_related("agency").order_by("offer_fen", "registered_at")
        ]  # fmt: skip
    return {
        "number": p.number, "title": p.title, "owner": p.owner.name, "owner_type": p.owner_type,
        "owner_type_display": p.get_owner_type_display(), "government_invested": p.government_invested,
        "project_code": p.project_code, "service_type": p.service_type.code, "service_type_name": p.service_type.name,
        "scope": p.scope, "budget_fen": p.budget_fen, "offer_cap_fen": fee_cap,
        "offer_cap_days": min(p.service_type.time_cap_days, p.time_limit_days), "time_limit_days": p.time_limit_days,
        "method": p.method, "method_display": p.get_method_display(), "registration_deadline": p.registration_deadline,
        "status": p.status, "status_display": p.get_status_display(), "posted_at": p.posted_at,
        "reposted_from": p.reposted_from.number if p.reposted_from_id else None,
        "reposted_as": [r.number for r in p.reposts.all()],
        # The seed is secret until the draw (commit-reveal): only the commitment before.
        "seed_commitment": p.seed_commitment, "seed": p.seed if p.drawn_at is not None else None,
        "drawn_at": p.drawn_at, "short_list": p.short_list,
        "selected": p.selected.agency.credit_code if p.selected_id else None, "selected_at": p.selected_at,
        "closed_reason": p.closed_reason,
        "registration_count": p.registrations.filter(withdrawn_at__isnull=True).count(),
        "registrants": registrants, "allowed_actions": selection.allowed_actions(p, user),
    }  # fmt: skip


_purchase = selection.purchase_by_number


def _done(request, p: Purchase) -> dict:
    return out(_purchase(p.number), request.user)


@router.get("/market/purchases", response=list[PurchaseOut], auth=None, operation_id="market_list_purchases")
@paginate(Paged)
@public
def list_purchases(request, service_type: str = "", status: str = ""):
    """项目公告: posted purchases first (nearest deadline first), then the others, newest first."""
    if status and status not in S.values:
        raise DomainError("market.status", "状态参数不正确。", details={"field": "status"})
    rows = (
        Purchase.objects.select_related("service_type", "owner", "selected__agency", "reposted_from")
        .prefetch_related("reposts")
        .annotate(
            open=Case(When(status=S.POSTED, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
    )
    if service_type:
        rows = rows.filter(service_type__code=service_type)
    if status:
        rows = rows.filter(status=status)
    rows = rows.order_by(
        "open", Case(When(status=S.POSTED, then="registration_deadline")), "-posted_at", "-pk"
    )
    reliefs = services.reliefs()  # once for the page, not once per purchase
    return Answered(rows, lambda p: out(p, request.user, reliefs))


@router.get("/market/purchases/{number}", response=PurchaseOut, auth=None, operation_id="market_get_purchase")
@public
def get_purchase(request, number: str):
    return out(_purchase(number), request.user)


class PurchaseDrawOut(Schema):
    number: str
    purpose: str = Field(description="random 随机抽取 / tie 最低价并列 / short_list 综合优选短名单")
    drawn_at: dt.datetime
    seed: str
    commitment: str = Field(description="发布时公布的种子承诺 SHA-256(seed)")
    commitment_matches: bool
    candidates: list[str] = Field(description="候选机构的统一社会信用代码，已排序")
    k: int
    result: list[str] = Field(description="记录的抽取结果（第一个为抽中者）")
    replayed: list[str] = Field(description="服务器按公开数据复算的结果")
    matches: bool
    event_seq: int
    event_hash: str


@router.get(
    "/market/purchases/{number}/draw", response=PurchaseDrawOut, auth=None, operation_id="market_get_draw"
)
@public
def get_draw(request, number: str):
    """The published draw (seed, candidates, result) and its replay; 404 before a draw has run."""
    r = selection.replay(_purchase(number))
    return {**r, "result": r["recorded"]}


class PostIn(Schema):
    title: column(Purchase, "title", code="market.too_long")
    service_type: column(ServiceType, "code") = Field(description="服务类型编码，如 CH")
    owner_type: column(Purchase, "owner_type") = Field(description="government / small_micro / other")
    scope: column(Purchase, "scope", code="market.too_long")
    budget_fen: int = Field(description="预算上限（分）")
    time_limit_days: int
    method: column(Purchase, "method") = Field(description="direct / random / lowest_price / best_value")
    registration_deadline: dt.datetime
    government_invested: bool = False
    project_code: column(Purchase, "project_code", code="market.too_long") = ""


@router.post("/market/purchases", response={201: PurchaseOut}, operation_id="market_post_purchase")
@requires()
def post_purchase(request, payload: PostIn):
    """发布: an owner (a legal person's account) posts a need (market.services.post)."""
    p = services.post(
        by=request.user, owner_type=payload.owner_type, title=payload.title,
        service_type=ServiceType.objects.filter(code=payload.service_type, is_active=True).first(),
        scope=payload.scope, budget_fen=payload.budget_fen, time_limit_days=payload.time_limit_days,
        method=payload.method, registration_deadline=inputs.moment(payload.registration_deadline, "registration_deadline", "报名截止时间", prefix="market"),
        government_invested=payload.government_invested, project_code=payload.project_code,
    )  # fmt: skip
    return HttpStatus(201, _done(request, p))


class PurchaseRegisterIn(Schema):
    offer_fen: int = Field(ge=1, description="报价（分）")
    offer_days: int = Field(ge=1, description="承诺时限（工作日）")
    note: column(Registration, "note", code="market.too_long") = ""


@router.post("/market/purchases/{number}/register", response=PurchaseOut, operation_id="market_register")
@requires()
def register(request, number: str, payload: PurchaseRegisterIn):
    p = _purchase(number)
    services.register(p, by=request.user, offer_fen=payload.offer_fen, offer_days=payload.offer_days,
                      note=payload.note)  # fmt: skip
    return _done(request, p)


@router.post("/market/purchases/{number}/withdraw", response=PurchaseOut, operation_id="market_withdraw")
@requires()
def withdraw(request, number: str):
    p = _purchase(number)
    found = selection.live_registration(p, services.agency_of(request.user))
    if found is None:
        raise DomainError("market.not_registered", "本机构没有该项目的有效报名。")
    services.withdraw(found, by=request.user)
    return _done(request, p)


class ChooseIn(Schema):
    agency: column(Agency, "credit_code") = Field(description="选定机构的统一社会信用代码")
    reason: column(PurchaseEvent, "reason", code="market.too_long") = ""


@router.post("/market/purchases/{number}/choose", response=PurchaseOut, operation_id="market_choose")
@requires()
def choose(request, number: str, payload: ChooseIn):
    p = _purchase(number)
    found = Registration.objects.filter(purchase=p, agency__credit_code=payload.agency.strip()).first()
    selection.choose(p, found, by=request.user, reason=payload.reason)
    return _done(request, p)


class PurchaseReasonIn(Schema):
    reason: column(PurchaseEvent, "reason", code="market.too_long")


@router.post("/market/purchases/{number}/cancel", response=PurchaseOut, operation_id="market_cancel")
@requires()
def cancel(request, number: str, payload: PurchaseReasonIn):
    p = _purchase(number)
    selection.cancel(p, by=request.user, reason=payload.reason)
    return _done(request, p)


class RepostIn(Schema):
    registration_deadline: dt.datetime


@router.post("/market/purchases/{number}/repost", response={201: PurchaseOut}, operation_id="market_repost")
@requires()
def repost(request, number: str, payload: RepostIn):
    """重新发布 a failed purchase: answers the new purchase (201)."""
    new = selection.repost(
        _purchase(number),
        by=request.user,
        registration_deadline=inputs.moment(
            payload.registration_deadline, "registration_deadline", "报名截止时间", prefix="market"
        ),
    )
    return HttpStatus(201, _done(request, new))
