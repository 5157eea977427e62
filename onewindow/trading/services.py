"""The trading's core rules (RULES.md "Public resource trading"; issue 20): who is who, the
announcement with its timeline and committee rules, and cancelling. The other steps live beside
it, named after their nouns: bids.py (sealed bids, withdrawal, the opening), committee.py (the
expert draw, confirmations, the start of the evaluation), evaluation.py (scores, the report and
ranking), award.py (publicity, objections, award, contract).

Each public function is one thing a person does, in one transaction; a refusal is a DomainError
with a stable code and a Chinese message, and changes nothing."""

import datetime as dt

from django.db import transaction

from onewindow import clock, draws, inputs
from onewindow.accounts.models import Applicant, Department, Role, User
from onewindow.accounts.queries import staff_of
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.serials import next_serial
from onewindow.trading import ocds, sealing
from onewindow.trading.audit import SEALED_ACTIONS, append_event
from onewindow.trading.models import (
    AUCTION_KINDS,
    KIND_METHODS,
    Bidder,
    Expert,
    Kind,
    Method,
    Project,
    ProjectEvent,
    Seat,
)
from onewindow.workdays import calendar

FEN_MAX = 10**14  # 1 万亿元: above any project here; every amount stays a safe integer
TITLE_MAX, DESCRIPTION_MAX, DOCUMENTS_MAX, REASON_MAX = 100, 4000, 8000, 500

# The shortest bidding period, in working days from the announcement to the bid deadline
# (working days: every limit counted here is, decision 44). 招标投标法 art. 24 asks ≥ 20 days for a
# tender: 15 working days always span at least 21 calendar days. 政府采购非招标采购方式管理办法:
# negotiation and inquiry ≥ 3 working days; 竞争性磋商 ≥ 10 days → 8 working days. Land (招拍挂
# 规定 art. 10: announcement ≥ 20 days) and property (产权转让公告 ≥ 20 working days) as tenders.
MIN_BID_PERIOD = {
    Method.OPEN_TENDER: 15, Method.INVITED_TENDER: 15, Method.NEGOTIATION: 3, Method.CONSULTATION: 8,
    Method.INQUIRY: 3, Method.SINGLE_SOURCE: 3, Method.LAND_TENDER: 15, Method.AUCTION: 15, Method.LISTING: 15,
}  # fmt: skip
# The fewest bids that are opened (RULES.md: fewer than 3, a tender is not opened). A single source
# has one supplier by definition; a listing (挂牌) may close with one bidder; an auction needs two.
MIN_BIDS = {Method.SINGLE_SOURCE: 1, Method.LISTING: 1, Method.AUCTION: 2}
MIN_BIDS_DEFAULT = 3
# Evaluation committees (RULES.md; 招标投标法 art. 37, 政府采购法实施条例 art. 45): tenders an
# odd number ≥ 5, government procurement ≥ 7 when the budget is ≥ 10 million yuan; negotiation,
# consultation, inquiry (and single-source negotiation) panels odd ≥ 3. All members are drawn
# experts here (no owner's representative sits): technical/economic experts are the whole
# committee, above the law's 2/3.
PANEL_METHODS = (Method.NEGOTIATION, Method.CONSULTATION, Method.INQUIRY, Method.SINGLE_SOURCE)
LARGE_PROCUREMENT_FEN = 10_000_000 * 100
COMMITTEE_MAX = 25
# Candidates published after the evaluation (RULES.md: no more than three).
CANDIDATES = 3
# Publicity of the candidates and the owner's answer to an objection, in working days (RULES.md:
# publicity ≥ 3 days, answer within 3 days; working days are never shorter).
PUBLICITY_DAYS = 3
ANSWER_DAYS = 3


