"""Who may do what to a case, now — the one home of the rules the services check before acting
and the case page and the API offer (issue 14: one source per rule). Three checks, in the order
every service makes them:

1. the actor (`require`): sees the case (else 404, as if it did not exist), holds a role the
   action needs inside their scope (their department, or their hall), and — a 项目代办员 — is
   authorised for the case (it is one they filed themselves);
2. the status: cases.transitions.TRANSITIONS (`check_transition`);
3. the case's state the action needs (`refusal`): materials complete for 受理, the review steps
   done for 决定, not yet extended for 延期 … (RULES.md), read from `Facts`, which reuses what
   the service or the page has loaded.

cases.allowed.allowed_actions runs the same three for every action the case page offers."""

import datetime as dt
from collections.abc import Iterable
from functools import cached_property

from onewindow import clock
from onewindow.accounts.models import DEPARTMENT_ROLES, Applicant, Department, Hall, Role, User, city_code
from onewindow.accounts.queries import staff_of
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseStep,
    Channel,
    CommitmentCheck,
    Mark,
    Outcome,
    Status,
)
from onewindow.cases.transitions import (
    INTAKE_ROLES,
    REVIEW_ROLES,
    check_bundle_intake,
    check_transition,
    in_scope,
    is_superuser,
    materials_of,
    may_view,
    published,
)
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound

OUTSTANDING = (CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE)

# The roles each action needs (RULES.md "Who does what"); `APPLICANT_MAY`: the applicant too.
ROLES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(["receive", "mark_material", "accept", "request_supplement", "refuse", "accept_tolerantly",
                     "approve_by_commitment", "supplement", "supply_tolerated"], INTAKE_ROLES),
    **dict.fromkeys(["review", "return_for_correction", "suspend", "resume", "commitment_check", "issue"],
                    REVIEW_ROLES),
    "decide": (Role.DEPARTMENT_HEAD,),
    "extend": (Role.DEPARTMENT_HEAD,),
    "withdraw": (Role.CLERK,),
    "deliver": (Role.CLERK, *REVIEW_ROLES),
}  # fmt: skip
APPLICANT_MAY = frozenset({"supplement", "supply_tolerated", "withdraw"})


def decided_on_the_spot(case: Case, today: dt.date | None = None) -> bool:
    """An on-the-spot item (即办件) accepted today is decided at the window by the clerk."""
    version = published(case.item_version_id)[0]
    return version.on_the_spot and case.accepted_on == (today or clock.today())


def roles_for(case: Case, action: str) -> tuple[str, ...]:
    roles = ROLES[action]
    if action == "decide" and decided_on_the_spot(case):
        roles = (*roles, Role.CLERK)
    return roles


def filed_by(case: Case, by: User) -> bool:
    """The case's 接件 was recorded by `by` (its audit event's actor)."""
    return CaseEvent.objects.filter(case=case, action="submit", actor=by).exists()


def actor_refusal(
    by: User, case: Case, action: str, roles: tuple[str, ...] | None = None
) -> DomainError | None:
    """Why `by` may not take `action` on the case (NotFound when they may not even see it)."""
    if is_superuser(by):
        return None
    if action in APPLICANT_MAY and case.applicant.user_id == by.pk:
        return None
    if not may_view(by, case):
        return NotFound("case.not_found", "未找到该办件。")
    staff = staff_of(by)
    if not in_scope(by, case) or staff.role not in (roles or roles_for(case, action)):
        return Forbidden("case.role", "您的角色不能办理此环节。")
    # 项目代办员 (帮办代办) act for the applicants who asked them: only on the cases they filed
    # themselves — not on any case of the hall (issue 14). Asked only of agents: a clerk's
    # acceptance costs no query more.
    if staff.role == Role.AGENT and not filed_by(case, by):
        return Forbidden("case.agent_not_authorised", "代办员只能办理本人代为申请的办件。")
    return None


