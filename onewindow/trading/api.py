"""The trading's API under /api/v1/trading/ (API.md): the public board (GET /trading/projects,
filters kind/method/status, paged) and a project (GET /trading/projects/{number}: what is public
at its stage, and the steps the caller may take); the trading center announces (POST
/trading/projects); every step is POST /trading/projects/{number}/<action> answering the project
— except `bid`, which answers the bidder's receipt (201).

Sealed bids: before the opening the project answers nothing about its bids (not who, not how
many); a bidder reads its own receipts (…/bids/mine, never content); a bid's content
(…/bids/{credit_code}) answers 403 trading.sealed to everyone — the trading center, the
superuser, the bidder itself — until the bids are opened, and after that it is decrypted only by
sealing.open_document. The draw (…/draw) is published when the evaluation starts.

Open data: …/ocds is the project's OCDS release package; /trading/releases?after=<release id>
is the change feed (every release in order, `next` the cursor to ask with next time), and
/trading/releases/{release_id} one release in its package.

Scores are keyed by the bidder's unified social credit code (not database ids):
POST …/score {"scores": {"<credit code>": "62.5", …}, "comments": {"<credit code>": "…"}}."""

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus
from ninja.pagination import paginate

from onewindow import inputs
from onewindow.accounts import services as account_services
from onewindow.accounts.models import Department
from onewindow.accounts.permissions import public, requires
from onewindow.errors import DomainError, Forbidden, NotFound
from onewindow.inputs import bounded, column
from onewindow.paging import MAX_PAGE_SIZE, Answered, Paged
from onewindow.trading import (
    award,
    bids,
    committee,
    evaluation,
    ocds,
    sealing,
    services,
    steps,
)
from onewindow.trading.audit import ACTIONS
from onewindow.trading.bids import PROPOSAL_MAX
from onewindow.trading.models import (
    Bid,
    Bidder,
    Kind,
    Method,
    Objection,
    Project,
    ProjectEvent,
    Release,
    Score,
    Seat,
)
from onewindow.trading.services import DESCRIPTION_MAX, DOCUMENTS_MAX

router = Router(tags=["trading"])
S = Project.Status


# ---- answers ---------------------------------------------------------------------------------------


class TimelineOut(Schema):
    announced_at: dt.datetime
    clarification_until: dt.datetime
    opening_at: dt.datetime = Field(description="投标截止时间即开标时间")
    opened_at: dt.datetime | None
    drawn_at: dt.datetime | None
    evaluation_started_at: dt.datetime | None
    reported_at: dt.datetime | None
    publicity_from: dt.date | None
    publicity_until: dt.date | None
    awarded_at: dt.datetime | None


class RulesOut(Schema):
    price_weight: int = Field(description="价格分权重（满分100）")
    technical_weight: int = Field(description="技术商务分权重")
    price_formula: str
    committee_size: int = Field(description="评标委员会人数（土地、产权交易为0：价高者得）")
    economic_experts: int
    specialty: str
    reserves: int
    min_bids: int = Field(description="开标所需最少投标人数")


class OpeningBidOut(Schema):
    bidder: str = Field(description="统一社会信用代码")
    bidder_name: str
    price_fen: int
    currency: str = "CNY"
    days: int
    digest: str = Field(description="投标回执摘要 SHA-256")
    disqualified: str


class OpeningOut(Schema):
    opened_at: dt.datetime
    bid_count: int
    bids: list[OpeningBidOut]


class MemberOut(Schema):
    number: str
    name: str
    category: str
    category_display: str


class ExpertScoreOut(Schema):
    expert: str = Field(description="专家编号")
    expert_name: str
    points: str


class ResultOut(Schema):
    bidder: str
    bidder_name: str
    price_fen: int
    currency: str = "CNY"
    days: int
    price_score: str | None
    technical_score: str | None
    total_score: str | None
    rank: int | None
    disqualified: str
    scores: list[ExpertScoreOut] = Field(description="每位评委的技术商务分（评标报告后公布）")


