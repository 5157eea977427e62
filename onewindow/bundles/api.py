"""一件事 API (issue 6): the merged form of a bundle, apply, accept (and the other intake answers),
get one application, list applications. Materials are named by their number in the bundle's
merged list, applications by their number (API.md: no database ids)."""

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus
from ninja.pagination import paginate

from onewindow.accounts.masking import identifier
from onewindow.accounts.models import Applicant, Hall
from onewindow.accounts.permissions import public, requires
from onewindow.accounts.queries import staff_of
from onewindow.bundles import queries, services
from onewindow.bundles.merging import MergedMaterial
from onewindow.bundles.models import BundleApplication, Status
from onewindow.cases.models import CaseEvent, CaseMaterial, Channel
from onewindow.cases.services import find_applicant, submission_hall
from onewindow.catalog.queries import bundle as bundle_by_code
from onewindow.errors import DomainError, NotFound
from onewindow.inputs import column
from onewindow.paging import Paged
from onewindow.workdays import calendar

router = Router(tags=["bundles"])


class FieldOut(Schema):
    key: str
    label: str
    kind: str
    required: bool
    choices: list[str]
    help_text: str
    items: list[str]


class MergedMaterialOut(Schema):
    no: int
    name: str
    required: bool
    shared: bool
    key: bool
    tolerable: bool
    copies: int
    condition: str
    items: list[str]


class FormOut(Schema):
    bundle: str
    name: str
    promised_limit_days: int
    fields: list[FieldOut]
    materials: list[MergedMaterialOut]


class ChildOut(Schema):
    number: str
    item: str
    item_name: str
    department: str
    department_name: str
    status: str
    status_display: str
    outcome: str
    accepted_on: dt.date | None
    due_on: dt.date | None
    due_on_provisional: bool = Field(False, description="期限落在国务院放假安排尚未公布的年份（暂定）")
    light: str | None
    closed_on: dt.date | None
    working_days: int | None


class AnswerOut(Schema):
    key: str
    label: str
    value: str


class ApplicationMaterialOut(Schema):
    name: str
    state: str
    state_display: str
    note: str


class ApplicationOut(Schema):
    number: str
    bundle: str
    bundle_name: str
    applicant: str
    applicant_name: str
    applicant_id_number: str
    channel: str
    status: str
    status_display: str
    children_total: int
    children_done: int
    received_at: dt.datetime
    accepted_on: dt.date | None
    promised_days: int
    due_on: dt.date | None
    due_on_provisional: bool = Field(False, description="期限落在国务院放假安排尚未公布的年份（暂定）")
    light: str | None
    closed_on: dt.date | None
    working_days: int | None = Field(None, description="最长的子办件所用工作日（并联办理）")
    children_working_days_sum: int | None = Field(None, description="各子办件工作日之和（对照）")
    form: list[AnswerOut]
    materials: list[ApplicationMaterialOut]
    children: list[ChildOut]


class ApplicationRow(Schema):
    number: str
    bundle: str
    bundle_name: str
    status: str
    status_display: str
    children_total: int
    children_done: int
    received_at: dt.datetime
    due_on: dt.date | None
    due_on_provisional: bool = Field(False, description="期限落在国务院放假安排尚未公布的年份（暂定）")
    closed_on: dt.date | None

    @staticmethod
    def resolve_bundle(obj):
        return obj.bundle.code

    @staticmethod
    def resolve_due_on_provisional(obj):
        return calendar.is_provisional(obj.due_on)

    @staticmethod
    def resolve_bundle_name(obj):
        return obj.bundle.name

    @staticmethod
    def resolve_status_display(obj):
        return Status(obj.status).label


def _material(m: MergedMaterial) -> dict:
    return {"no": m.no, "name": m.name, "required": m.required, "shared": m.shared, "key": m.key,
            "tolerable": m.tolerable, "copies": m.copies, "condition": m.condition, "items": list(m.ids)}  # fmt: skip


def _detail(request, number: str) -> dict:
    services.settle([number])  # the children's own closes recorded first: the reader sees the true state
    application = queries.application_for(request.user, number)
    sheet = queries.sheet(request.user, application)
    applicant = application.applicant
    return {
        "number": application.number, "bundle": application.bundle.code, "bundle_name": application.bundle.name,
        "applicant": applicant.ref, "applicant_name": applicant.name,
        "applicant_id_number": identifier(applicant), "channel": application.channel,
        "status": application.status, "status_display": sheet["status_display"],
        "children_total": application.children_total, "children_done": application.children_done,
        "received_at": application.received_at, "accepted_on": application.accepted_on,
        "promised_days": application.promised_days, "due_on": application.due_on,
        "due_on_provisional": calendar.is_provisional(application.due_on), "light": sheet["light"],
        "closed_on": application.closed_on, "working_days": sheet["days"].longest,
        "children_working_days_sum": sheet["days"].total, "form": sheet["answers"], "materials": sheet["materials"],
        "children": [
            {"number": c.number, "item": c.item.code, "item_name": c.item_version.name,
             "department": c.department.code, "department_name": c.department.name, "status": c.status,
             "status_display": c.get_status_display(), "outcome": c.outcome, "accepted_on": c.accepted_on,
             "due_on": c.due_on, "due_on_provisional": calendar.is_provisional(c.due_on), "light": c.light, "closed_on": c.closed_on, "working_days": c.working_days}
            for c in sheet["children"]
        ],
    }  # fmt: skip


