"""Market API after the selection (API.md): the contract of a purchase (read, with the deadline,
its light and the actions the caller may take; the steps POST …/contract/<action>), the published
grades of a year (public, paged), the agency's appeal, and hall management's compute, publish,
misconduct and appeal decisions. Identified by public numbers: the purchase number, the year and
the agency's credit code (one grade and one appeal per agency and year)."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Router, Schema
from ninja import Status as HttpStatus
from ninja.pagination import paginate

from onewindow.accounts.permissions import public, requires
from onewindow.errors import Conflict, DomainError, NotFound
from onewindow.inputs import column
from onewindow.market import contracts, grades
from onewindow.market.models import Agency, Contract, Evaluation, GradeAppeal, Misconduct, Purchase, YearGrade
from onewindow.paging import Paged

router = Router(tags=["market"])


class EvaluationOut(Schema):
    direction: str
    direction_display: str
    quality: int
    timeliness: int
    conduct: int
    comment: str
    at: dt.datetime


class ContractOut(Schema):
    number: str = Field(description="采购项目编号")
    title: str
    status: str
    status_display: str
    agency: str = Field(description="选定机构的统一社会信用代码")
    agency_name: str
    fee_fen: int
    currency: str = "CNY"
    days: int = Field(description="服务时限（工作日，签约次日起算）")
    signed_on: dt.date | None
    due_on: dt.date | None
    days_left: int | None = Field(description="未交付时剩余工作日（负数：已超期）")
    light: str = Field(description="red / yellow / green；已交付或未签约为空")
    delivered_at: dt.datetime | None
    delivered_on_time: bool | None
    returned_count: int
    accepted_at: dt.datetime | None
    evaluations: list[EvaluationOut]
    allowed_actions: list[str]


def contract_out(purchase: Purchase, user) -> dict:
    c = contracts.contract_of(purchase)
    offer = purchase.selected
    undelivered = c is not None and c.delivered_at is None
    return {
        "number": purchase.number, "title": purchase.title, "status": purchase.status,
        "status_display": purchase.get_status_display(), "agency": offer.agency.credit_code,
        "agency_name": offer.agency.name, "fee_fen": c.fee_fen if c else offer.offer_fen,
        "days": c.days if c else offer.offer_days, "signed_on": c.signed_on if c else None,
        "due_on": c.due_on if c else None, "days_left": contracts.days_left(c) if undelivered else None,
        "light": contracts.light(c) if c else "", "delivered_at": c.delivered_at if c else None,
        "delivered_on_time": c.delivered_on_time if c else None, "returned_count": c.returned_count if c else 0,
        "accepted_at": c.accepted_at if c else None,
        "evaluations": [{"direction": e.direction, "direction_display": e.get_direction_display(), "quality": e.quality,
                         "timeliness": e.timeliness, "conduct": e.conduct, "comment": e.comment, "at": e.at}
                        for e in (c.evaluations.order_by("direction") if c else [])],
        "allowed_actions": contracts.allowed_actions(purchase, user),
    }  # fmt: skip


@router.get("/market/purchases/{number}/contract", response=ContractOut, operation_id="market_get_contract")
@requires()
def get_contract(request, number: str):
    """The contract of a selected purchase: the owner, the selected agency and hall management."""
    return contract_out(contracts.purchase_for(request.user, number), request.user)


class ContractNoteIn(Schema):
    note: column(Contract, "delivery_note", code="market.too_long")


class ContractReasonIn(Schema):
    reason: column(GradeAppeal, "reason", code="market.too_long")


class EvaluateIn(Schema):
    quality: int = Field(description="服务质量 1–5")
    timeliness: int = Field(description="服务时效 1–5")
    conduct: int = Field(description="诚信规范 1–5")
    comment: column(Evaluation, "comment", code="market.too_long") = ""


def _signed(purchase: Purchase) -> Contract:
    found = contracts.contract_of(purchase)
    if found is None:
        raise Conflict("market.no_contract", "本项目尚未签订合同。")
    return found


def _step(name: str, schema, run):
    """POST /market/purchases/{number}/contract/<name> → the contract as the caller sees it."""

    def done(request, number: str, payload) -> dict:
        run(contracts.purchase_for(request.user, number), request.user, payload)
        return contract_out(contracts.purchase_for(request.user, number), request.user)

    if schema is None:

        def view(request, number: str):
            return done(request, number, None)

    else:

        def view(request, number: str, payload: schema):
            return done(request, number, payload)

    view.__name__ = f"market_contract_{name}"
    router.post(f"/market/purchases/{{number}}/contract/{name}", response=ContractOut,
                operation_id=f"market_contract_{name}")(requires()(view))  # fmt: skip


_step("sign", None, lambda p, by, body: contracts.sign(p, by=by))
_step("deliver", ContractNoteIn, lambda p, by, body: contracts.deliver(_signed(p), by=by, note=body.note))
_step(
    "return",
    ContractReasonIn,
    lambda p, by, body: contracts.return_delivery(_signed(p), by=by, reason=body.reason),
)
_step("accept", None, lambda p, by, body: contracts.accept(_signed(p), by=by))
_step("evaluate", EvaluateIn, lambda p, by, body: contracts.evaluate(
    _signed(p), by=by, quality=body.quality, timeliness=body.timeliness, conduct=body.conduct, comment=body.comment))  # fmt: skip


# ---- grades ----------------------------------------------------------------------------------------------


class GradeOut(Schema):
    year: int
    agency: str = Field(description="统一社会信用代码")
    agency_name: str
    grade: str
    grade_display: str
    points: Decimal
    contracts: int
    evaluation_avg: Decimal | None = Field(description="业主评价均分（1–5）；无评价为空（按80%计）")
    on_time_rate: Decimal | None = Field(description="按时交付率（0–1）；无交付为空（按80%计）")
    complaints: int
    violations: int
    status: str
    adjusted: bool
    appeal_due_on: dt.date | None


def grade_out(g: YearGrade) -> dict:
    return {
        "year": g.year, "agency": g.agency.credit_code, "agency_name": g.agency.name, "grade": g.grade,
        "grade_display": g.get_grade_display(), "points": g.points, "contracts": g.contracts,
        "evaluation_avg": g.evaluation_avg, "on_time_rate": g.on_time_rate, "complaints": g.complaints,
        "violations": g.violations, "status": g.status, "adjusted": g.adjusted, "appeal_due_on": g.appeal_due_on,
    }  # fmt: skip


@router.get("/market/grades", response=list[GradeOut], auth=None, operation_id="market_list_grades")
@paginate(Paged)
@public
def list_grades(request, year: int, grade: str = ""):
    """The published grades of a year (年度信用等级公示), by grade then points."""
    rows = grades.published(year)
    return [grade_out(g) for g in (rows.filter(grade=grade) if grade else rows)]


@router.post("/market/grades/{year}/compute", response=list[GradeOut], operation_id="market_compute_grades")
@requires()
def compute_grades(request, year: int):
    """Hall management computes (or recomputes, until published) the year's grades."""
    return [grade_out(g) for g in grades.compute(year, by=request.user)]


