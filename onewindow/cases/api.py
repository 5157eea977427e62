"""Cases API — the shape other systems (the provincial platform, the rating system) integrate
with: POST /api/v1/cases, GET /api/v1/cases[/{number}], one POST per transition."""

import datetime as dt
from typing import Annotated

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils.timezone import localtime
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import BaseModel, PlainSerializer

from onewindow import clock
from onewindow.accounts.masking import identifier
from onewindow.accounts.models import Applicant, Hall, Role
from onewindow.accounts.permissions import public, requires
from onewindow.accounts.queries import staff_of
from onewindow.cases import clock_rules, pages, queries, services
from onewindow.cases.models import (
    AT_RISK,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseRisk,
    CaseStep,
    Channel,
    Light,
    Status,
    Suspension,
    VetoFiling,
)
from onewindow.cases.transitions import new_row
from onewindow.cases.veto_filings import BASIS_MAX
from onewindow.catalog.models import ServiceItem
from onewindow.catalog.services import current_version_id
from onewindow.errors import DomainError, Forbidden, NotFound
from onewindow.inputs import column
from onewindow.paging import Paged
from onewindow.replicas import read_only_page
from onewindow.workdays import calendar

TAG = ["cases"]
router = Router(tags=TAG)
progress_router = Router(tags=TAG)


# The case as answered: plain pydantic models, validated by pydantic-core alone (a ninja Schema
# wraps every value in a getter for its resolvers: ~10% of an intake request's CPU, bench/intake.py).
# Datetimes as the API's renderer writes them (Django's JSON encoder, in the hall's +08:00 — API.md)
# when `answer` serializes.
ApiDatetime = Annotated[
    dt.datetime, PlainSerializer(lambda v: DjangoJSONEncoder().default(localtime(v)), when_used="json")
]


class CaseMaterialOut(BaseModel):
    no: int
    name: str
    state: str
    state_display: str
    note: str
    mark: str = Field("", description="材料审核：passed（合格）、needs_correction（需补正）或空（未审核）")
    mark_note: str = ""


class CaseStepOut(BaseModel):
    order: int
    name: str
    kind: str
    done_at: ApiDatetime | None
    opinion: str


class EventOut(Schema):
    seq: int
    at: dt.datetime
    action: str
    action_display: str
    from_status: str
    to_status: str
    reason: str
    actor: str | None


class CaseOut(BaseModel):
    number: str
    item: str
    item_name: str
    item_version: int
    department: str
    applicant: str
    applicant_name: str
    applicant_id_number: str
    channel: str
    status: str
    status_display: str
    outcome: str
    received_at: ApiDatetime
    accepted_on: dt.date | None
    promised_days: int
    extra_days: int
    due_on: dt.date | None
    due_on_provisional: bool = Field(
        False, description="办结期限落在国务院放假安排尚未公布的年份（暂定，公布后可能调整）"
    )
    light: str | None
    on_time: bool | None
    closed_on: dt.date | None
    tolerance_due_on: dt.date | None
    materials: list[CaseMaterialOut]
    steps: list[CaseStepOut]


class CaseDetailOut(CaseOut):
    receiving_hall: str = Field("", description="收件单位（受理中心）编码：申请人递交申请的政务服务中心")
    deciding_hall: str | None = Field(
        None, description="办理单位所在中心编码（同城通办：办理部门进驻的中心；部门未进驻任何中心时为空）"
    )
    allowed_actions: list[str] = Field(
        default_factory=list,
        description="当前用户此刻可办理的环节（与办件页提供的操作一致，服务按同一规则校验）：receive、mark_material、accept、"
        "request_supplement、accept_tolerantly、approve_by_commitment、supplement、supply_tolerated、review、decide、"
        "return_for_correction、suspend、resume、extend、commitment_check、refuse、withdraw",
    )


