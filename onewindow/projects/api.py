"""Projects API (API.md): register a project (its code is the answer's identifier), list,
get by code, and one POST per stage action — apply, accept, opinion, confirm-opinion, close.
Every answer to an action is the updated project. A mistyped code answers 400 with the reason
before anything is looked up; a project the caller may not see answers 404."""

import datetime as dt

from django.db.models import Prefetch
from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus
from ninja.pagination import paginate

from onewindow.accounts.models import Applicant, Department, Region
from onewindow.accounts.permissions import public, requires
from onewindow.cases.models import Case
from onewindow.catalog.models import Material
from onewindow.errors import DomainError, NotFound
from onewindow.inputs import column
from onewindow.paging import Paged
from onewindow.projects import queries, services
from onewindow.projects.models import Opinion, Project, Stage
from onewindow.projects.services import TEXT_MAX
from onewindow.workdays import calendar

router = Router(tags=["projects"])


class OpinionOut(Schema):
    department: str
    department_name: str
    state: str
    state_display: str
    kind: str
    kind_display: str
    reasons: str
    conditions: str
    simulated: bool
    confirmed_at: dt.datetime | None
    due_on: dt.date | None
    due_on_provisional: bool = Field(False, description="期限落在国务院放假安排尚未公布的年份（暂定）")
    given_at: dt.datetime | None


class StageOut(Schema):
    order: int
    name: str
    status: str
    status_display: str
    lead_department: str
    lead_department_name: str
    limit_days: int
    accepted_on: dt.date | None
    due_on: dt.date | None
    due_on_provisional: bool = Field(False, description="期限落在国务院放假安排尚未公布的年份（暂定）")
    closed_on: dt.date | None
    used_days: int | None
    opinions: list[OpinionOut]


class ProjectOut(Schema):
    code: str
    name: str
    owner_name: str
    region: str
    region_name: str
    hall: str
    investment_fen: int
    currency: str = "CNY"
    industry: str
    industry_display: str
    approval_type: str
    approval_type_display: str
    government_invested: bool
    key_project: bool
    merged_path: bool
    status: str
    status_display: str
    promised_days: int
    used_days: int
    agent: str | None
    registered_at: dt.datetime
    stages: list[StageOut]
    cases: list[str]


def _opinion(o: Opinion) -> dict:
    return {
        "department": o.department.code, "department_name": o.department.name, "state": o.state,
        "state_display": o.get_state_display(), "kind": o.kind, "kind_display": o.get_kind_display() if o.kind else "",
        "reasons": o.reasons, "conditions": o.conditions, "simulated": o.simulated, "confirmed_at": o.confirmed_at,
        "due_on": o.due_on, "due_on_provisional": calendar.is_provisional(o.due_on), "given_at": o.given_at,
    }  # fmt: skip


def _detail(code: str) -> dict:
    """The project as the API answers it: three queries (project, stages, opinions) and the codes
    of its cases."""
    project = (
        Project.objects.select_related("owner", "region", "hall", "agent")
        .prefetch_related(Prefetch("stages__opinions", queryset=Opinion.objects.select_related("department")),
                          "stages__lead_department")
        .get(code=code)
    )  # fmt: skip
    now_seq = queries.today_seq()
    stages = sorted(project.stages.all(), key=lambda s: s.order)
    used = [queries.stage_days(s, now_seq) for s in stages]
    return {
        "code": project.code, "name": project.name, "owner_name": project.owner.name, "region": project.region_id,
        "region_name": project.region.name, "hall": project.hall.code, "investment_fen": project.investment_fen,
        "industry": project.industry, "industry_display": project.get_industry_display(),
        "approval_type": project.approval_type, "approval_type_display": project.get_approval_type_display(),
        "government_invested": project.government_invested, "key_project": project.key_project,
        "merged_path": project.merged_path, "status": project.status, "status_display": project.get_status_display(),
        "promised_days": project.promised_days, "used_days": sum(u or 0 for u in used),
        "agent": str(project.agent) if project.agent else None, "registered_at": project.registered_at,
        "stages": [
            {"order": s.order, "name": s.name, "status": s.status, "status_display": s.get_status_display(),
             "lead_department": s.lead_department.code, "lead_department_name": s.lead_department.name,
             "limit_days": s.limit_days, "accepted_on": s.accepted_on, "due_on": s.due_on,
             "due_on_provisional": calendar.is_provisional(s.due_on), "closed_on": s.closed_on,
             "used_days": u, "opinions": [_opinion(o) for o in sorted(s.opinions.all(), key=lambda o: o.department.code)]}
            for s, u in zip(stages, used, strict=True)
        ],
        "cases": list(Case.objects.filter(project_code=project.code).order_by("received_at").values_list("number", flat=True)),
    }  # fmt: skip