class ObjectionOut(Schema):
    id: int
    bidder: str
    bidder_name: str
    target: str = Field(description="被异议的候选人统一社会信用代码")
    target_name: str
    reason: str
    filed_at: dt.datetime
    answer_due_on: dt.date
    status: str
    status_display: str
    answer: str
    answered_at: dt.datetime | None


class AwardOut(Schema):
    bidder: str
    bidder_name: str
    amount_fen: int
    currency: str = "CNY"
    awarded_at: dt.datetime


class TradingContractOut(Schema):
    amount_fen: int
    currency: str = "CNY"
    signed_on: dt.date


class TradingEventOut(Schema):
    at: dt.datetime
    action: str
    action_display: str
    to_status: str
    reason: str


class ProjectSummaryOut(Schema):
    number: str
    title: str
    kind: str
    kind_display: str
    method: str
    method_display: str
    budget_fen: int = Field(description="预算/最高投标限价；土地、产权为底价/起始价（分）")
    currency: str = "CNY"
    owner: str
    owner_credit_code: str
    agency: str
    supervisor: str
    status: str
    status_display: str
    announced_at: dt.datetime
    opening_at: dt.datetime


class TradingProjectOut(ProjectSummaryOut):
    description: str
    documents: str
    timeline: TimelineOut
    rules: RulesOut
    seed_commitment: str = Field(description="抽取种子的 SHA-256，公告时公布")
    seed: str | None = Field(description="评标开始时公布；此前为 null")
    opening: OpeningOut | None = Field(description="开标记录；开标前为 null（开标前不公布投标人及家数）")
    committee: list[MemberOut] | None = Field(description="评标委员会名单；评标开始前为 null")
    results: list[ResultOut] | None = Field(description="评标结果与每位评委的评分；评标报告前为 null")
    candidates: list[str] | None = Field(description="中标候选人（按排名）的统一社会信用代码")
    objections: list[ObjectionOut] | None
    award: AwardOut | None
    contract: TradingContractOut | None
    closed_reason: str
    events: list[TradingEventOut]
    allowed_actions: list[str]


def _summary(p: Project) -> dict:
    return {
        "number": p.number, "title": p.title, "kind": p.kind, "kind_display": p.get_kind_display(),
        "method": p.method, "method_display": p.get_method_display(), "budget_fen": p.budget_fen,
        "owner": p.owner.name, "owner_credit_code": p.owner.credit_code, "agency": p.agency,
        "supervisor": p.supervisor.name, "status": p.status, "status_display": p.get_status_display(),
        "announced_at": p.announced_at, "opening_at": p.opening_at,
    }  # fmt: skip


def _rules(p: Project) -> dict:
    formula = ("价高者得" if p.is_auction else
               f"价格分=最低有效报价÷投标报价×{p.price_weight}，技术商务分为各评委评分的平均值")  # fmt: skip
    return {"price_weight": p.price_weight, "technical_weight": 100 - p.price_weight, "price_formula": formula,
            "committee_size": p.committee_size, "economic_experts": p.economic_experts, "specialty": p.specialty,
            "reserves": p.reserves, "min_bids": services.min_bids(p)}  # fmt: skip


def _opening(p: Project) -> dict | None:
    """The opening record as it was read at the opening (the `open` event), never before."""
    if p.opened_at is None:
        return None
    event = p.events.filter(action="open").order_by("-seq").first()
    record = event.payload["bids"] if event else []
    return {"opened_at": p.opened_at, "bid_count": len(record),
            "bids": [{"bidder": r["bidder"], "bidder_name": r["name"], "price_fen": r["price_fen"], "days": r["days"],
                      "digest": r["digest"], "disqualified": r["disqualified"]} for r in record]}  # fmt: skip


def _committee(p: Project) -> list[dict] | None:
    """The committee as published when the evaluation started (the `evaluate` event)."""
    if p.evaluation_started_at is None:
        return None
    event = p.events.filter(action="evaluate").order_by("-seq").first()
    labels = dict(Seat._meta.get_field("category").choices)
    return [{**m, "category_display": labels.get(m["category"], "")} for m in event.payload["committee"]]


def _decimal(value) -> str | None:
    return None if value is None else str(value)