def require(
    by: User, case: Case, action: str, *, roles: tuple[str, ...] | None = None, bundle: str | None = None
) -> None:
    """Checks 1 and 2: the actor, then the status — and, for an intake answer on a child case of
    a 一件事, that its bundle gives it (`bundle`, transitions.check_bundle_intake). Raises the
    first refusal."""
    refused = actor_refusal(by, case, action, roles)
    if refused is not None:
        raise refused
    check_transition(case, action)
    check_bundle_intake(case, action, bundle)


# ---- 接件: who may file, and at which hall (同城通办) ----------------------------------------
#
# 同城通办 (异地收件、属地办理, issue 15 item 5): any hall of a city — and the portal — receives
# any item of any district of that city. The case is received by the hall where the citizen
# stands (Case.hall, the 收件单位: its clerks give the written answer and deliver) and decided by
# the item's department (Case.department, the 办理单位) — which sits at its deciding hall
# (`deciding_hall`). The only limit is the city: a hall takes the items of its own city only.


def city_refusal(hall: Hall, department: Department) -> DomainError | None:
    """Why `hall` may not receive an item of `department`: it lies in another city (the region
    codes' city part, accounts.models.city_code). None when it may."""
    if city_code(hall.region_id) == city_code(department.region_id):
        return None
    return Forbidden(
        "case.other_city",
        f"{hall.name}只收取本市事项的申请（同城通办）；该事项由外市的{department.name}办理，"
        "请到该市的政务服务中心或网上办事大厅申请。",
        details={"hall": hall.code, "department": department.code},
    )


def require_filing(
    by: User, *, channel: str, applicant: Applicant, hall: Hall, department: Department
) -> None:
    """Who may file (接件), and where: online, the applicant themself; otherwise intake staff of
    the hall the case is filed at — and department staff only for their own department's items
    (issue 14: a reviewer files no case for another department). Any hall of the item's city
    receives it (同城通办); a hall of another city is refused (`city_refusal`). Reads only the
    actor's staff record."""
    if channel == Channel.PORTAL:
        if applicant.user_id != by.pk:
            raise Forbidden("case.not_your_applicant", "只能以本人身份网上申请。")
    elif not is_superuser(by):
        staff = staff_of(by)
        if staff is None or staff.role not in INTAKE_ROLES or staff.hall_id != hall.pk:
            raise Forbidden("case.intake_role", "只有本中心的窗口人员可以登记窗口申请。")
        if staff.role in DEPARTMENT_ROLES and staff.department_id != department.pk:
            raise Forbidden("case.intake_department", "部门工作人员只能登记本部门事项的申请。")
    refused = city_refusal(hall, department)
    if refused is not None:
        raise refused


KIND_ORDER = {kind: i for i, kind in enumerate(Hall.Kind.values)}  # 市, 县（区）, 乡镇, 村


def deciding_halls(department_ids: Iterable[int]) -> dict[int, Hall]:
    """The deciding hall (办理单位所在中心) of each department: the hall stationing it in its own
    region (a 德城区 bureau → 德城区政务服务中心, a city bureau → the city hall); else the
    highest-level hall stationing it. A department stationed nowhere has none. One query."""
    ids = set(department_ids)
    if not ids:
        return {}

    def rank(hall: Hall, department: Department) -> tuple:
        return hall.region_id != department.region_id, KIND_ORDER.get(hall.kind, len(KIND_ORDER)), hall.code

    links = Hall.departments.through.objects.filter(department_id__in=ids).select_related(
        "hall", "department"
    )
    found: dict[int, Hall] = {}
    for link in links:
        best = found.get(link.department_id)
        if best is None or rank(link.hall, link.department) < rank(best, link.department):
            found[link.department_id] = link.hall
    return found


def deciding_hall(department_id: int) -> Hall | None:
    return deciding_halls([department_id]).get(department_id)


def decided_elsewhere(case: Case, halls: dict[int, Hall] | None = None) -> Hall | None:
    """The deciding hall of a case received by another hall (同城通办: 收件单位 ≠ 办理单位所在中心),
    else None — what the notices, the case page and the lists name beside the receiving hall.
    `halls`: the deciding halls (`deciding_halls`) a list has read for all its rows."""
    deciding = (halls if halls is not None else deciding_halls([case.department_id])).get(case.department_id)
    return deciding if deciding is not None and deciding.pk != case.hall_id else None