def _project(request, code: str) -> Project:
    return queries.project_for(request.user, code)


# ---- register and read ------------------------------------------------------------------------


class RegisterIn(Schema):
    name: column(Project, "name") = Field(..., description="项目名称")
    region: column(Region, "code") = Field(..., description="建设地点（12位行政区划代码）")
    investment_fen: int = Field(..., gt=0, description="总投资（分）")
    industry: column(Project, "industry") = Field(..., description="国民经济行业（GB/T 4754-2017 大类，2位）")
    approval_type: column(Project, "approval_type") = Field(
        ..., description="approval（审批）/ ratification（核准）/ filing（备案）"
    )
    government_invested: bool = False
    key_project: bool = False
    merged_path: bool = Field(False, description="带方案出让用地：立项用地规划许可与工程建设许可合并")
    owner: column(Applicant, "ref") | None = Field(None, description="项目单位的申请人编号；省略即本单位")


@router.post("/projects", response={201: ProjectOut}, operation_id="projects_register")
@requires()
def register(request, payload: RegisterIn):
    """赋码: registers the project and allocates its lifelong 24-character code."""
    owner = Applicant.objects.filter(ref=payload.owner).first() if payload.owner else (
        Applicant.objects.filter(user=request.user).first())  # fmt: skip
    if owner is None:
        raise NotFound("project.owner_not_found", "未找到项目单位，请以单位账号登录或提供申请人编号。")
    project = services.register_project(
        owner=owner, by=request.user, name=payload.name, region_code=payload.region,
        investment_fen=payload.investment_fen, industry=payload.industry, approval_type=payload.approval_type,
        government_invested=payload.government_invested, key_project=payload.key_project,
        merged_path=payload.merged_path,
    )  # fmt: skip
    return HttpStatus(201, _detail(project.code))


class ProjectRow(Schema):
    code: str
    name: str
    status: str
    key_project: bool
    registered_at: dt.datetime


class ProjectListFilters(Schema):
    key_project: bool | None = None
    status: str | None = None
    q: str | None = Field(None, description="项目名称包含")


@router.get("/projects", response=list[ProjectRow], operation_id="projects_list")
@paginate(Paged)
@requires()
def list_projects(request, filters: ProjectListFilters = Query(...)):
    qs = queries.visible_projects(request.user)
    if filters.key_project is not None:
        qs = qs.filter(key_project=filters.key_project)
    if filters.status:
        if filters.status not in Project.Status.values:
            raise DomainError("project.status_filter", f"状态应为 {', '.join(Project.Status.values)} 之一。")
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.strip()[:100])
    return qs.order_by("-registered_at").values("code", "name", "status", "key_project", "registered_at")


class BoardRow(Schema):
    code: str
    name: str
    region_name: str = Field(..., alias="region__name")
    stage_order: int | None
    stage_name: str | None
    used_days: int
    promised_days: int


@router.get("/projects/board", response=list[BoardRow], auth=None, operation_id="projects_board")
@public
def key_project_board(request):
    """重点项目看板 (public): code, name, place, current stage, working days used vs promised."""
    return queries.board()