def _results(p: Project) -> list[dict] | None:
    if p.reported_at is None:
        return None
    board = evaluation.scoreboard(p)
    experts = board["experts"]
    rows = sorted(bids.active_bids(p), key=lambda b: (b.rank is None, b.rank or 0, b.submitted_at, b.pk))
    return [
        {"bidder": b.bidder.credit_code, "bidder_name": b.bidder.name, "price_fen": b.opened_price_fen,
         "days": b.opened_days, "price_score": _decimal(b.price_score), "technical_score": _decimal(b.technical_score),
         "total_score": _decimal(b.total_score), "rank": b.rank, "disqualified": b.disqualified,
         "scores": [{"expert": e.number, "expert_name": e.name, "points": str(board["points"][e.number][b.pk])}
                    for e in experts if b.pk in board["points"][e.number]]}
        for b in rows
    ]  # fmt: skip


def _objections(p: Project) -> list[dict] | None:
    if p.reported_at is None:
        return None
    rows = (
        Objection.objects.filter(project=p)
        .select_related("bidder", "target__bidder")
        .order_by("filed_at", "pk")
    )
    return [{"id": o.pk, "bidder": o.bidder.credit_code, "bidder_name": o.bidder.name,
             "target": o.target.bidder.credit_code, "target_name": o.target.bidder.name, "reason": o.reason,
             "filed_at": o.filed_at, "answer_due_on": o.answer_due_on, "status": o.status,
             "status_display": o.get_status_display(), "answer": o.answer, "answered_at": o.answered_at}
            for o in rows]  # fmt: skip


def out(p: Project, user) -> dict:
    """One project as the API answers it to `user`: what its stage has made public, nothing of the
    bids before the opening."""
    candidates = None
    if p.reported_at is not None and p.status in (S.PUBLICITY, S.AWARDED, S.CONTRACTED):
        candidates = [b.bidder.credit_code for b in evaluation.candidates(p)]
    won = p.awarded_bid if p.awarded_bid_id else None
    contract = getattr(p, "contract", None) if p.status == S.CONTRACTED else None
    return {
        **_summary(p), "description": p.description, "documents": p.documents,
        "timeline": {"announced_at": p.announced_at, "clarification_until": p.clarification_until,
                     "opening_at": p.opening_at, "opened_at": p.opened_at, "drawn_at": p.drawn_at,
                     "evaluation_started_at": p.evaluation_started_at, "reported_at": p.reported_at,
                     "publicity_from": p.publicity_from, "publicity_until": p.publicity_until,
                     "awarded_at": p.awarded_at},
        "rules": _rules(p), "seed_commitment": p.seed_commitment,
        # The seed is secret until the evaluation starts (commit, then reveal).
        "seed": p.seed if p.evaluation_started_at is not None else None,
        "opening": _opening(p), "committee": _committee(p), "results": _results(p), "candidates": candidates,
        "objections": _objections(p),
        "award": {"bidder": won.bidder.credit_code, "bidder_name": won.bidder.name, "amount_fen": p.award_fen,
                  "awarded_at": p.awarded_at} if won else None,
        "contract": {"amount_fen": contract.amount_fen, "signed_on": contract.signed_on} if contract else None,
        "closed_reason": p.closed_reason,
        "events": [{"at": e.at, "action": e.action, "action_display": ACTIONS.get(e.action, e.action),
                    "to_status": e.to_status, "reason": e.reason} for e in services.visible_events(p, user)],
        "allowed_actions": steps.allowed_actions(p, user),
    }  # fmt: skip


def _caller(request):
    """The caller of a public read: the session's user, or a Bearer token's — a public read takes
    no login, but a token's holder is offered its steps and reads what it may."""
    header = request.headers.get("Authorization", "")
    if not request.user.is_authenticated and header.startswith("Bearer "):
        user = account_services.user_for_token(header[7:].strip())
        if user is not None:
            request.user = user
    return request.user


def _project(number: str) -> Project:
    return services.by_number(number)


def _moment(at: dt.datetime, field: str, label: str) -> dt.datetime:
    return inputs.moment(at, field, label, prefix="trading")