def receiving_halls(department: Department) -> list[Hall]:
    """The halls that may receive an item of `department` (同城通办: every hall of its city), its
    deciding hall first, then by level — what the portal offers; `city_refusal` is the same rule."""
    deciding = deciding_hall(department.pk)
    halls = Hall.objects.filter(region__code__startswith=city_code(department.region_id)[:4])
    return sorted(halls, key=lambda h: (h != deciding, KIND_ORDER.get(h.kind, len(KIND_ORDER)), h.code))


def submission_hall(by: User, department_id: int, *, channel: str, code: str | None = None) -> Hall | None:
    """Which hall a submission belongs to — the one rule of the case API, the bundle API and the
    pages: the hall named (a system filing for a hall, or the hall an applicant chose online);
    else, filed by staff, their own hall (同城通办: whichever district the item is of); else
    (online) the item's deciding hall. None when there is none. Whether that hall may take the
    item is `require_filing`'s check (the city)."""
    if code:
        return Hall.objects.filter(code=code).first()
    staff = staff_of(by)
    if staff is not None and channel != Channel.PORTAL:
        return staff.hall  # loaded with the staff record by the login and the token (no query)
    return deciding_hall(department_id)


# ---- the case's state ------------------------------------------------------------------------


class Facts:
    """What the state checks read about a case, each loaded once and only when asked; a service
    or page passes what it has loaded already (the hot path reads nothing more)."""

    def __init__(self, case: Case, *, materials: list[CaseMaterial] | None = None,
                 steps: list[CaseStep] | None = None, commitment_check=False, today: dt.date | None = None):  # fmt: skip
        self.case = case
        if materials is not None:
            self.materials = materials
        if steps is not None:
            self.steps = steps
        if commitment_check is not False:
            self.commitment_check = commitment_check
        self.today = today or clock.today()

    @cached_property
    def materials(self) -> list[CaseMaterial]:
        return materials_of(self.case)

    @cached_property
    def steps(self) -> list[CaseStep]:
        loaded = getattr(self.case, "loaded_steps", None)
        return loaded if loaded is not None else list(self.case.steps.order_by("order"))

    @cached_property
    def commitment_check(self) -> CommitmentCheck | None:
        if not self.case.by_commitment:
            return None
        return CommitmentCheck.objects.filter(case=self.case).first()

    def outstanding(self) -> list[CaseMaterial]:
        return [m for m in self.materials if m.state in OUTSTANDING]

    def marked_for_correction(self) -> list[CaseMaterial]:
        """Materials handed in that the clerk marked 需补正 (cases.intake.mark_material)."""
        return [m for m in self.materials if m.mark == Mark.NEEDS_CORRECTION]

    def tolerated(self) -> list[CaseMaterial]:
        return [m for m in self.materials if m.state == CaseMaterial.State.TOLERATED]

    def current_step(self) -> CaseStep | None:
        open_steps = [s for s in self.steps if s.done_at is None and s.kind != CaseStep.Kind.AFTER]
        return min(open_steps, key=lambda s: s.order, default=None)

    def review_pending(self) -> bool:
        return any(s.done_at is None and s.kind == CaseStep.Kind.REVIEW for s in self.steps)

    @cached_property
    def prerequisite(self) -> Case | None:
        """The 前置办件 of a 一件事 child (公章刻制's 企业设立登记), or None (one query, when asked)."""
        if self.case.prerequisite_id is None:
            return None
        return Case.objects.filter(pk=self.case.prerequisite_id).select_related("item_version").first()


def _prerequisite_open(action: str, facts: Facts) -> DomainError | None:
    """A dependent child of a 一件事 is neither decided before its prerequisite is decided nor
    issued before the prerequisite's result is (公章刻制 needs the business licence)."""
    before = facts.prerequisite
    if before is None:
        return None
    name = f"前置事项“{before.item_version.name}”（{before.number}）"
    if before.status != Status.CLOSED:
        verb = "作出决定" if action == "decide" else "制证"
        return Conflict("case.prerequisite_open", f"{name}尚未办结，该办件暂不能{verb}。",
                        details={"prerequisite": before.number})  # fmt: skip
    if action == "issue" and before.outcome == Outcome.APPROVED and not _issued(before):
        return Conflict("case.prerequisite_not_issued", f"{name}尚未制证，该办件暂不能制证。",
                        details={"prerequisite": before.number})  # fmt: skip
    return None


