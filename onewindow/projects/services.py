"""The use cases of an investment project, one public function per thing a person does
(STYLE.md): register it (allocating its code), apply for a stage, accept it, give or confirm an
opinion, close the stage; assign the agent and record the owner's authorisation. Each runs in
one transaction, locks the project row first (lock order: project → stage → opinion, so two
people acting on one project serialize and never deadlock), checks the rules, writes the
timeline event and queues the messages. A refused call raises DomainError and changes nothing.

Parallel approval (RULES.md; 国务院办公厅关于全面开展工程建设项目审批制度改革的实施意见,
国办发〔2019〕11号): 一家牵头、并联审批、限时办结."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery

from onewindow import clock
from onewindow.accounts import identity
from onewindow.accounts.models import DEPARTMENT_ROLES, Applicant, Hall, Region, Role, User
from onewindow.accounts.queries import may_administer_hall, staff_of
from onewindow.cases import services as cases
from onewindow.cases.models import Case, Channel
from onewindow.catalog.models import ItemVersion, Material, ServiceItem
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.projects import codes, industries, messages
from onewindow.projects.models import (
    ApprovalType,
    Authorisation,
    Opinion,
    Path,
    Project,
    ProjectEvent,
    Stage,
    StageTemplate,
)
from onewindow.workdays import calendar
from onewindow.workdays import queries as workdays

S = Stage.Status
TEXT_MAX = 2000
# The timeline's words for each action (pages and API show them).
ACTION_NAMES = {
    "register": "项目赋码", "assign_agent": "指派代办员", "authorise_agent": "登记代办委托",
    "revoke_authorisation": "撤销代办委托", "apply_stage": "阶段申报", "accept_stage": "阶段受理",
    "simulate_opinion": "提出模拟审批意见", "give_opinion": "提出并联审查意见", "confirm_opinion": "确认模拟审批意见",
    "close_stage": "阶段办结", "silent_consent": "超时默认同意", "schedule_meeting": "召集联合会商",
    "record_attendance": "记录会商出席和意见", "record_meeting_held": "记录会商举行情况",
    "absence_consent": "缺席默认同意", "recompute_limit": "日历调整重算期限",
}  # fmt: skip


def event(project: Project, action: str, *, by: User | None, stage: Stage | None = None, department_id=None,
          detail: str = "", payload: dict | None = None) -> ProjectEvent:  # fmt: skip
    return ProjectEvent.objects.create(project=project, stage=stage, department_id=department_id, at=clock.now(),
                                       actor=by, action=action, detail=detail, payload=payload or {})  # fmt: skip


def lock(project: Project | int) -> Project:
    """The project row, locked for the rest of the transaction, with its owner. FOR NO KEY UPDATE:
    rows that merely reference the project (the silent-consent job's records, events) take
    FOR KEY SHARE on it, which this lock lets through — with FOR UPDATE the job and a
    department giving its opinion at the same moment would deadlock."""
    pk = project.pk if isinstance(project, Project) else project
    found = (
        Project.objects.select_for_update(of=("self",), no_key=True)
        .select_related("owner")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("project.not_found", "未找到该项目。")
    return found


def stage_of(project: Project, stage: Stage | int) -> Stage:
    order = stage.order if isinstance(stage, Stage) else stage
    found = Stage.objects.select_related("lead_department").filter(project=project, order=order).first()
    if found is None:
        raise NotFound("project.stage_not_found", f"该项目没有第{order}阶段。")
    found.project = project
    return found


def clean_text(value: str | None, label: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError("project.text_required", f"请填写{label}。")
    if len(text) > TEXT_MAX:
        raise DomainError("project.text_too_long", f"{label}不超过{TEXT_MAX}字。")
    return text


def require_department_staff(by: User, department_id: int, *, what: str) -> None:
    """Department acts are done by that department's reviewer or head (a superuser passes)."""
    if by.is_superuser:
        return
    staff = staff_of(by)
    if staff is None or staff.role not in DEPARTMENT_ROLES or staff.department_id != department_id:
        raise Forbidden("project.department_role", f"只有该部门的审查人员或负责人可以{what}。")


# ---- registration: the lifelong code ---------------------------------------------------------


def _hall_for(region: Region, path: str) -> Hall:
    """The hall nearest the project's location that has configured stages for its path."""
    chain, node = [], region
    while node is not None and len(chain) < 6:
        chain.append(node.code)
        node = node.parent
    halls = {
        h.region_id: h
        for h in Hall.objects.filter(region_id__in=chain, stage_templates__path=path).distinct()
    }
    hall = next((halls[code] for code in chain if code in halls), None)
    if hall is None:
        raise Conflict(
            "project.no_stage_templates", "建设地点所在地区尚未配置工程建设项目审批阶段，请联系政务服务中心。"
        )
    return hall


def _check_owner(owner: Applicant, by: User) -> None:
    if not (by.is_superuser or (owner.user_id is not None and owner.user_id == by.pk)):
        raise Forbidden("project.not_owner", "只能以本单位的名义登记项目。")
    if owner.kind != Applicant.Kind.LEGAL:
        raise DomainError(
            "project.owner_not_legal_person", "项目单位须为法人，请以单位账号（统一社会信用代码）登记项目。"
        )
    error = identity.credit_code_error(owner.credit_code)  # GB 32100, as at the applicant's registration
    if error:
        raise error


@transaction.atomic
def register_project(*, owner: Applicant, by: User, name: str, region_code: str, investment_fen: int,
                     industry: str, approval_type: str, government_invested: bool = False,
                     key_project: bool = False, merged_path: bool = False) -> Project:  # fmt: skip
    """赋码: the project gets its code and its stages (copied from the hall's templates, with
    one opinion row per co-reviewing department) — or, on any error, nothing at all."""
    _check_owner(owner, by)
    name = clean_text(name, "项目名称", required=True)
    if len(name) > 100:
        raise DomainError("project.name_too_long", "项目名称不超过100字。")
    region = (
        Region.objects.filter(code=(region_code or "").strip())
        .select_related("parent__parent__parent")
        .first()
    )
    if region is None:
        raise DomainError("project.region", "请选择建设地点（行政区划）。")
    if not isinstance(investment_fen, int) or investment_fen <= 0:
        raise DomainError("project.investment", "请填写大于零的总投资。")
    if industry not in industries.DIVISIONS:
        raise DomainError("project.industry", "请选择国民经济行业（GB/T 4754-2017 大类）。")
    if approval_type not in ApprovalType.values:
        raise DomainError("project.approval_type", "管理类型应为审批、核准或备案。")
    # 政府投资条例 art. 9: government investment is approved (审批); 企业投资项目核准和备案管理条例
    # art. 3: enterprise projects are ratified (核准) or filed (备案).
    if government_invested != (approval_type == ApprovalType.APPROVAL):
        raise DomainError(
            "project.approval_type_mismatch",
            "政府投资项目实行审批制，企业投资项目实行核准或备案制，请核对管理类型。",
        )
    path = Path.MERGED if merged_path else Path.STANDARD
    hall = _hall_for(region, path)
    templates = list(StageTemplate.objects.filter(hall=hall, path=path).prefetch_related("reviewers", "items")
                     .order_by("order"))  # fmt: skip
    now = clock.now()
    year = now.astimezone(clock.hall_tz()).year
    region6 = region.code[:6]
    code = codes.compose(year=year, region6=region6, industry=industry, approval_type=approval_type,
                         serial=codes.next_serial(region6, year))  # fmt: skip
    project = Project.objects.create(
        code=code, name=name, owner=owner, region=region, hall=hall, investment_fen=investment_fen, industry=industry,
        approval_type=approval_type, government_invested=government_invested, key_project=key_project,
        merged_path=merged_path, promised_days=sum(t.limit_days for t in templates), registered_at=now,
        registered_by=by,
    )  # fmt: skip
    stages = Stage.objects.bulk_create([
        Stage(project=project, order=i, name=t.name, lead_department_id=t.lead_department_id,
              item_codes=sorted(item.code for item in t.items.all()), limit_days=t.limit_days,
              status=S.OPEN if i == 1 else S.WAITING)
        for i, t in enumerate(templates, start=1)
    ])  # fmt: skip
    Opinion.objects.bulk_create([
        Opinion(stage=stage, project=project, department_id=r.department_id, limit_days=r.limit_days)
        for stage, t in zip(stages, templates, strict=True) for r in t.reviewers.all()
    ])  # fmt: skip
    event(project, "register", by=by, detail=f"项目代码 {code}；{len(stages)}个审批阶段，承诺{project.promised_days}个工作日",
          payload={"code": code, "path": path})  # fmt: skip
    return project


# ---- agents (代办员) -----------------------------------------------------------------------


@transaction.atomic
def assign_agent(project: Project, *, by: User, agent: User) -> Project:
    """Hall management assigns the project's agent; the previous agent's authorisations end."""
    project = lock(project)
    if not may_administer_hall(by, project.hall):
        raise Forbidden("project.assign_role", "只有本中心的大厅管理员可以指派代办员。")
    staff = staff_of(agent)
    if staff is None or staff.role != Role.AGENT or staff.hall_id != project.hall_id:
        raise DomainError("project.not_an_agent", "请选择本中心在岗的项目代办员。")
    now = clock.now()
    Authorisation.objects.filter(project=project, revoked_at__isnull=True).exclude(agent=agent).update(
        revoked_at=now
    )
    project.agent = agent
    project.save(update_fields=["agent"])
    event(project, "assign_agent", by=by, detail=f"代办员：{staff.name}", payload={"agent": agent.pk})
    return project


def _owner_only(project: Project, by: User) -> None:
    if not (by.is_superuser or project.owner.user_id == by.pk):
        raise Forbidden("project.owner_only", "只有项目单位可以登记或撤销代办委托。")


@transaction.atomic
def authorise_agent(
    project: Project, *, by: User, valid_until: dt.date, stage: int | None = None
) -> Authorisation:
    """代办委托: the owner authorises the assigned agent, for one stage or all, until a date."""
    project = lock(project)
    _owner_only(project, by)
    if project.agent_id is None:
        raise Conflict("project.no_agent", "该项目尚未指派代办员，请联系政务服务中心。")
    if valid_until is None or valid_until < clock.today():
        raise DomainError("project.authorisation_date", "委托有效期不能早于今天。")
    scope = stage_of(project, stage) if stage is not None else None
    if scope is not None and scope.status == S.CLOSED:
        raise Conflict("project.stage_closed", "该阶段已办结，无需委托。")
    found = Authorisation.objects.create(project=project, agent_id=project.agent_id, stage=scope,
                                         valid_until=valid_until, recorded_by=by, recorded_at=clock.now())  # fmt: skip
    event(
        project, "authorise_agent", by=by, stage=scope, detail=f"{found.scope_display}，有效期至{valid_until}"
    )
    return found


@transaction.atomic
def revoke_authorisation(authorisation: Authorisation, *, by: User) -> Authorisation:
    project = lock(authorisation.project_id)
    _owner_only(project, by)
    found = (
        Authorisation.objects.select_for_update(of=("self",)).select_related("stage").get(pk=authorisation.pk)
    )
    if found.revoked_at is None:
        found.revoked_at = clock.now()
        found.save(update_fields=["revoked_at"])
        event(project, "revoke_authorisation", by=by, detail=found.scope_display)
    return found


def acting_for_owner(project: Project, by: User, stage: Stage) -> str:
    """'owner' or 'agent': the assigned agent acts for the owner only under a valid
    authorisation that covers the stage (issue 6)."""
    if by.is_superuser or project.owner.user_id == by.pk:
        return "owner"
    if project.agent_id is not None and project.agent_id == by.pk:
        covering = Authorisation.objects.filter(Q(stage__isnull=True) | Q(stage=stage), project=project, agent=by,
                                                revoked_at__isnull=True, valid_until__gte=clock.today())  # fmt: skip
        if covering.exists():
            return "agent"
        raise Forbidden("project.agent_not_authorised",
                        "项目单位尚未委托您代办此阶段，或委托已过期、已撤销。请项目单位先登记代办委托。")  # fmt: skip
    raise Forbidden("project.owner_only", "只有项目单位或其委托的代办员可以申报。")


# ---- a stage: apply, accept, opinions, close -------------------------------------------------


FORM_FIELDS_MAX = 30


def _form(form_data) -> dict:
    """The stage's one form: at least the construction scale and content; plain values only."""
    if not isinstance(form_data, dict) or len(form_data) > FORM_FIELDS_MAX:
        raise DomainError(
            "project.form", f"申报表格式不正确（不超过{FORM_FIELDS_MAX}项，每项为文字或数字）。"
        )
    form = {}
    for key, value in form_data.items():
        if not isinstance(value, str | int | float | bool) or len(str(key)) > 50:
            raise DomainError(
                "project.form", f"申报表格式不正确（不超过{FORM_FIELDS_MAX}项，每项为文字或数字）。"
            )
        form[str(key)] = clean_text(value, "申报表各项") if isinstance(value, str) else value
    form["scale"] = clean_text(form_data.get("scale"), "建设规模及内容", required=True)
    return form


@transaction.atomic
def apply_stage(project: Project, stage: int, *, by: User, form_data: dict) -> Stage:
    """申报: the owner (or the authorised agent) hands in the stage's one form online."""
    project = lock(project)
    stage = stage_of(project, stage)
    who = acting_for_owner(project, by, stage)
    if stage.status not in (S.OPEN, S.APPLIED):
        raise Conflict("project.stage_not_open", f"该阶段当前为“{stage.get_status_display()}”，不能申报。")
    stage.form_data, stage.status, stage.applied_at, stage.applied_by = (
        _form(form_data),
        S.APPLIED,
        clock.now(),
        by,
    )
    stage.save(update_fields=["form_data", "status", "applied_at", "applied_by"])
    event(
        project,
        "apply_stage",
        by=by,
        stage=stage,
        detail="代办员代为申报" if who == "agent" else "项目单位申报",
    )
    return stage


def require_lead(by: User, stage: Stage, what: str) -> None:
    require_department_staff(
        by, stage.lead_department_id, what=f"{what}（牵头部门：{stage.lead_department.name}）"
    )


def _child_cases(project: Project, stage: Stage, *, by: User, tolerated: set[str], supply_by) -> list[Case]:
    """Each item of the lead department becomes a case carrying the project code (printed on its
    notices), submitted with the stage's one material set and accepted at once — tolerantly
    when materials named in `tolerated` are missing (the case rules decide what may be)."""
    items = list(ServiceItem.objects.filter(code__in=stage.item_codes, department_id=stage.lead_department_id)
                 .order_by("code"))  # fmt: skip
    versions = []
    for item in items:
        if item.current_id is None or item.withdrawn_at is not None:
            raise Conflict(
                "project.item_not_published", f"阶段事项“{item.code}”当前不受理申请，请联系大厅管理员。"
            )
        versions.append(cases.published(item.current_id))
    known = {m.name for _, materials, _ in versions for m in materials if m.source != Material.Source.SHARED}
    unknown = sorted(tolerated - known)
    if unknown:
        raise DomainError("project.unknown_material", f"以下材料不属于本阶段事项：{'、'.join(unknown)}。")
    if tolerated and supply_by is None:
        raise DomainError("project.supply_date", "容缺受理须填写申请人承诺补齐材料的日期。")
    channel = (
        Channel.AGENT if stage.applied_by_id and stage.applied_by_id == project.agent_id else Channel.WINDOW
    )
    opened = []
    for version, materials, _ in versions:
        case = _submit(project, stage, version, materials, by=by, channel=channel, tolerated=tolerated)
        missing = any(
            m.name in tolerated and m.required and m.source != Material.Source.SHARED for m in materials
        )
        if missing:
            opened.append(cases.accept_tolerantly(case, by=by, supply_by=supply_by))
        else:
            opened.append(cases.accept(case, by=by))
    return opened


def _submit(project, stage, version: ItemVersion, materials, *, by, channel, tolerated) -> Case:
    # 一号: every case of the project carries its code from its submission on (RULES.md).
    handed = [m.pk for m in materials if m.required and m.name not in tolerated]
    case = cases.submit(version=version, applicant=project.owner, hall=project.hall, channel=channel, by=by,
                        form_data={**stage.form_data, "project_code": project.code, "stage": stage.name},
                        handed_in=handed, project_code=project.code)  # fmt: skip
    return case


ACCEPTED_FIELDS = ["form_data", "status", "accepted_on", "accepted_seq", "due_seq", "due_on", "accepted_by"]


@transaction.atomic
def accept_stage(project: Project, stage: int, *, by: User, form_data: dict | None = None,
                 tolerated: Iterable[str] = (), supply_by: dt.date | None = None) -> Stage:  # fmt: skip
    """受理: the lead department accepts the stage once — one form, one material set (容缺
    allowed for tolerable materials) — and the stage's clock and every co-reviewer's start.

    Who accepts: the lead department's reviewer or head, not a clerk of the comprehensive
    window. The stage is the lead department's (一家牵头): it answers for the acceptance, it
    closes the stage, and the cases the acceptance opens are its own items, which the case
    rules already let its staff accept — no clerk acts across departments on its behalf. The
    owner's one form still reaches it from the portal (apply_stage) or the window."""
    project = lock(project)
    stage = stage_of(project, stage)
    require_lead(by, stage, "受理该阶段")
    if stage.status not in (S.OPEN, S.APPLIED):
        raise Conflict(
            "project.stage_not_acceptable", f"该阶段当前为“{stage.get_status_display()}”，不能受理。"
        )
    if form_data is not None or stage.status == S.OPEN:
        stage.form_data = _form(form_data if form_data is not None else stage.form_data)
    opened = _child_cases(project, stage, by=by, tolerated={t.strip() for t in tolerated if t.strip()},
                          supply_by=supply_by)  # fmt: skip
    today = clock.today()
    stage.accepted_seq = calendar.seq(today)
    stage.status, stage.accepted_on, stage.accepted_by = S.IN_REVIEW, today, by
    # The day of acceptance is not counted (行政许可法 art. 82, RULES.md).
    stage.due_seq = stage.accepted_seq + stage.limit_days
    stage.due_on = calendar.date_of_seq(stage.due_seq)
    stage.save(update_fields=ACCEPTED_FIELDS)
    opinions = list(Opinion.objects.filter(stage=stage))
    for o in opinions:
        o.due_seq = stage.accepted_seq + o.limit_days
        o.due_on = calendar.date_of_seq(o.due_seq)
    Opinion.objects.bulk_update(opinions, ["due_seq", "due_on"])
    numbers = [c.number for c in opened]
    event(project, "accept_stage", by=by, stage=stage, department_id=stage.lead_department_id,
          detail=f"阶段期限 {stage.due_on}" + (f"；办件 {'、'.join(numbers)}" if numbers else ""),
          payload={"cases": numbers, "tolerated": sorted(tolerated)})  # fmt: skip
    messages.stage_changed(project, stage, "stage_accepted")
    return stage


def _opinion(project: Project, stage: Stage, department_id: int | None, by: User) -> Opinion:
    if department_id is None:
        staff = staff_of(by)
        department_id = staff.department_id if staff is not None else None
    found = Opinion.objects.select_for_update().filter(stage=stage, department_id=department_id).first()
    if found is None:
        raise Forbidden("project.not_a_reviewer", "贵部门不是该阶段的并联审查部门。")
    found.stage = stage
    return found


def _check_opinion(kind: str, reasons: str, conditions: str) -> tuple[str, str]:
    if kind not in Opinion.Kind.values:
        raise DomainError("project.opinion_kind", "意见应为同意、有条件同意或不同意。")
    reasons, conditions = clean_text(reasons, "理由"), clean_text(conditions, "条件")
    if kind == Opinion.Kind.DISAGREE and not reasons:
        # RULES.md "Silent consent": a "disagree" without reasons counts as consent, so it is
        # refused as input; the department may still give a reasoned opinion until its limit.
        raise DomainError("project.disagree_reason_required",
                          "不同意须写明理由（依据的法律法规和需修改的内容）；未写明理由的不同意视为同意。")  # fmt: skip
    if kind == Opinion.Kind.AGREE_WITH_CONDITIONS and not conditions:
        raise DomainError("project.conditions_required", "有条件同意须写明条件。")
    # Keep only what the kind means: an "agree" carries neither reasons nor conditions.
    kept_reasons = reasons if kind == Opinion.Kind.DISAGREE else ""
    kept_conditions = conditions if kind == Opinion.Kind.AGREE_WITH_CONDITIONS else ""
    return kept_reasons, kept_conditions


@transaction.atomic
def give_opinion(project: Project, stage: int, *, by: User, kind: str, reasons: str = "", conditions: str = "",
                 simulated: bool = False, department_id: int | None = None) -> Opinion:  # fmt: skip
    """并联审查意见 of the caller's department: agree, agree with conditions, or disagree with
    reasons. Before the stage is accepted only a simulated opinion (模拟审批) may be given; it
    counts once confirmed after acceptance. A department may revise its opinion until the
    stage closes, unless its limit passed and it was taken to agree."""
    project = lock(project)
    stage = stage_of(project, stage)
    opinion = _opinion(project, stage, department_id, by)
    require_department_staff(by, opinion.department_id, what="提出本部门的并联审查意见")
    reasons, conditions = _check_opinion(kind, reasons, conditions)
    if stage.status == S.CLOSED:
        raise Conflict("project.stage_closed", "该阶段已办结，不能再提出意见。")
    if opinion.is_taken:
        raise Conflict(
            "project.opinion_silent", f"贵部门已按{opinion.get_state_display()}记录，不能再提出意见。"
        )
    if stage.status == S.IN_REVIEW and simulated:
        raise DomainError(
            "project.simulation_after_acceptance", "该阶段已受理，请提出正式意见或确认模拟审批意见。"
        )
    if stage.status != S.IN_REVIEW and not simulated:
        raise Conflict("project.stage_not_accepted", "该阶段尚未受理，只能提出模拟审批意见，待受理后确认。")
    opinion.state = Opinion.State.SIMULATED if simulated else Opinion.State.GIVEN
    opinion.kind, opinion.reasons, opinion.conditions, opinion.simulated = (
        kind,
        reasons,
        conditions,
        simulated,
    )
    opinion.given_by, opinion.given_at, opinion.confirmed_at = by, clock.now(), None
    opinion.save(update_fields=["state", "kind", "reasons", "conditions", "simulated", "given_by", "given_at",
                                "confirmed_at"])  # fmt: skip
    event(project, "simulate_opinion" if simulated else "give_opinion", by=by, stage=stage,
          department_id=opinion.department_id, detail=_opinion_words(opinion),
          payload={"kind": kind, "simulated": simulated})  # fmt: skip
    return opinion


def _opinion_words(opinion: Opinion) -> str:
    extra = opinion.reasons or opinion.conditions
    return opinion.get_kind_display() + (f"：{extra}" if extra else "")


@transaction.atomic
def confirm_opinion(project: Project, stage: int, *, by: User, department_id: int | None = None) -> Opinion:
    """模拟审批 → 正式: the preconditions now exist (the stage is accepted); the simulated
    opinion becomes the department's formal opinion as it was given."""
    project = lock(project)
    stage = stage_of(project, stage)
    opinion = _opinion(project, stage, department_id, by)
    require_department_staff(by, opinion.department_id, what="确认本部门的模拟审批意见")
    if stage.status != S.IN_REVIEW:
        raise Conflict("project.stage_not_accepted", "阶段受理后才能确认模拟审批意见。")
    if opinion.state != Opinion.State.SIMULATED:
        raise Conflict("project.nothing_to_confirm", "贵部门没有待确认的模拟审批意见。")
    opinion.state, opinion.confirmed_at = Opinion.State.GIVEN, clock.now()
    opinion.save(update_fields=["state", "confirmed_at"])
    event(project, "confirm_opinion", by=by, stage=stage, department_id=opinion.department_id,
          detail=_opinion_words(opinion))  # fmt: skip
    return opinion


@transaction.atomic
def close_stage(project: Project, stage: int, *, by: User, conclusion: str = "") -> Stage:
    """办结: the lead department closes the stage when every opinion is in and none disagrees;
    the next stage opens (or the project is complete)."""
    project = lock(project)
    stage = stage_of(project, stage)
    require_lead(by, stage, "办结该阶段")
    if stage.status != S.IN_REVIEW:
        raise Conflict(
            "project.stage_not_in_review", f"该阶段当前为“{stage.get_status_display()}”，不能办结。"
        )
    opinions = list(Opinion.objects.filter(stage=stage).select_related("department"))
    owed = [o.department.name for o in opinions if not o.is_in]
    if owed:
        raise Conflict("project.opinions_pending",
                       f"以下部门尚未提出正式意见：{'、'.join(owed)}。到期未提出的将按超时默认同意处理。",
                       details={"departments": owed})  # fmt: skip
    against = [o.department.name for o in opinions if o.kind == Opinion.Kind.DISAGREE]
    if against:
        raise Conflict("project.stage_disagreement",
                       f"{'、'.join(against)}不同意，请协调后由其修改意见，再办结该阶段。", details={"departments": against})  # fmt: skip
    today = clock.today()
    stage.status, stage.closed_on, stage.closed_seq, stage.closed_by = (
        S.CLOSED,
        today,
        calendar.seq(today),
        by,
    )
    stage.conclusion = clean_text(conclusion, "阶段办结意见")
    stage.save(update_fields=["status", "closed_on", "closed_seq", "closed_by", "conclusion"])
    opened = Stage.objects.filter(project=project, order=stage.order + 1, status=S.WAITING).update(
        status=S.OPEN
    )
    if not opened and not Stage.objects.filter(project=project).exclude(status=S.CLOSED).exists():
        project.status, project.completed_on = Project.Status.COMPLETED, today
        project.save(update_fields=["status", "completed_on"])
    used = stage.closed_seq - stage.accepted_seq
    event(project, "close_stage", by=by, stage=stage, department_id=stage.lead_department_id,
          detail=f"用时{used}个工作日（承诺{stage.limit_days}个）" + (f"；{stage.conclusion}" if stage.conclusion else ""),
          payload={"used_days": used})  # fmt: skip
    messages.stage_changed(project, stage, "stage_closed")
    return stage


def recompute_limits(since: dt.date, *, by: User | None) -> list[Stage]:
    """After a calendar change from `since` on (issue 13 rule 7; called by the shell's
    calendar_changes in the change's transaction): the stages under review whose limit reaches
    `since` and the opinions they still owe get their ordinals and dates recomputed from the
    stage's acceptance day, set-based (stage due = seq(accepted_on) + limit, opinion due =
    seq(accepted_on) + its limit; RULES.md "Parallel approval"). Opinions already given or taken
    as silent consent keep the limit they had. Each stage whose date moved gets a timeline event
    and one message to its owner and agent. Returns the stages whose date moved."""
    running = Stage.objects.filter(status=S.IN_REVIEW, due_on__gte=since)
    before = dict(running.values_list("pk", "due_on"))
    if not before:
        return []
    stages = Stage.objects.filter(pk__in=before)
    stages.update(accepted_seq=workdays.seq_of(OuterRef("accepted_on")))
    stages.update(due_seq=F("accepted_seq") + F("limit_days"))
    stages.update(due_on=workdays.date_of(OuterRef("due_seq")))
    owed = Opinion.objects.filter(stage_id__in=before, state__in=Opinion.OWED)
    owed.update(due_seq=Subquery(Stage.objects.filter(pk=OuterRef("stage_id")).values("accepted_seq")[:1])
                + F("limit_days"))  # fmt: skip
    owed.update(due_on=workdays.date_of(OuterRef("due_seq")))
    moved = list(
        Stage.objects.filter(pk__in=before).select_related(
            "project__owner", "project__hall", "lead_department"
        )
    )
    moved = [s for s in moved if s.due_on != before[s.pk]]
    for stage in moved:
        old = before[stage.pk]
        event(stage.project, "recompute_limit", by=by, stage=stage, department_id=stage.lead_department_id,
              detail=f"工作日历调整，阶段期限由 {old} 调整为 {stage.due_on}",
              payload={"from": old.isoformat(), "to": stage.due_on.isoformat()})  # fmt: skip
        messages.stage_deadline_moved(stage.project, stage, old)
    return moved