def _done(request, number: str) -> dict:
    return out(_project(number), request.user)


# ---- the board -------------------------------------------------------------------------------------


@router.get(
    "/trading/projects", response=list[ProjectSummaryOut], auth=None, operation_id="trading_list_projects"
)
@paginate(Paged)
@public
def list_projects(request, kind: str = "", method: str = "", status: str = ""):
    """交易公告: every project, newest announcement first; filters kind, method, status."""
    for name, value, choices in (("kind", kind, Kind.values), ("method", method, Method.values),
                                 ("status", status, S.values)):  # fmt: skip
        if value and value not in choices:
            raise DomainError("trading.filter", f"参数{name}不正确。", details={"field": name})
    rows = Project.objects.select_related("owner", "supervisor").order_by("-announced_at", "-pk")
    if kind:
        rows = rows.filter(kind=kind)
    if method:
        rows = rows.filter(method=method)
    if status:
        rows = rows.filter(status=status)
    return Answered(rows, _summary)


@router.get(
    "/trading/projects/{number}", response=TradingProjectOut, auth=None, operation_id="trading_get_project"
)
@public
def get_project(request, number: str):
    return out(_project(number), _caller(request))


class AnnounceIn(Schema):
    owner: column(Bidder, "credit_code") = Field(
        description="招标人/采购人的统一社会信用代码（已注册网上办事账号的法人）"
    )
    kind: column(Project, "kind") = Field(description="works / procurement / land / property")
    method: column(Project, "method") = Field(description="open_tender / invited_tender / negotiation / consultation / inquiry / "
                                    "single_source / land_tender / auction / listing")  # fmt: skip
    title: column(Project, "title", code="trading.too_long")
    budget_fen: int = Field(description="预算/最高投标限价（分）；土地、产权为底价")
    supervisor: column(Department, "code") = Field(description="行政监督部门编码")
    description: column(Project, "description", limit=DESCRIPTION_MAX, code="trading.too_long")
    documents: column(Project, "documents", limit=DOCUMENTS_MAX, code="trading.too_long")
    clarification_until: dt.datetime
    opening_at: dt.datetime = Field(description="投标截止/开标时间")
    price_weight: int = 100
    committee_size: int = 0
    economic_experts: int = 0
    specialty: column(Project, "specialty", code="trading.too_long") = ""
    reserves: int = 2
    agency: column(Project, "agency", code="trading.too_long") = ""


@router.post("/trading/projects", response={201: TradingProjectOut}, operation_id="trading_announce")
@requires()
def announce(request, payload: AnnounceIn):
    """发布公告 (the trading center)."""
    if not services.is_officer(request.user):  # before any look-up: a caller learns nothing
        raise Forbidden("trading.not_officer", "只有公共资源交易中心工作人员可以登记发布交易项目。")
    p = services.announce(
        by=request.user, owner=services.owner_by_credit_code(payload.owner), kind=payload.kind,
        method=payload.method, title=payload.title, budget_fen=payload.budget_fen,
        supervisor=Department.objects.filter(code=payload.supervisor.strip()).first(),
        description=payload.description, documents=payload.documents,
        clarification_until=_moment(payload.clarification_until, "clarification_until", "澄清截止时间"),
        opening_at=_moment(payload.opening_at, "opening_at", "投标截止/开标时间"),
        price_weight=payload.price_weight, committee_size=payload.committee_size,
        economic_experts=payload.economic_experts, specialty=payload.specialty, reserves=payload.reserves,
        agency=payload.agency,
    )  # fmt: skip
    return HttpStatus(201, _done(request, p.number))


# ---- sealed bids -----------------------------------------------------------------------------------


class BidIn(Schema):
    price_fen: int = Field(description="投标报价（分）")
    days: int = Field(description="工期/交付期（日历天）")
    proposal: column(Bid, "opened_proposal", limit=PROPOSAL_MAX, code="trading.too_long") = Field(
        description="技术商务响应"
    )


