"""Evaluation (评标): each member scores each valid bid's technical and business response; the price
score follows the formula announced with the tender; the report ranks the bids and names the
candidates, published with every expert's score (Linyi: 公开每位评委的打分).

The price formula (低价优先法, announced in every tender's documents): the base price is the lowest
valid bid; a bid's price score is price_weight × base ÷ its price, rounded half up to 0.01. The
technical and business score is the mean of the members' scores (out of 100 − price_weight). The
total is their sum; the ranking is by total (high first), then price (low first), then the time
the bid arrived. Land and property (价高者得) rank by price alone, high first, with no committee."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.trading import ocds, services
from onewindow.trading.audit import append_event
from onewindow.trading.bids import active_bids
from onewindow.trading.committee import members
from onewindow.trading.models import Bid, Project, Score, Seat
from onewindow.workdays import calendar

CENT = Decimal("0.01")


def valid_bids(project: Project) -> list[Bid]:
    return [b for b in active_bids(project) if not b.disqualified]


def technical_max(project: Project) -> int:
    return 100 - project.price_weight


def parse_points(value, field: str, high: int) -> Decimal:
    try:
        points = Decimal(str(value).strip())
    except ArithmeticError:
        raise DomainError(
            "trading.points", "评分应为数字，最多两位小数。", details={"field": field}
        ) from None
    if not points.is_finite() or points != points.quantize(CENT) or not 0 <= points <= high:
        raise DomainError(
            "trading.points", f"评分应在0至{high}分之间，最多两位小数。", details={"field": field}
        )
    return points


def submit_scores(
    project: Project, *, by: User, points: dict[int, object], comments: dict | None = None
) -> Seat:
    """A member's scores for every valid bid (bid pk → points), submitted once (签字确认)."""
    comments = comments or {}
    with transaction.atomic():
        project = services.locked(project)
        expert = services.expert_of(by)
        seat = expert and Seat.objects.select_for_update().filter(project=project, expert=expert,
                                                                  role=Seat.Role.MEMBER,
                                                                  status=Seat.Status.CONFIRMED).first()  # fmt: skip
        if not seat:
            raise Forbidden("trading.not_member", "您不是本项目的评标委员会成员。")
        if project.status != Project.Status.EVALUATING:
            raise Conflict("trading.state", "项目不在评标阶段。")
        if seat.scored_at is not None:
            raise Conflict("trading.scored", "您已提交评分，不能修改。")
        bids = valid_bids(project)
        wanted = {b.pk for b in bids}
        given = {int(k) for k in points} if all(str(k).isdigit() for k in points) else set()
        if given != wanted:
            raise DomainError("trading.scores_incomplete", "请对每一份有效投标文件评分（不多不少）。",
                              details={"field": "scores"})  # fmt: skip
        high = technical_max(project)
        rows = []
        for bid in bids:
            value = points.get(bid.pk, points.get(str(bid.pk)))
            comment = services.text(comments.get(bid.pk, comments.get(str(bid.pk), "")), f"comment_{bid.pk}",
                                    "评审意见", 200, required=False)  # fmt: skip
            rows.append(
                Score(
                    seat=seat, bid=bid, points=parse_points(value, f"score_{bid.pk}", high), comment=comment
                )
            )
        Score.objects.bulk_create(rows)
        seat.scored_at = clock.now()
        seat.save(update_fields=["scored_at"])
        append_event(project, by=by, action="score", from_status=project.status,
                     payload={"expert": expert.number,
                              "scores": {r.bid.bidder.credit_code: str(r.points) for r in rows}})  # fmt: skip
        project.save()
    return seat


def candidates(project: Project) -> list[Bid]:
    """The candidates as published (中标候选人): the first CANDIDATES of the ranking — a bid set
    aside has no rank — best first; [] before the report."""
    if project.reported_at is None:
        return []
    ranked = Bid.objects.filter(project=project, rank__isnull=False, rank__lte=services.CANDIDATES)
    return list(ranked.select_related("bidder").order_by("rank"))