class PublishedOut(Schema):
    year: int
    published: int


@router.post("/market/grades/{year}/publish", response=PublishedOut, operation_id="market_publish_grades")
@requires()
def publish_grades(request, year: int):
    return {"year": year, "published": grades.publish(year, by=request.user)}


class ContractAppealOut(Schema):
    year: int
    agency: str
    reason: str
    filed_at: dt.datetime
    status: str
    status_display: str
    decision: str
    new_grade: str
    grade: str = Field(description="处理后的年度等级")


def appeal_out(a: GradeAppeal) -> dict:
    g = YearGrade.objects.select_related("agency").get(pk=a.year_grade_id)
    return {"year": g.year, "agency": g.agency.credit_code, "reason": a.reason, "filed_at": a.filed_at,
            "status": a.status, "status_display": a.get_status_display(), "decision": a.decision,
            "new_grade": a.new_grade, "grade": g.grade}  # fmt: skip


def _grade_of(year: int, credit_code: str) -> YearGrade:
    found = (
        YearGrade.objects.filter(year=year, agency__credit_code=credit_code).select_related("agency").first()
    )
    if found is None:
        raise NotFound("market.grade_not_found", "未找到该机构的年度等级。")
    return found


@router.post(
    "/market/grades/{year}/appeal", response={201: ContractAppealOut}, operation_id="market_appeal_grade"
)
@requires()
def appeal_grade(request, year: int, payload: ContractReasonIn):
    """The agency (its own account) appeals its published grade of the year."""
    agency = getattr(request.user, "agency", None)
    if agency is None:
        raise NotFound("market.grade_not_found", "未找到本机构的年度等级。")
    return HttpStatus(201, appeal_out(grades.appeal(_grade_of(year, agency.credit_code), by=request.user,
                                                    reason=payload.reason)))  # fmt: skip