class ReceiptOut(Schema):
    project: str
    bidder: str = Field(description="统一社会信用代码")
    version: int
    algorithm: str = "SHA-256"
    digest: str = Field(description="document 的 UTF-8 字节的 SHA-256（十六进制）")
    document: str = Field(description="密封并计算摘要的规范文本（JSON，键排序、无空格）")
    submitted_at: dt.datetime


@router.post("/trading/projects/{number}/bid", response={201: ReceiptOut}, operation_id="trading_bid")
@requires()
def bid(request, number: str, payload: BidIn):
    """递交投标文件 (a resubmission replaces the active bid): answers the receipt, whose digest the
    bidder can recompute from `document`; Idempotency-Key honoured (the middleware)."""
    made, data = bids.submit(_project(number), by=request.user, price_fen=payload.price_fen, days=payload.days,
                             proposal=payload.proposal)  # fmt: skip
    return HttpStatus(201, {"project": number, "bidder": made.bidder.credit_code, "version": made.version,
                            "digest": made.digest, "document": data.decode(), "submitted_at": made.submitted_at})  # fmt: skip


class MyBidOut(Schema):
    version: int
    digest: str
    submitted_at: dt.datetime
    withdrawn_at: dt.datetime | None
    superseded_at: dt.datetime | None
    active: bool


@router.get("/trading/projects/{number}/bids/mine", response=list[MyBidOut], operation_id="trading_my_bids")
@paginate(Paged)
@requires()
def my_bids(request, number: str):
    """The caller's receipts of the project, every version, newest first (never the content)."""
    project = _project(number)
    bidder = services.bidder_of(request.user)
    if bidder is None:
        raise Forbidden("trading.not_bidder", "请以投标人（企业）账号登录。")
    return [{"version": b.version, "digest": b.digest, "submitted_at": b.submitted_at, "withdrawn_at": b.withdrawn_at,
             "superseded_at": b.superseded_at, "active": b.is_active} for b in bids.own_bids(project, bidder)]  # fmt: skip


class DocumentOut(Schema):
    text: str = Field(description="解密后的投标文件（规范文本）")
    digest: str = Field(description="解密文本的 SHA-256")
    matches_receipt: bool
    price_fen: int
    days: int
    proposal: str


class BidOut(Schema):
    bidder: str
    bidder_name: str
    version: int
    digest: str = Field(description="回执摘要")
    submitted_at: dt.datetime
    opening: OpeningBidOut
    document: DocumentOut | None = Field(
        description="投标文件全文：交易中心与监督人员、招标人、本项目评委及投标人本人可见"
    )


@router.get("/trading/projects/{number}/bids/{credit_code}", response=BidOut, auth=None,
            operation_id="trading_get_bid")  # fmt: skip
@public
def get_bid(request, number: str, credit_code: str):
    """A bid after the opening: its line of the opening record, and its decrypted document for
    those who may read it. Before the opening: 403 trading.sealed for everyone, whoever asks and
    whichever credit code (not even whether that enterprise bid is answered)."""
    project = _project(number)
    sealing.project_key(project)  # 403 trading.sealed before the opening time, for everyone
    if project.opened_at is None:  # failed unopened (too few bids), or the opening has not run yet
        raise Forbidden("trading.sealed", "本项目尚未开标，投标文件保持密封，任何人不得查看。")
    found = bids.active_bids(project).filter(bidder__credit_code=credit_code.strip().upper()).first()
    if found is None:
        raise NotFound("trading.bid_not_found", "该单位在本项目没有开标的投标文件。")
    document = None
    if services.may_read_document(project, found, _caller(request)):
        data, doc = sealing.open_document(found)
        document = {"text": data.decode(), "digest": sealing.digest(data),
                    "matches_receipt": sealing.digest(data) == found.digest, "price_fen": doc["price_fen"],
                    "days": doc["days"], "proposal": doc["proposal"]}  # fmt: skip
    return {"bidder": found.bidder.credit_code, "bidder_name": found.bidder.name, "version": found.version,
            "digest": found.digest, "submitted_at": found.submitted_at,
            "opening": {"bidder": found.bidder.credit_code, "bidder_name": found.bidder.name,
                        "price_fen": found.opened_price_fen, "days": found.opened_days, "digest": found.digest,
                        "disqualified": found.disqualified},
            "document": document}  # fmt: skip