@router.get("/bundles/{code}/form", response=FormOut, auth=None, operation_id="bundles_get_form")
@public
def get_form(request, code: str):
    """一表申请、一套材料: the bundle's merged form and deduplicated material list."""
    bundle = bundle_by_code(code)
    parts = services.parts(bundle)
    return {
        "bundle": bundle.code, "name": bundle.name, "promised_limit_days": bundle.promised_limit_days,
        "fields": [{**f.__dict__, "choices": list(f.choices)} for f in services.merged_form(bundle, parts)],
        "materials": [_material(m) for m in services.merged_materials(bundle, parts)],
    }  # fmt: skip


class ApplyIn(Schema):
    applicant: column(Applicant, "ref") | None = Field(None, description="申请人编号；网上申请时省略即本人")
    hall: column(Hall, "code") | None = Field(None, description="受理中心编码；窗口人员省略即本人所在中心")
    channel: column(BundleApplication, "channel") = Field(
        "window", description="window / portal / agent / api"
    )
    form_data: dict = Field(default_factory=dict, description="合并申请表：{数据项标识: 值}")
    materials: list[int] = Field(
        default_factory=list,
        description="窗口人员勾选的已交材料在合并清单中的序号；省略即未交任何材料（网上申请只计上传的文件）",
    )


def _material_names(bundle, numbers: list[int]) -> list[str]:
    by_no = {m.no: m.name for m in services.merged_materials(bundle)}
    unknown = [n for n in numbers if n not in by_no]
    if unknown:
        raise DomainError("bundle.unknown_material", f"材料序号不存在：{unknown}。")
    return [by_no[n] for n in numbers]


@router.post("/bundles/{code}/applications", response={201: ApplicationOut}, operation_id="bundles_apply")
@requires()
def apply(request, code: str, payload: ApplyIn):
    """一件事申请: one merged form, one material list; one child case per item."""
    bundle = bundle_by_code(code)
    staff = staff_of(request.user)
    applicant = find_applicant(ref=payload.applicant, user_id=request.user.pk)
    if applicant is None:
        raise NotFound("bundle.applicant_not_found", "未找到申请人，请先登记申请人信息。")
    channel = payload.channel if staff is not None or request.user.is_superuser else Channel.PORTAL
    hall = submission_hall(request.user, bundle.lead_department_id, channel=channel, code=payload.hall)
    if hall is None:
        raise NotFound("bundle.hall_not_found", "未找到受理中心。")
    application = services.apply(
        bundle=bundle, applicant=applicant, form_data=payload.form_data, by=request.user, channel=channel,
        hall=hall, materials=_material_names(bundle, payload.materials),
    )  # fmt: skip
    return HttpStatus(201, _detail(request, application.number))


class Filters(Schema):
    status: str | None = None
    applicant: str | None = None
    bundle: str | None = None


@router.get("/bundle-applications", response=list[ApplicationRow], operation_id="bundles_list_applications")
@paginate(Paged)
@requires()
def list_applications(request, filters: Filters = Query(...)):
    qs = queries.with_status(queries.visible_applications(request.user)).select_related("bundle")
    if filters.status:
        if filters.status not in Status.values:
            raise DomainError("bundle.status_filter", f"状态应为 {', '.join(Status.values)} 之一。")
        qs = qs.filter(status=filters.status)
    if filters.applicant:
        qs = qs.filter(applicant__ref=filters.applicant)
    if filters.bundle:
        qs = qs.filter(bundle__code=filters.bundle)
    return qs.order_by("-received_at", "-pk")


@router.get("/bundle-applications/{number}", response=ApplicationOut, operation_id="bundles_get_application")
@requires()
def get_application(request, number: str):
    return _detail(request, number)


class BundleRefuseIn(Schema):
    reason: column(CaseEvent, "reason")
    where_to_turn: column(CaseEvent, "reason")


class NoticeLine(Schema):
    no: int
    note: column(CaseMaterial, "note", code="case.notice_note_too_long")
    defective: bool = False


class BundleNoticeIn(Schema):
    materials: list[NoticeLine]


class BundleMaterialsIn(Schema):
    materials: list[int]


def _application(number: str) -> BundleApplication:
    found = BundleApplication.objects.filter(number=number).select_related("bundle").first()
    if found is None:
        raise NotFound("bundle.not_found", "未找到该一件事申请。")
    return found


@router.post("/bundle-applications/{number}/accept", response=ApplicationOut, operation_id="bundles_accept")
@requires()
def accept(request, number: str):
    """受理, once for every item (all or nothing), at a comprehensive window."""
    services.accept(_application(number), by=request.user)
    return _detail(request, number)


@router.post("/bundle-applications/{number}/refuse", response=ApplicationOut, operation_id="bundles_refuse")
@requires()
def refuse(request, number: str, payload: BundleRefuseIn):
    services.refuse(
        _application(number), by=request.user, reason=payload.reason, where_to_turn=payload.where_to_turn
    )
    return _detail(request, number)


@router.post("/bundle-applications/{number}/request-supplement", response=ApplicationOut,
             operation_id="bundles_request_supplement")  # fmt: skip
@requires()
def request_supplement(request, number: str, payload: BundleNoticeIn):
    application = _application(number)
    names = _material_names(application.bundle, [m.no for m in payload.materials])
    items = [
        {"material": n, "note": m.note, "defective": m.defective}
        for n, m in zip(names, payload.materials, strict=True)
    ]
    services.request_supplement(application, by=request.user, items=items)
    return _detail(request, number)


@router.post(
    "/bundle-applications/{number}/supplement", response=ApplicationOut, operation_id="bundles_supplement"
)
@requires()
def supplement(request, number: str, payload: BundleMaterialsIn):
    application = _application(number)
    services.supplement(
        application, by=request.user, materials=_material_names(application.bundle, payload.materials)
    )
    return _detail(request, number)