class CaseRow(Schema):
    number: str
    item_name: str
    status: str
    status_display: str
    due_on: dt.date | None
    due_on_provisional: bool = Field(
        False, description="办结期限落在国务院放假安排尚未公布的年份（暂定，公布后可能调整）"
    )
    light: str | None
    at_risk: bool | None = Field(
        None, description="预警：绿灯但风险预判逾期概率达到设定值（仅工作人员可见；申请人为空）"
    )

    @staticmethod
    def resolve_at_risk(obj):
        return getattr(obj, "at_risk", None) if obj.status in OPEN_STATUSES else None

    @staticmethod
    def resolve_item_name(obj):
        return obj.item_version.name

    @staticmethod
    def resolve_due_on_provisional(obj):
        return calendar.is_provisional(obj.due_on)

    @staticmethod
    def resolve_status_display(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_light(obj):
        return obj.light if obj.status in OPEN_STATUSES else None


# Labels by value: a model's get_FOO_display() re-flattens its choices on every call.
STATUS_LABELS = dict(Status.choices)
MATERIAL_STATE_LABELS = dict(CaseMaterial.State.choices)


def _light(case: Case) -> str | None:
    if (
        case.status not in (Status.IN_REVIEW, Status.SUSPENDED, Status.CORRECTION_REQUESTED)
        or case.due_seq is None
    ):
        return None
    if case.frozen_light:
        return case.frozen_light
    return clock_rules.light(case.due_seq, case.promised_days, calendar.seq(clock.today()), case.hall_id)


def _detail(case: Case) -> dict:
    """The case as the API answers it. Materials and steps a service just wrote are used as
    they are (no re-read); the history has its own endpoint (GET …/events)."""
    version, catalog_materials, _ = services.published(case.item_version_id)
    order = {m.pk: m.order for m in catalog_materials}
    materials = getattr(case, "loaded_materials", None)
    if materials is None:
        materials = list(case.materials.all())
    steps = getattr(case, "loaded_steps", None)
    if steps is None:
        steps = list(case.steps.all())
    applicant = case.applicant
    return {
        "number": case.number, "item": version.item.code, "item_name": version.name, "item_version": version.number,
        "department": version.item.department.code, "applicant": applicant.ref, "applicant_name": applicant.name,
        "applicant_id_number": identifier(applicant),
        "channel": case.channel, "status": case.status, "status_display": STATUS_LABELS[case.status],
        "outcome": case.outcome, "received_at": case.received_at, "accepted_on": case.accepted_on,
        "promised_days": case.promised_days, "extra_days": case.extra_days, "due_on": case.due_on,
        "due_on_provisional": calendar.is_provisional(case.due_on), "light": _light(case), "on_time": case.on_time, "closed_on": case.closed_on,
        "tolerance_due_on": case.tolerance_due_on,
        "materials": sorted(({"no": order.get(m.material_id, 0), "name": m.name, "state": m.state,
                              "state_display": MATERIAL_STATE_LABELS[m.state], "note": m.note, "mark": m.mark,
                              "mark_note": m.mark_note} for m in materials),
                            key=lambda m: m["no"]),
        "steps": [{"order": s.order, "name": s.name, "kind": s.kind, "done_at": s.done_at, "opinion": s.opinion}
                  for s in sorted(steps, key=lambda s: s.order)],
    }  # fmt: skip


def answer(case: Case, status: int = 200) -> HttpResponse:
    """The case as JSON (CaseOut, as the routes declare), validated and written by pydantic-core in
    one pass: ninja's own path dumps to Python objects and encodes them again (2% of an intake's CPU)."""
    body = CaseOut.model_validate(_detail(case)).model_dump_json()
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def _events(case: Case) -> list[dict]:
    return [
        {"seq": e.seq, "at": e.at, "action": e.action, "action_display": services.ACTION_NAMES.get(e.action, e.action),
         "from_status": e.from_status, "to_status": e.to_status, "reason": e.reason,
         "actor": str(e.actor) if e.actor else None}
        for e in case.events.select_related("actor").order_by("seq")
    ]  # fmt: skip


def _case(request, number: str) -> Case:
    return queries.case_for(request.user, number)


def _material_ids(version_id: int, numbers: list[int]) -> list[int]:
    """Materials are named by their number in the item's list (API.md: no database ids)."""
    _, materials, _ = services.published(version_id)
    by_no = {m.order: m.pk for m in materials}
    unknown = [n for n in numbers if n not in by_no]
    if unknown:
        raise DomainError("case.unknown_material", f"材料序号不存在：{unknown}。")
    return [by_no[n] for n in numbers]


# Plain pydantic too (like the answers above): ninja's Schema validator wraps the body's values.
class SubmitIn(BaseModel):
    item: column(ServiceItem, "code") = Field(..., description="事项编码")
    applicant: column(Applicant, "ref") | None = Field(None, description="申请人编号；网上申请时省略即本人")
    hall: column(Hall, "code") | None = Field(None, description="受理中心编码；窗口人员省略即本人所在中心")
    channel: column(Case, "channel") = Field("window", description="window / portal / agent / api")
    form_data: dict = Field(default_factory=dict)
    handed_in: list[int] = Field(
        default_factory=list,
        description="窗口人员勾选的申请人已交材料序号；省略即未交任何材料。网上申请只计上传的文件，本接口不收文件",
    )


@router.post("", response={201: CaseOut}, operation_id="cases_submit")
@requires()
def submit(request, payload: SubmitIn):
    version = services.published(current_version_id(payload.item))[0]
    staff = staff_of(request.user)
    applicant = services.find_applicant(ref=payload.applicant, user_id=request.user.pk)
    if applicant is None:
        raise NotFound("case.applicant_not_found", "未找到申请人，请先登记申请人信息。")
    channel = payload.channel if staff is not None or request.user.is_superuser else Channel.PORTAL
    hall = services.submission_hall(
        request.user, version.item.department_id, channel=channel, code=payload.hall
    )
    if hall is None:
        raise NotFound("case.hall_not_found", "未找到受理中心。")
    handed = _material_ids(version.pk, payload.handed_in)
    case = services.submit(version=version, applicant=applicant, hall=hall, channel=channel, by=request.user,
                           form_data=payload.form_data, handed_in=handed)  # fmt: skip
    return answer(case, 201)


class ListFilters(Schema):
    department: str | None = None
    status: str | None = None
    light: str | None = None
    due_before: dt.date | None = None
    applicant: str | None = None
    project_code: str | None = Field(None, description="投资项目代码：该项目的全部办件")


@router.get("", response=list[CaseRow], operation_id="cases_list")
@paginate(Paged)
@requires()
def list_cases(request, filters: ListFilters = Query(...)):
    qs = queries.with_light(queries.visible_cases(request.user).select_related("item_version"))
    staff = request.user.is_superuser or staff_of(request.user) is not None
    if staff:  # 预警 is the staff's (the applicant's own pages never show a forecast)
        qs = queries.with_risk(qs)
    if filters.light and filters.light not in (*Light.values, *([AT_RISK] if staff else [])):
        choices = "、".join([*Light.values, *([AT_RISK] if staff else [])])
        raise DomainError("case.light_filter", f"灯色应为 {choices} 之一。")
    if filters.department:
        qs = qs.filter(department__code=filters.department)
    if filters.status:
        if filters.status not in Status.values:
            raise DomainError("case.status_filter", f"状态应为 {', '.join(Status.values)} 之一。")
        qs = qs.filter(status=filters.status)
    if filters.light:
        qs = queries.filter_light(qs, filters.light) if staff else qs.filter(light=filters.light)
        qs = qs.filter(status__in=OPEN_STATUSES)
    if filters.due_before:
        qs = qs.filter(due_on__lt=filters.due_before)
    if filters.applicant:
        qs = qs.filter(applicant__ref=filters.applicant)
    if filters.project_code:
        qs = qs.filter(project_code=filters.project_code.strip().upper())
    return qs.order_by("due_seq", "-received_at")  # the paginator reads one page


class HallFigures(Schema):
    hall: str = Field(..., description="政务服务中心编码")
    hall_name: str
    received: int = Field(..., description="本中心收件数（含同城通办代外中心收件）")
    received_for_others: int = Field(..., description="其中由其他中心进驻部门办理的（异地收件）")
    decided: int = Field(..., description="本中心进驻部门作出决定的办件数（无论在哪个中心收件）")
    decided_received_elsewhere: int = Field(..., description="其中在其他中心收件的（属地办理）")


class FiguresPeriod(Schema):
    since: dt.date
    until: dt.date


@router.get("/figures/halls", response=list[HallFigures], operation_id="cases_hall_figures")
@requires(Role.SUPERVISOR, Role.HALL_ADMIN)
def hall_figures(request, period: FiguresPeriod = Query(...)):
    """同城通办 figures by hall for the days since..until (at most 366): a case received at one hall
    and decided by a department of another counts at both. Hall staff get their own hall's row."""
    if period.until < period.since or (period.until - period.since).days > 366:
        raise DomainError("case.figures_period", "统计期间应为起止日期，且不超过366天。")
    rows = queries.hall_figures(period.since, period.until)
    staff = staff_of(request.user)
    if not request.user.is_superuser:
        rows = [r for r in rows if staff is not None and r["hall"].pk == staff.hall_id]
    return [{**r, "hall": r["hall"].code, "hall_name": r["hall"].name} for r in rows]


@router.get("/{number}", response=CaseDetailOut, operation_id="cases_get")
@requires()
def get_case(request, number: str):
    case = _case(request, number)
    deciding = services.deciding_hall(case.department_id)
    return _detail(case) | {
        "allowed_actions": services.allowed_actions(case, request.user),
        "receiving_hall": case.hall.code, "deciding_hall": deciding.code if deciding else None,
    }  # fmt: skip


class RiskReason(Schema):
    key: str = Field(
        ...,
        description="原因类别：behind、remaining、elapsed、per_reviewer、paused、holiday、department、step、item",
    )
    text: str


class CaseRiskOut(Schema):
    probability: float = Field(..., description="逾期办结的概率（0–1），风险预判模型每日评估")
    at_risk: bool = Field(..., description="是否显示为预警（绿灯且概率达到设定值；黄灯、红灯不显示预警）")
    reasons: list[RiskReason]
    model_version: int
    scored_on: dt.date


@router.get("/{number}/risk", response=CaseRiskOut, operation_id="cases_risk")
@requires()
def case_risk(request, number: str):
    """风险预判: the forecast for an open case — its probability of closing late and main reasons.
    Staff only; the applicant never sees a forecast."""
    if not (request.user.is_superuser or staff_of(request.user) is not None):
        raise Forbidden("case.risk_staff_only", "风险预判仅供工作人员查看。")
    case = _case(request, number)
    risk = CaseRisk.objects.filter(case_id=case.pk).first() if case.is_open else None
    if risk is None:
        raise NotFound("case.no_risk", "该办件尚无风险预判（已办结或尚未受理，或模型尚未评估）。")
    return {"probability": risk.probability, "at_risk": pages.risk_of(case) is not None, "reasons": risk.reasons,
            "model_version": risk.model_version, "scored_on": risk.scored_on}  # fmt: skip


@router.get("/{number}/events", response=list[EventOut], operation_id="cases_events")
@requires()
def case_events(request, number: str):
    """The audit trail of the case: who, when, from, to, why (网上留痕)."""
    return _events(_case(request, number))


# ---- transitions: one POST per glossary verb ------------------------------------------------


class MaterialNote(Schema):
    no: int
    note: column(CaseMaterial, "note", code="case.notice_note_too_long")
    defective: bool = False


class NoticeIn(Schema):
    materials: list[MaterialNote]


class MaterialsIn(Schema):
    materials: list[int]


class MarkIn(Schema):
    no: int = Field(..., description="材料序号")
    mark: column(CaseMaterial, "mark") = Field(
        ..., description="passed（合格）或 needs_correction（需补正，须写明意见）"
    )
    note: column(CaseMaterial, "mark_note") = ""


class RefuseIn(Schema):
    reason: column(CaseEvent, "reason")
    where_to_turn: column(CaseEvent, "reason")
    legal_basis: column(VetoFiling, "legal_basis", limit=BASIS_MAX) = Field(
        "", description="法律依据：建设项目办件必填（否决报备）"
    )


class TolerantIn(Schema):
    supply_by: dt.date


class CommitmentIn(Schema):
    commitment: column(CaseEvent, "reason")


class OpinionIn(Schema):
    opinion: column(CaseStep, "opinion")


class DecideIn(Schema):
    approve: bool
    reason: column(CaseEvent, "reason") = ""
    legal_basis: column(VetoFiling, "legal_basis", limit=BASIS_MAX) = Field(
        "", description="法律依据：建设项目办件不予准予时必填（否决报备）"
    )


class SuspendIn(Schema):
    kind: column(Suspension, "kind")
    reason: column(Suspension, "reason")
    expected_days: int | None = Field(None, ge=1, le=365)


class ExtendIn(Schema):
    days: int
    reason: column(CaseEvent, "reason")


class WithdrawIn(Schema):
    reason: column(CaseEvent, "reason") = ""


class EmptyIn(BaseModel):  # plain pydantic: the body of accept, on intake's hot path
    pass


def _notes(case: Case, materials: list[MaterialNote]) -> list[dict]:
    ids = _material_ids(case.item_version_id, [m.no for m in materials])
    return [
        {"material": i, "note": m.note, "defective": m.defective} for i, m in zip(ids, materials, strict=True)
    ]


def _transition(name: str, run, schema=EmptyIn, doc: str = "", needs_case: bool = False, hot: bool = False):
    """POST /cases/{number}/<name>. The service locks the case by its number and checks who may
    see it (404) and act (403); only actions naming materials read the case first. `hot`: intake's
    hot path (accept), whose stand-in is built by fastsql.new when fastsql is on (decision 13)."""

    @router.post(f"/{{number}}/{name}", response=CaseOut, operation_id=f"cases_{name.replace('-', '_')}",
                 summary=doc)  # fmt: skip
    @requires()
    def view(request, number: str, payload: schema):
        # The service locks the case by its number: a stand-in.
        case = _case(request, number) if needs_case else new_row(Case, hot, number=number)
        return answer(run(case, request.user, payload))

    view.__name__ = f"case_{name.replace('-', '_')}"
    return view


_transition(
    "receive",
    lambda c, u, p: services.receive(c, by=u, materials=_material_ids(c.item_version_id, p.materials)),
    MaterialsIn,
    "收取材料（答复前在窗口收取申请人补交的材料）",
    needs_case=True,
)
_transition("mark-material", lambda c, u, p: services.mark_material(c, by=u, material=_material_ids(c.item_version_id, [p.no])[0],
                                                                    mark=p.mark, note=p.note),
            MarkIn, "材料审核（合格 / 需补正）", needs_case=True)  # fmt: skip
_transition("accept", lambda c, u, p: services.accept(c, by=u), doc="受理", hot=True)
_transition("request-supplement", lambda c, u, p: services.request_supplement(c, by=u, items=_notes(c, p.materials)),
            NoticeIn, "一次性告知补正", needs_case=True)  # fmt: skip
_transition(
    "supplement",
    lambda c, u, p: services.supplement(c, by=u, materials=_material_ids(c.item_version_id, p.materials)),
    MaterialsIn,
    "补齐补正材料",
    needs_case=True,
)
_transition("refuse", lambda c, u, p: services.refuse(c, by=u, reason=p.reason, where_to_turn=p.where_to_turn,
                                                      legal_basis=p.legal_basis), RefuseIn, "不予受理")  # fmt: skip
_transition("accept-tolerantly", lambda c, u, p: services.accept_tolerantly(c, by=u, supply_by=p.supply_by),
            TolerantIn, "容缺受理")  # fmt: skip
_transition(
    "supply-tolerated",
    lambda c, u, p: services.supply_tolerated(
        c, by=u, materials=_material_ids(c.item_version_id, p.materials)
    ),
    MaterialsIn,
    "补齐容缺材料",
    needs_case=True,
)
_transition("approve-by-commitment", lambda c, u, p: services.approve_by_commitment(c, by=u, commitment=p.commitment),
            CommitmentIn, "告知承诺审批")  # fmt: skip
_transition("review", lambda c, u, p: services.review(c, by=u, opinion=p.opinion), OpinionIn, "审查")
_transition(
    "return-for-correction",
    lambda c, u, p: services.return_for_correction(c, by=u, items=_notes(c, p.materials)),
    NoticeIn,
    "退回补正",
    needs_case=True,
)
_transition(
    "decide",
    lambda c, u, p: services.decide(c, by=u, approve=p.approve, reason=p.reason, legal_basis=p.legal_basis),
    DecideIn,
    "决定",
)
_transition("suspend", lambda c, u, p: services.suspend(c, by=u, kind=p.kind, reason=p.reason,
                                                        expected_days=p.expected_days), SuspendIn, "特别程序开始")  # fmt: skip
_transition("resume", lambda c, u, p: services.resume(c, by=u), doc="特别程序结束")
_transition(
    "extend", lambda c, u, p: services.extend(c, by=u, days=p.days, reason=p.reason), ExtendIn, "延期"
)
_transition("withdraw", lambda c, u, p: services.withdraw(c, by=u, reason=p.reason), WithdrawIn, "撤回")


class ProgressOut(Schema):
    number: str
    item_name: str
    department_name: str
    status: str
    status_display: str
    outcome: str
    received_on: dt.date
    accepted_on: dt.date | None
    due_on: dt.date | None
    due_on_provisional: bool = Field(
        False, description="办结期限落在国务院放假安排尚未公布的年份（暂定，公布后可能调整）"
    )
    closed_on: dt.date | None
    overdue: bool = Field(
        False, description="在办且已超过办结期限（红灯）：可拨打 12345 或向政务服务中心投诉督办"
    )
    steps: list[CaseStepOut]


def progress_of(case: Case) -> dict:
    return {
        "number": case.number, "item_name": case.item_version.name, "department_name": case.department.name,
        "status": case.status, "status_display": STATUS_LABELS[case.status], "outcome": case.outcome,
        "received_on": case.received_on, "accepted_on": case.accepted_on, "due_on": case.due_on,
        "due_on_provisional": calendar.is_provisional(case.due_on), "closed_on": case.closed_on,
        "overdue": pages.overdue(case),
        "steps": [{"order": s.order, "name": s.name, "kind": s.kind, "done_at": s.done_at, "opinion": ""}
                  for s in case.steps.all()],
    }  # fmt: skip


@progress_router.get("", response=ProgressOut, auth=None, operation_id="cases_progress")
@public
@read_only_page
def progress(request, number: str = Query(..., max_length=30), phone_last4: str = Query(..., max_length=4)):
    """办件进度: the case number and the last four digits of the applicant's phone, both needed."""
    queries.count_progress_lookup(request)
    return progress_of(queries.public_progress(number, phone_last4))