# ---- the draw --------------------------------------------------------------------------------------


class TradingDrawOut(Schema):
    number: str
    seed_commitment: str = Field(description="公告时公布的 SHA-256(seed)")
    seed: str
    seed_matches_commitment: bool
    candidates: dict[str, list[str]] = Field(description="符合回避规定的候选专家编号（technical / economic）")
    candidates_match_hash: bool = Field(description="与抽取时公布的候选名单摘要一致")
    published: dict[str, list[str]] = Field(description="记录的抽取结果：评委与备选（按抽取顺序）")
    replayed: dict[str, list[str]] = Field(description="服务器按公开数据复算的结果")
    same: bool
    drawn_at: dt.datetime
    committee: list[MemberOut]


@router.get(
    "/trading/projects/{number}/draw", response=TradingDrawOut, auth=None, operation_id="trading_get_draw"
)
@public
def get_draw(request, number: str):
    """The published draw and its replay (committee.replay) — from the start of the evaluation."""
    project = _project(number)
    if project.is_auction:
        raise NotFound("trading.no_committee", "土地和产权交易按价高者得，不抽取评标专家。")
    replay = committee.replay(project)
    if replay is None:
        raise DomainError("trading.draw_not_public", "评标专家名单和抽取种子在评标开始时公布。", status=409)
    return {"number": project.number, "seed_commitment": project.seed_commitment, "drawn_at": project.drawn_at,
            "committee": _committee(project), **replay}  # fmt: skip


# ---- the steps -------------------------------------------------------------------------------------


class TradingReasonIn(Schema):
    reason: column(ProjectEvent, "reason", code="trading.too_long")


class ScoreIn(Schema):
    scores: dict[column(Bidder, "credit_code"), bounded(20, "技术商务分") | int | float] = Field(
        description="投标人统一社会信用代码 → 技术商务分（最多两位小数）"
    )
    comments: dict[column(Bidder, "credit_code"), column(Score, "comment", code="trading.too_long")] = Field(
        default_factory=dict, description="投标人统一社会信用代码 → 评审意见"
    )


class ObjectIn(Schema):
    target: column(Bidder, "credit_code") = Field(description="被异议的中标候选人的统一社会信用代码")
    reason: column(Objection, "reason", code="trading.too_long")


class TradingAnswerIn(Schema):
    objection: int = Field(description="异议编号（项目详情 objections[].id）")
    upheld: bool
    answer: column(Objection, "answer", code="trading.too_long")


class ContractIn(Schema):
    amount_fen: int
    signed_on: dt.date


def _score(project: Project, by, body: ScoreIn) -> None:
    codes = {b.bidder.credit_code: b.pk for b in evaluation.valid_bids(project)}
    unknown = sorted(set(body.scores) - set(codes))
    if unknown:
        raise DomainError("trading.scores_incomplete", "请对每一份有效投标文件评分（按投标人统一社会信用代码）。",
                          details={"field": "scores", "unknown": unknown})  # fmt: skip
    evaluation.submit_scores(project, by=by, points={codes[c]: v for c, v in body.scores.items()},
                             comments={codes[c]: v for c, v in body.comments.items() if c in codes})  # fmt: skip


def _object(project: Project, by, body: ObjectIn) -> None:
    # Only ranked bids are targets: an unknown, unranked or sealed bid all answer the same.
    target = Bid.objects.filter(project=project, bidder__credit_code=body.target.strip().upper(),
                                rank__isnull=False, withdrawn_at__isnull=True, superseded_at__isnull=True).first()  # fmt: skip
    if target is None:
        raise DomainError("trading.target", "请选择本项目公示的中标候选人。", details={"field": "target"})
    award.file_objection(project, by=by, target=target, reason=body.reason)


def _answer(project: Project, by, body: TradingAnswerIn) -> None:
    found = Objection.objects.filter(project=project, pk=body.objection).first()
    if found is None:
        raise NotFound("trading.objection_not_found", "未找到本项目的该异议。")
    award.answer_objection(found, by=by, upheld=body.upheld, answer=body.answer)