def text(value, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    return inputs.text(value, field, label, max_length, required=required, prefix="trading")


def parse_yuan(value, field: str, label: str) -> int:
    return inputs.yuan_to_fen(value, field, label, prefix="trading", fen_max=FEN_MAX)


yuan = inputs.yuan


def parse_int(value, field: str, label: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise DomainError("trading.number", f"{label}应为整数。", details={"field": field}) from None
    if not low <= number <= high:
        raise DomainError("trading.number", f"{label}应在{low}至{high}之间。", details={"field": field})
    return number


# ---- who is who ------------------------------------------------------------------------------------


def bidder_of(user: User) -> Bidder | None:
    """The bidder a portal account acts for (None: not a bidder's account). The reverse accessor
    caches on the user, so a request asks the database once however often it is asked here."""
    return getattr(user, "bidder", None) if user.is_authenticated else None


def expert_of(user: User) -> Expert | None:
    """The pool's expert an account belongs to (None: not an expert's), cached as bidder_of."""
    return getattr(user, "expert", None) if user.is_authenticated else None


def is_officer(user: User) -> bool:
    """交易中心工作人员 (and the superuser): registers projects, opens, draws, reports."""
    if not user.is_authenticated:
        return False
    staff = staff_of(user)
    return user.is_superuser or (staff is not None and staff.role == Role.TRADING_OFFICER)


def is_overseer(user: User, project: Project | None = None) -> bool:
    """Who watches every step: the trading center, hall management (supervisors, admins), and the
    supervising department's staff for its projects (行政监督部门)."""
    if is_officer(user):
        return True
    staff = staff_of(user)
    if staff is None:
        return False
    if staff.role in (Role.SUPERVISOR, Role.HALL_ADMIN):
        return True
    return project is not None and staff.department_id == project.supervisor_id


def watched_projects(user: User):
    """The projects a member of staff may watch: every one for the trading center and hall
    management; its own for a supervising department's staff (is_overseer's rule, for a list)."""
    if is_overseer(user):
        return Project.objects.all()
    staff = staff_of(user)
    if staff is None or staff.department_id is None:
        raise Forbidden("trading.not_overseer", "只有公共资源交易中心、大厅管理人员和行政监督部门可以查看。")
    return Project.objects.filter(supervisor_id=staff.department_id)


def is_owner(user: User, project: Project) -> bool:
    return user.is_authenticated and project.owner_user_id == user.pk


def reads_every_document(project: Project, user: User) -> bool:
    """Who reads every bid's full document once the bids are opened: the trading center and the
    overseers, the owner, and the committee's confirmed members once the evaluation starts. (The
    opening record — bidder, price, days — is public; a bidder always reads its own document.)"""
    if project.opened_at is None:
        return False
    if is_overseer(user, project) or is_owner(user, project):
        return True
    expert = expert_of(user)
    return (expert is not None and project.evaluation_started_at is not None
            and Seat.objects.filter(project=project, expert=expert, role=Seat.Role.MEMBER,
                                    status=Seat.Status.CONFIRMED).exists())  # fmt: skip


def may_read_document(project: Project, bid, user: User) -> bool:
    """Whether `user` may read this opened bid's full document (one rule for the API and the pages)."""
    bidder = bidder_of(user)
    return (bidder is not None and bid.bidder_id == bidder.pk) or reads_every_document(project, user)


def min_bids(project: Project) -> int:
    return MIN_BIDS.get(project.method, MIN_BIDS_DEFAULT)


def min_committee(kind: str, method: str, budget_fen: int) -> int:
    """The smallest committee the law allows (0: decided by price alone, no committee)."""
    if kind in AUCTION_KINDS:
        return 0
    if method in PANEL_METHODS:
        return 3
    if kind == Kind.PROCUREMENT and budget_fen >= LARGE_PROCUREMENT_FEN:
        return 7
    return 5


def committee_refusal(
    kind: str, method: str, budget_fen: int, size: int, economic: int
) -> DomainError | None:
    """Why a committee of `size` with `economic` economic experts is not allowed here, or None."""
    least = min_committee(kind, method, budget_fen)
    if least == 0:
        if size or economic:
            return DomainError("trading.committee", "土地和产权交易按价高者得，不组建评标委员会。",
                               details={"field": "committee_size"})  # fmt: skip
        return None
    if size < least or size % 2 == 0 or size > COMMITTEE_MAX:
        return DomainError("trading.committee", f"评标委员会应为{least}人以上单数（不超过{COMMITTEE_MAX}人）。",
                           details={"field": "committee_size", "min": least})  # fmt: skip
    if not 1 <= economic <= (size - 1) // 2:
        # At least one economic expert (造价/财务) and a technical majority.
        return DomainError("trading.committee", "经济专家应至少1人，且技术专家应占多数。",
                           details={"field": "economic_experts"})  # fmt: skip
    return None


# ---- the announcement -----------------------------------------------------------------------------


def owner_by_credit_code(credit_code: str) -> Applicant:
    owner = Applicant.objects.filter(
        kind=Applicant.Kind.LEGAL, credit_code=(credit_code or "").strip().upper()
    ).first()
    if owner is None or owner.user_id is None:
        raise DomainError("trading.owner", "未找到该招标人（须为已注册网上办事账号的法人）。",
                          details={"field": "owner"})  # fmt: skip
    return owner


def announce(*, by: User, owner: Applicant, kind: str, method: str, title: str, budget_fen: int,
             supervisor: Department | None, description: str, documents: str, clarification_until: dt.datetime,
             opening_at: dt.datetime, price_weight: int, committee_size: int = 0, economic_experts: int = 0,
             specialty: str = "", reserves: int = 2, agency: str = "") -> Project:  # fmt: skip
    """发布公告: the trading center registers the owner's project and publishes it with its
    timeline and evaluation rules; the project's key pair is made (the opening key wrapped), and the draw's seed is
    committed (its hash published now, the seed when the evaluation starts)."""
    if not is_officer(by):
        raise Forbidden("trading.not_officer", "只有公共资源交易中心工作人员可以登记发布交易项目。")
    if kind not in Kind.values:
        raise DomainError("trading.kind", "请选择交易类型。", details={"field": "kind"})
    if method not in KIND_METHODS[kind]:
        raise DomainError("trading.method", f"{Kind(kind).label}不适用{dict(Method.choices).get(method, '该')}方式。",
                          details={"field": "method"})  # fmt: skip
    if owner.user_id is None:
        raise DomainError("trading.owner", "招标人须有网上办事账号（用于答复异议、定标和签约）。",
                          details={"field": "owner"})  # fmt: skip
    if supervisor is None:
        raise DomainError("trading.supervisor", "请选择行政监督部门。", details={"field": "supervisor"})
    title = text(title, "title", "项目名称", TITLE_MAX)
    description = text(description, "description", "项目概况与招标范围", DESCRIPTION_MAX)
    documents = text(documents, "documents", "招标文件要点", DOCUMENTS_MAX)
    agency = text(agency, "agency", "招标代理机构", 100, required=False)
    specialty = text(specialty, "specialty", "技术专家专业", 50, required=False)
    if not 1 <= budget_fen <= FEN_MAX:
        raise DomainError("trading.amount", "预算金额超出允许范围。", details={"field": "budget"})
    auction = kind in AUCTION_KINDS
    if auction:
        price_weight, committee_size, economic_experts, reserves = 100, 0, 0, 0
    if not 10 <= price_weight <= 100:
        raise DomainError(
            "trading.price_weight", "价格分权重应在10至100之间。", details={"field": "price_weight"}
        )
    refusal = committee_refusal(kind, method, budget_fen, committee_size, economic_experts)
    if refusal:
        raise refusal
    if not auction and not 1 <= reserves <= 5:
        raise DomainError(
            "trading.reserves", "备选专家人数（每类）应为1至5人。", details={"field": "reserves"}
        )
    now = clock.now()
    if not now < clarification_until < opening_at:
        raise DomainError("trading.timeline", "澄清截止时间应晚于现在、早于投标截止（开标）时间。",
                          details={"field": "clarification_until"})  # fmt: skip
    earliest = calendar.add_workdays(clock.today(), MIN_BID_PERIOD[method])
    if opening_at.astimezone(clock.hall_tz()).date() < earliest:
        raise DomainError("trading.bid_period",
                          f"{Method(method).label}自公告至投标截止不得少于{MIN_BID_PERIOD[method]}个工作日"
                          f"（最早{earliest:%Y年%m月%d日}）。", details={"field": "opening_at"})  # fmt: skip
    with transaction.atomic():
        year = clock.today().year
        number = f"JY{year}{next_serial(f'trading-{year}'):06d}"
        seed = draws.new_seed()
        public_key, sealed_key = sealing.new_key_pair(number)
        project = Project(
            number=number, title=title, kind=kind, method=method, budget_fen=budget_fen, owner=owner,
            owner_user_id=owner.user_id, agency=agency, supervisor=supervisor, description=description,
            documents=documents, announced_at=now, clarification_until=clarification_until, opening_at=opening_at,
            price_weight=price_weight, committee_size=committee_size, economic_experts=economic_experts,
            specialty=specialty, reserves=reserves, public_key=public_key, sealed_key=sealed_key,
            seed=seed, seed_commitment=draws.commitment(seed), created_by=by,
        )  # fmt: skip
        project.save()
        append_event(project, by=by, action="announce", from_status="",
                     payload={"budget_fen": budget_fen, "opening_at": opening_at.isoformat(),
                              "seed_commitment": project.seed_commitment})  # fmt: skip
        ocds.record(project, "tender")
        project.save()
    return project


def locked(project: Project) -> Project:
    """The project's row, locked for the rest of the transaction (every step of a project
    serialises on it)."""
    return Project.objects.select_for_update().get(pk=project.pk)


def by_number(number: str) -> Project:
    project = Project.objects.select_related("owner", "supervisor").filter(number=number).first()
    if project is None:
        raise NotFound("trading.not_found", "未找到该交易项目。")
    return project


def cancel(project: Project, *, by: User, reason: str) -> Project:
    """终止: the trading center ends a project before its award (a complaint upheld, the owner's
    need gone), with the reason published."""
    if not is_officer(by):
        raise Forbidden("trading.not_officer", "只有公共资源交易中心工作人员可以终止交易项目。")
    reason = text(reason, "reason", "终止原因", 200)
    with transaction.atomic():
        project = locked(project)
        S = Project.Status
        if project.status not in (S.ANNOUNCED, S.OPENED, S.EVALUATING, S.PUBLICITY):
            raise Conflict("trading.state", f"项目{project.get_status_display()}，不能终止。")
        before = project.status
        project.status, project.closed_reason = S.CANCELLED, reason
        append_event(project, by=by, action="cancel", from_status=before, reason=reason)
        ocds.record(project, "tenderCancellation")
        project.save()
    return project


def visible_events(project: Project, user: User):
    """The project's trail as `user` may see it: before the opening, who bid (and how many) is
    secret — the bids' events are shown to no one until the bids are opened (招标投标法 art. 22);
    a bidder sees its own receipts on its own page."""
    events = ProjectEvent.objects.filter(project=project).select_related("actor").order_by("seq")
    if not sealing.is_open(project):
        events = events.exclude(action__in=SEALED_ACTIONS)
    return events
