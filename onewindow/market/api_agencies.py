"""Agencies API under /api/v1/market/agencies (API.md): the public directory (paged; filters named
like the fields: service_type, grade, q), one agency by its ref, the application (POST, 201), and
the steps POST /market/agencies/{ref}/admit|refuse|expel|exit answering the agency. The credit
code is public registration data (never masked); the phone is masked for the public (decision 18)
and shown to the agency's own account and to hall management."""

import datetime as dt

from ninja import Field, Router, Schema
from ninja import Status as HttpStatus
from ninja.pagination import paginate

from onewindow.accounts.masking import mask_phone
from onewindow.accounts.models import Region
from onewindow.accounts.permissions import public, requires
from onewindow.errors import DomainError, Forbidden, NotFound
from onewindow.inputs import column
from onewindow.market import agencies
from onewindow.market.models import (
    Agency,
    AgencyEvent,
    AgencyStaff,
    Grade,
    Qualification,
    ServiceType,
    YearGrade,
)
from onewindow.market.services import is_management
from onewindow.paging import Paged

router = Router(tags=["market"])


class QualificationOut(Schema):
    service_type: str
    service_type_name: str
    certificate_no: str
    level: str
    valid_from: dt.date
    valid_until: dt.date


class AgencyStaffOut(Schema):
    name: str
    title: str
    certificate_no: str


class YearGradeOut(Schema):
    year: int
    grade: str
    points: str
    adjusted: bool


class AgencyOut(Schema):
    ref: str
    name: str
    credit_code: str = Field(description="统一社会信用代码（公开信息，不脱敏）")
    legal_representative: str
    contact: str
    phone: str = Field(description="公众查看时脱敏；本机构账号和大厅管理办可见全号")
    address: str
    region: str
    introduction: str
    fee_commitment: str
    status: str
    status_display: str
    grade: str = Field(description="A / B / C / D；空：暂未评级")
    grade_display: str
    grade_year: int | None
    warning_list: bool = Field(description="C级：警示名单")
    blacklisted: bool = Field(description="D级：黑名单，不能报名")
    qualifications: list[QualificationOut]
    staff: list[AgencyStaffOut]
    grades: list[YearGradeOut] = Field(description="已公布的年度信用等级")
    allowed_actions: list[str]


def out(agency: Agency, user, *, full: bool = True) -> dict:
    insider = user.is_authenticated and (agency.user_id == user.pk or is_management(user))
    quals = [{"service_type": q.service_type.code, "service_type_name": q.service_type.name,
              "certificate_no": q.certificate_no, "level": q.level, "valid_from": q.valid_from,
              "valid_until": q.valid_until} for q in agency.qualifications.all()]  # fmt: skip
    return {
        "ref": agency.ref, "name": agency.name, "credit_code": agency.credit_code,
        "legal_representative": agency.legal_representative, "contact": agency.contact,
        "phone": agency.phone if insider else mask_phone(agency.phone), "address": agency.address,
        "region": agency.region_id, "introduction": agency.introduction, "fee_commitment": agency.fee_commitment,
        "status": agency.status, "status_display": agency.get_status_display(), "grade": agency.grade,
        "grade_display": agency.get_grade_display() if agency.grade else "暂未评级", "grade_year": agency.grade_year,
        "warning_list": agency.grade == Grade.C, "blacklisted": agency.grade == Grade.D,
        "qualifications": quals,
        "staff": [{"name": s.name, "title": s.title, "certificate_no": s.certificate_no}
                  for s in agency.staff.order_by("pk")] if full else [],
        "grades": [{"year": g.year, "grade": g.grade, "points": str(g.points), "adjusted": g.adjusted}
                   for g in agency.year_grades.filter(status=YearGrade.Status.PUBLISHED).order_by("-year")] if full else [],
        "allowed_actions": agencies.allowed_actions(agency, user) if user.is_authenticated else [],
    }  # fmt: skip


def _visible(request, ref: str) -> Agency:
    agency = agencies.with_qualifications(Agency.objects.filter(ref=ref)).first()
    if agency is None or not agencies.may_see(agency, request.user):
        raise NotFound("market.agency_not_found", "未找到该中介机构。")
    return agency