def _step(name: str, schema, run, summary: str):
    """POST /trading/projects/{number}/<name> → the project as the caller then sees it."""

    def done(request, number: str, payload) -> dict:
        run(_project(number), request.user, payload)
        return _done(request, number)

    if schema is None:

        def view(request, number: str):
            return done(request, number, None)

    else:

        def view(request, number: str, payload: schema):
            return done(request, number, payload)

    view.__name__ = f"trading_{name}"
    view.__doc__ = summary
    router.post(f"/trading/projects/{{number}}/{name}", response=TradingProjectOut, operation_id=f"trading_{name}",
                summary=summary)(requires()(view))  # fmt: skip


_step("withdraw", None, lambda p, by, body: bids.withdraw(p, by=by), "撤回投标文件")
_step("open", None, lambda p, by, body: bids.open_bids(p, by=by), "开标")
_step("draw", None, lambda p, by, body: committee.draw(p, by=by), "抽取评标专家")
_step("confirm", None, lambda p, by, body: committee.answer(p, by=by, accept=True), "专家确认参加")
_step("decline", None, lambda p, by, body: committee.answer(p, by=by, accept=False), "专家拒绝参加")
_step(
    "evaluate",
    None,
    lambda p, by, body: committee.start_evaluation(p, by=by),
    "开始评标（公布评委名单与种子）",
)
_step("score", ScoreIn, _score, "评委提交评分（按投标人统一社会信用代码）")
_step("report", None, lambda p, by, body: evaluation.report(p, by=by), "评标报告，公示中标候选人")
_step("object", ObjectIn, _object, "投标人对中标候选人提出异议")
_step("answer", TradingAnswerIn, _answer, "招标人答复异议")
_step("award", None, lambda p, by, body: award.award(p, by=by), "定标")
_step("contract", ContractIn, lambda p, by, body: award.sign_contract(
    p, by=by, amount_fen=body.amount_fen, signed_on=body.signed_on), "登记合同")  # fmt: skip
_step(
    "cancel", TradingReasonIn, lambda p, by, body: services.cancel(p, by=by, reason=body.reason), "终止项目"
)


# ---- open data (OCDS) ------------------------------------------------------------------------------


@router.get("/trading/projects/{number}/ocds", auth=None, operation_id="trading_project_ocds")
@public
def project_ocds(request, number: str):
    """The project's OCDS 1.1 release package: every release of it, in order."""
    project = _project(number)
    return ocds.package(project.releases.order_by("pk"), request.get_full_path())


FEED_LIMIT = 100


@router.get("/trading/releases", auth=None, operation_id="trading_release_feed")
@public
def release_feed(
    request,
    after: str = Query("", description="游标：上次应答的 next（发布编号）；空为从头开始"),
    since: str = Query("", description="after 的别名（API.md 的游标参数名）"),
    limit: int = Query(FEED_LIMIT, ge=1, le=MAX_PAGE_SIZE),
):
    """The change feed: every release of every project in the order they were made, as a release
    package, plus `next` (the cursor to ask with next time; the same cursor when nothing is new)
    and `has_more`."""
    cursor = (after or since).strip()
    rows = Release.objects.order_by("pk")
    if cursor:
        last = Release.objects.filter(release_id=cursor).values_list("pk", flat=True).first()
        if last is None:
            raise DomainError(
                "trading.cursor", "游标不正确（应为上次应答的 next）。", details={"field": "after"}
            )
        rows = rows.filter(pk__gt=last)
    page = list(rows[: limit + 1])
    more, page = len(page) > limit, page[:limit]
    pkg = ocds.package(page, request.get_full_path())
    return {**pkg, "next": page[-1].release_id if page else (cursor or None), "has_more": more}


@router.get("/trading/releases/{release_id}", auth=None, operation_id="trading_get_release")
@public
def get_release(request, release_id: str):
    """One release, in a release package of its own."""
    rows = Release.objects.filter(release_id=release_id)
    if not rows.exists():
        raise NotFound("trading.release_not_found", "未找到该 OCDS 发布。")
    return ocds.package(rows, request.get_full_path())