def rank(project: Project, bids: list[Bid], scores: dict[int, list[Decimal]]) -> list[Bid]:
    """Sets price_score, technical_score, total_score and rank on the valid `bids` (not saved) and
    returns them ranked; `scores` bid pk → the members' points."""
    if project.is_auction:
        ordered = sorted(bids, key=lambda b: (-b.opened_price_fen, b.submitted_at, b.pk))
        for place, bid in enumerate(ordered, start=1):
            bid.price_score = bid.technical_score = bid.total_score = None
            bid.rank = place
        return ordered
    base = min(b.opened_price_fen for b in bids)
    for bid in bids:
        bid.price_score = (Decimal(project.price_weight) * base / bid.opened_price_fen).quantize(
            CENT, ROUND_HALF_UP
        )
        given = scores.get(bid.pk, [])
        mean = sum(given, Decimal(0)) / len(given) if given else Decimal(0)
        bid.technical_score = mean.quantize(CENT, ROUND_HALF_UP)
        bid.total_score = bid.price_score + bid.technical_score
    ordered = sorted(bids, key=lambda b: (-b.total_score, b.opened_price_fen, b.submitted_at, b.pk))
    for place, bid in enumerate(ordered, start=1):
        bid.rank = place
    return ordered


def publish(project: Project, *, by: User | None, action: str, reason: str = "") -> list[Bid]:
    """Ranks the valid bids, names the candidates and starts (or restarts) the publicity."""
    bids = valid_bids(project)
    if not bids:
        raise Conflict("trading.no_valid_bid", "没有有效投标，不能推荐中标候选人；请终止项目后重新招标。")
    scores: dict[int, list[Decimal]] = {}
    for bid_id, pts in Score.objects.filter(bid__project=project).values_list("bid_id", "points"):
        scores.setdefault(bid_id, []).append(pts)
    ordered = rank(project, bids, scores)
    Bid.objects.filter(project=project).update(rank=None)
    Bid.objects.bulk_update(ordered, ["price_score", "technical_score", "total_score", "rank"])
    today = clock.today()
    before = project.status
    project.status = Project.Status.PUBLICITY
    project.reported_at = project.reported_at or clock.now()
    project.publicity_from = today
    project.publicity_until = calendar.add_workdays(today, services.PUBLICITY_DAYS)
    candidates = [{"rank": b.rank, "bidder": b.bidder.credit_code, "name": b.bidder.name,
                   "price_fen": b.opened_price_fen, "total": str(b.total_score) if b.total_score is not None else None}
                  for b in ordered[: services.CANDIDATES]]  # fmt: skip
    append_event(project, by=by, action=action, from_status=before, reason=reason,
                 payload={"candidates": candidates, "publicity_until": project.publicity_until.isoformat()})  # fmt: skip
    ocds.record(project, "award")
    project.save()
    return ordered


def report(project: Project, *, by: User) -> list[Bid]:
    """评标报告: when every member has scored (land and property: once opened), the ranking and the
    candidates are published, with every expert's score, for PUBLICITY_DAYS working days."""
    if not services.is_officer(by):
        raise Forbidden("trading.not_officer", "只有公共资源交易中心工作人员可以发布评标结果。")
    with transaction.atomic():
        project = services.locked(project)
        S = Project.Status
        if project.is_auction:
            if project.status != S.OPENED:
                raise Conflict("trading.state", "只有已开标的项目可以公布竞价结果。")
        else:
            if project.status != S.EVALUATING:
                raise Conflict("trading.state", "项目不在评标阶段。")
            pending = members(project).filter(status=Seat.Status.CONFIRMED, scored_at__isnull=True).count()
            if pending:
                raise Conflict("trading.scores_pending", f"还有{pending}位评委未提交评分。")
        return publish(project, by=by, action="report")


def scoreboard(project: Project) -> dict:
    """Every member's score per bid, for the result page (published once the report is out)."""
    rows = (Score.objects.filter(bid__project=project).select_related("seat__expert")
            .order_by("seat__category", "seat__order", "bid_id"))  # fmt: skip
    table: dict = {}
    experts = []
    for score in rows:
        expert = score.seat.expert
        if expert.number not in table:
            experts.append(expert)
            table[expert.number] = {}
        table[expert.number][score.bid_id] = score.points
    return {"experts": experts, "points": table}