@router.get("/projects/{code}", response=ProjectOut, operation_id="projects_get")
@requires()
def get_project(request, code: str):
    return _detail(_project(request, code).code)


# ---- stage actions --------------------------------------------------------------------------


class ProjectApplyIn(Schema):
    form_data: dict = Field(..., description="申报表：至少含 scale（建设规模及内容）")


class AcceptIn(Schema):
    form_data: dict | None = Field(None, description="窗口受理时填写的申报表；已网上申报可省略")
    tolerated: list[column(Material, "name")] = Field(default_factory=list, description="容缺的材料名称")
    supply_by: dt.date | None = Field(None, description="容缺材料承诺补齐日期")


class ProjectOpinionIn(Schema):
    kind: column(Opinion, "kind") = Field(..., description="agree / agree_with_conditions / disagree")
    reasons: column(Opinion, "reasons", limit=TEXT_MAX, code="project.text_too_long") = Field(
        "", description="不同意的理由（必填）"
    )
    conditions: column(Opinion, "conditions", limit=TEXT_MAX, code="project.text_too_long") = Field(
        "", description="有条件同意的条件（必填）"
    )
    simulated: bool = Field(False, description="模拟审批：阶段受理前提出，受理后确认")
    department: column(Department, "code") | None = Field(None, description="部门编码；省略即本人所在部门")


class ConfirmIn(Schema):
    department: column(Department, "code") | None = None


class CloseIn(Schema):
    conclusion: column(Stage, "conclusion", limit=TEXT_MAX, code="project.text_too_long") = ""


def _department_id(code: str | None) -> int | None:
    if not code:
        return None
    found = Department.objects.filter(code=code).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound("project.department_not_found", f"未找到部门“{code}”。")
    return found


@router.post(
    "/projects/{code}/stages/{order}/apply", response=ProjectOut, operation_id="projects_apply_stage"
)
@requires()
def apply_stage(request, code: str, order: int, payload: ProjectApplyIn):
    project = _project(request, code)
    services.apply_stage(project, order, by=request.user, form_data=payload.form_data)
    return _detail(project.code)


@router.post(
    "/projects/{code}/stages/{order}/accept", response=ProjectOut, operation_id="projects_accept_stage"
)
@requires()
def accept_stage(request, code: str, order: int, payload: AcceptIn):
    project = _project(request, code)
    services.accept_stage(project, order, by=request.user, form_data=payload.form_data, tolerated=payload.tolerated,
                          supply_by=payload.supply_by)  # fmt: skip
    return _detail(project.code)


@router.post(
    "/projects/{code}/stages/{order}/opinion", response=ProjectOut, operation_id="projects_give_opinion"
)
@requires()
def give_opinion(request, code: str, order: int, payload: ProjectOpinionIn):
    project = _project(request, code)
    services.give_opinion(project, order, by=request.user, kind=payload.kind, reasons=payload.reasons,
                          conditions=payload.conditions, simulated=payload.simulated,
                          department_id=_department_id(payload.department))  # fmt: skip
    return _detail(project.code)


@router.post("/projects/{code}/stages/{order}/confirm-opinion", response=ProjectOut,
             operation_id="projects_confirm_opinion")  # fmt: skip
@requires()
def confirm_opinion(request, code: str, order: int, payload: ConfirmIn):
    project = _project(request, code)
    services.confirm_opinion(
        project, order, by=request.user, department_id=_department_id(payload.department)
    )
    return _detail(project.code)


@router.post(
    "/projects/{code}/stages/{order}/close", response=ProjectOut, operation_id="projects_close_stage"
)
@requires()
def close_stage(request, code: str, order: int, payload: CloseIn):
    project = _project(request, code)
    services.close_stage(project, order, by=request.user, conclusion=payload.conclusion)
    return _detail(project.code)