def _issued(case: Case) -> bool:
    """The case's result was issued (制证), or it has no 制证 step to wait for."""
    if CaseEvent.objects.filter(case=case, action="issue").exists():
        return True
    return not case.steps.filter(kind=CaseStep.Kind.AFTER).exclude(name__contains="送达").exists()


def _tolerable(case: Case) -> dict[int, bool]:
    return {m.pk: m.tolerable for m in published(case.item_version_id)[1]}


def refusal(action: str, case: Case, facts: Facts) -> DomainError | None:
    """Check 3: why the case's state does not allow `action` now, or None."""
    if action == "receive" and not facts.outstanding():
        return DomainError("case.receive_mismatch", "收取的材料须为该办件尚缺的材料。")
    if action == "mark_material" and not any(m.state == CaseMaterial.State.RECEIVED for m in facts.materials):
        return DomainError("case.nothing_to_mark", "没有已收到的材料可审核。")
    if action in ("accept", "accept_tolerantly") and facts.marked_for_correction():
        marked = [m.name for m in facts.marked_for_correction()]
        return Conflict("case.materials_marked", f"以下材料已审核为需补正，不能受理：{'、'.join(marked)}。请一次性告知补正。",
                        details={"materials": marked})  # fmt: skip
    if action == "accept" and facts.outstanding():
        missing = [m.name for m in facts.outstanding()]
        return Conflict("case.materials_incomplete", f"材料不齐全，不能受理：{'、'.join(missing)}。请一次性告知补正或容缺受理。",
                        details={"missing": missing})  # fmt: skip
    if action == "accept_tolerantly":
        if not facts.outstanding():
            return DomainError("case.nothing_to_tolerate", "材料已齐全，请直接受理。")
        tolerable = _tolerable(case)
        key = [m.name for m in facts.outstanding() if not tolerable.get(m.material_id)]
        if key:
            return DomainError("case.material_not_tolerable", f"以下材料不可容缺，须补齐后受理：{'、'.join(key)}。",
                               details={"materials": key})  # fmt: skip
    if action == "approve_by_commitment" and not published(case.item_version_id)[0].commitment_approval:
        return DomainError("case.commitment_not_allowed", "该事项未实行告知承诺制。")
    if action == "supplement" and not facts.outstanding():
        return DomainError("case.supplement_mismatch", "补交的材料须为告知书所列的材料。")
    if action == "supply_tolerated" and not facts.tolerated():
        return DomainError("case.supplement_mismatch", "补交的材料须为容缺受理时承诺补齐的材料。")
    if action == "review":
        step = facts.current_step()
        if step is None or step.kind != CaseStep.Kind.REVIEW:
            return Conflict("case.no_review_step", "审查环节已完成，请作出决定。")
    if action in ("decide", "issue"):
        blocked = _prerequisite_open(action, facts)
        if blocked is not None:
            return blocked
    if action == "decide":
        if facts.tolerated():
            return Conflict("case.tolerated_materials_pending", "容缺材料尚未补齐，暂不能作出决定。")
        if facts.review_pending() and not decided_on_the_spot(case, facts.today):
            return Conflict("case.review_pending", "审查环节尚未完成，不能作出决定。")
    if action == "extend" and case.extended:
        return Conflict("case.already_extended", "该办件已延期一次，不能再次延期。")
    if action == "commitment_check":
        check = facts.commitment_check
        if check is None:
            return Conflict("case.no_commitment_check", "该办件不是告知承诺审批的办件，无需核查。")
        if check.result != CommitmentCheck.Result.PENDING:
            return Conflict(
                "case.commitment_checked", f"该办件已核查（{check.get_result_display()}），不能重复登记。"
            )
    return None


def require_state(action: str, case: Case, facts: Facts) -> None:
    refused = refusal(action, case, facts)
    if refused is not None:
        raise refused