@router.get("/market/agencies", response=list[AgencyOut], auth=None, operation_id="market_list_agencies")
@paginate(Paged)
@public
def list_agencies(request, service_type: str = "", grade: str = "", q: str = "", status: str = ""):
    """中介机构名录: admitted agencies (D included, `blacklisted`), by service type code, grade (A/B/C/D,
    or `none`: not yet graded) and name or credit code. Another `status` (applied, refused,
    exited, expelled) is for hall management only."""
    if grade and grade not in (*Grade.values, "none"):
        raise DomainError("market.grade", "等级参数应为 A、B、C、D 或 none。", details={"field": "grade"})
    if status and status not in Agency.Status.values:
        raise DomainError("market.status", "状态参数不正确。", details={"field": "status"})
    if status not in ("", Agency.Status.ADMITTED) and not is_management(request.user):
        raise Forbidden("market.not_management", "只有大厅管理办可以查询未入驻的中介机构。")
    rows = agencies.listed(status=status or Agency.Status.ADMITTED, service_type=service_type.strip()[:20],
                           grade=grade, q=q.strip()[:50])  # fmt: skip
    return [out(a, request.user, full=False) for a in rows[:1000]]


@router.get("/market/agencies/{ref}", response=AgencyOut, auth=None, operation_id="market_get_agency")
@public
def get_agency(request, ref: str):
    """One agency: admitted ones for anyone; the others for their own account and hall management."""
    return out(_visible(request, ref), request.user)


class QualificationIn(Schema):
    service_type: column(ServiceType, "code") = Field(description="服务类型编码")
    certificate_no: column(Qualification, "certificate_no", code="market.too_long")
    level: column(Qualification, "level", code="market.too_long") = ""
    valid_from: dt.date
    valid_until: dt.date


class StaffIn(Schema):
    name: column(AgencyStaff, "name", code="market.too_long")
    title: column(AgencyStaff, "title", code="market.too_long") = ""
    certificate_no: column(AgencyStaff, "certificate_no", code="market.too_long") = ""


class AgencyIn(Schema):
    name: column(Agency, "name", code="market.too_long")
    credit_code: column(Agency, "credit_code") = Field(description="统一社会信用代码（GB 32100 校验）")
    legal_representative: column(Agency, "legal_representative", code="market.too_long")
    contact: column(Agency, "contact", code="market.too_long") = ""
    phone: column(Agency, "phone", code="market.too_long")
    address: column(Agency, "address", code="market.too_long") = ""
    introduction: column(Agency, "introduction", code="market.too_long") = ""
    fee_commitment: column(Agency, "fee_commitment", code="market.too_long") = ""
    region: column(Region, "code") = Field("", description="所在区划代码；不填为大厅所在区划")
    qualifications: list[QualificationIn]
    staff: list[StaffIn] = Field(default_factory=list)


@router.post("/market/agencies", response={201: AgencyOut}, operation_id="market_apply")
@requires()
def apply(request, payload: AgencyIn):
    """申请入驻 by the agency's own portal account (agencies.apply)."""
    region = None
    if payload.region:
        region = Region.objects.filter(code=payload.region).first()
        if region is None:
            raise DomainError("market.region", "所在区划代码不存在。", details={"field": "region"})
    agency = agencies.apply(
        by=request.user, name=payload.name, credit_code=payload.credit_code,
        legal_representative=payload.legal_representative, contact=payload.contact, phone=payload.phone,
        address=payload.address, introduction=payload.introduction, fee_commitment=payload.fee_commitment,
        qualifications=[q.dict() for q in payload.qualifications], staff=[s.dict() for s in payload.staff],
        region=region,
    )  # fmt: skip
    return HttpStatus(201, out(agency, request.user))


class AgencyNoteIn(Schema):
    note: column(Agency, "decision_note", code="market.too_long") = ""


class AgencyReasonIn(Schema):
    reason: column(AgencyEvent, "reason", code="market.too_long") = ""


def _step(name: str, schema, run):
    """One POST /market/agencies/{ref}/<name>: the agency as the caller may see it, then `run`."""

    def view(request, ref: str, payload: schema):
        agency = run(_visible(request, ref), request.user, payload)
        return out(agencies.with_qualifications(Agency.objects.filter(pk=agency.pk)).get(), request.user)

    view.__name__ = f"market_{name}"
    router.post(f"/market/agencies/{{ref}}/{name}", response=AgencyOut, operation_id=f"market_{name}_agency")(
        requires()(view)
    )


_step("admit", AgencyNoteIn, lambda a, by, p: agencies.admit(a, by=by, note=p.note))
_step("refuse", AgencyNoteIn, lambda a, by, p: agencies.refuse(a, by=by, note=p.note))
_step("expel", AgencyReasonIn, lambda a, by, p: agencies.expel(a, by=by, reason=p.reason))
_step("exit", AgencyReasonIn, lambda a, by, p: agencies.exit_voluntarily(a, by=by, reason=p.reason))