class ContractDecideIn(Schema):
    upheld: bool
    decision: column(GradeAppeal, "decision", code="market.too_long")
    new_grade: column(GradeAppeal, "new_grade") = Field("", description="申诉成立时的调整后等级 A/B/C/D")


@router.post("/market/grades/{year}/appeals/{credit_code}/decide", response=ContractAppealOut,
             operation_id="market_decide_appeal")  # fmt: skip
@requires()
def decide_appeal(request, year: int, credit_code: str, payload: ContractDecideIn):
    grades.require_management(request.user)
    found = GradeAppeal.objects.filter(year_grade=_grade_of(year, credit_code)).first()
    if found is None:
        raise NotFound("market.appeal_not_found", "该机构没有对该年度等级提出申诉。")
    decided = grades.decide_appeal(found, by=request.user, upheld=payload.upheld, decision=payload.decision,
                                   new_grade=payload.new_grade)  # fmt: skip
    return appeal_out(decided)


class MisconductIn(Schema):
    agency: column(Agency, "credit_code") = Field(description="统一社会信用代码")
    kind: column(Misconduct, "kind") = Field(description="complaint / violation")
    occurred_on: dt.date
    detail: column(Misconduct, "detail", code="market.too_long")
    purchase: column(Purchase, "number") = Field("", description="相关采购项目编号（可空）")


class MisconductOut(Schema):
    agency: str
    kind: str
    kind_display: str
    occurred_on: dt.date
    detail: str
    purchase: str
    recorded_at: dt.datetime


@router.post("/market/misconduct", response={201: MisconductOut}, operation_id="market_record_misconduct")
@requires()
def record_misconduct(request, payload: MisconductIn):
    grades.require_management(request.user)
    agency = Agency.objects.filter(credit_code=payload.agency).first()
    if agency is None:
        raise DomainError(
            "market.agency_unknown", "未找到该统一社会信用代码的中介机构。", details={"field": "agency"}
        )
    purchase = Purchase.objects.filter(number=payload.purchase).first() if payload.purchase else None
    if payload.purchase and purchase is None:
        raise DomainError("market.purchase_unknown", "采购项目编号不存在。", details={"field": "purchase"})
    m = grades.record_misconduct(agency, kind=payload.kind, occurred_on=payload.occurred_on, detail=payload.detail,
                                 purchase=purchase, by=request.user)  # fmt: skip
    return HttpStatus(201, {"agency": agency.credit_code, "kind": m.kind, "kind_display": m.get_kind_display(),
                            "occurred_on": m.occurred_on, "detail": m.detail,
                            "purchase": purchase.number if purchase else "", "recorded_at": m.recorded_at})  # fmt: skip
