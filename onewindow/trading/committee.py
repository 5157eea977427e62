"""The evaluation committee (评标委员会): experts drawn at random from the pool with conflicts
excluded, with reserves; they confirm by message; the list stays secret until the evaluation
starts (RULES.md "Public resource trading"; 招标投标法 art. 37, 实施条例 art. 46).

Who may sit (`eligible`): an active expert of the pool, never penalised, not employed by a bidder
or by the owner, with no declared avoidance of a bidder (a close relative there, an economic
interest), and not staff of the supervising department. Technical experts must have the project's
specialty (when it names one).

The draw (`compose`) is onewindow.draws' replayable shuffle: every eligible expert's number,
technical and economic together, shuffled by the project's seed; walking that order, the first
technical experts fill the technical seats, the first economic ones the economic seats, the next
ones of each category are the reserves, in order. The seed's hash was published with the
announcement; the candidates' hash is published at the draw; the seed, the candidates and the
committee when the evaluation starts — so anyone can then replay it (`replay`)."""

import hashlib
import json

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from onewindow import clock, draws
from onewindow.accounts.models import User
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.notify import services as notify
from onewindow.notify.models import Event
from onewindow.trading import services
from onewindow.trading.audit import append_event
from onewindow.trading.bids import active_bids
from onewindow.trading.models import Avoidance, Expert, ExpertPenalty, Project, Seat

TECHNICAL, ECONOMIC = Expert.Category.TECHNICAL, Expert.Category.ECONOMIC


def conflict_codes(project: Project) -> set[str]:
    """The credit codes an expert must have no tie to: every bidder's (active bids) and the owner's."""
    codes = {bid.bidder.credit_code for bid in active_bids(project)}
    if project.owner.credit_code:
        codes.add(project.owner.credit_code)
    return codes


def eligible(project: Project):
    """The pool's experts who may sit on this project's committee (every recusal applied in SQL)."""
    codes = conflict_codes(project)
    experts = (
        Expert.objects.filter(is_active=True)
        .exclude(Exists(ExpertPenalty.objects.filter(expert=OuterRef("pk"))))
        .exclude(Exists(Avoidance.objects.filter(expert=OuterRef("pk"), credit_code__in=codes)))
    )
    experts = experts.exclude(employer_credit_code__in=codes).exclude(department_id=project.supervisor_id)
    if project.specialty:
        experts = experts.filter(Q(category=ECONOMIC) | Q(specialty=project.specialty))
    return experts


def compose(seed: str, technical: list[str], economic: list[str], n_technical: int, n_economic: int,
            reserves: int) -> dict[str, list[str]]:  # fmt: skip
    """The committee from the seed and the candidates' numbers: {"technical": [...], "economic":
    [...], "technical_reserves": [...], "economic_reserves": [...]}, each in draw order. Pure: the
    same inputs always give the same committee (the replay)."""
    tech, econ = set(technical), set(economic)
    if tech & econ:
        raise ValueError("an expert has one category")
    order = draws.pick(seed, tech | econ, len(tech) + len(econ))
    drawn_tech = [key for key in order if key in tech]
    drawn_econ = [key for key in order if key in econ]
    return {
        "technical": drawn_tech[:n_technical],
        "economic": drawn_econ[:n_economic],
        "technical_reserves": drawn_tech[n_technical : n_technical + reserves],
        "economic_reserves": drawn_econ[n_economic : n_economic + reserves],
    }


def candidates_hash(technical: list[str], economic: list[str]) -> str:
    """What the draw publishes at once: the SHA-256 of the candidate lists (sorted, JSON)."""
    body = json.dumps({"technical": sorted(technical), "economic": sorted(economic)}, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def draw(project: Project, *, by: User) -> list[Seat]:
    """抽取评标专家 after the opening: the committee and reserves by the project's seed; the
    members are asked by SMS to confirm. Too few eligible experts: refused, nothing drawn."""
    if not services.is_officer(by):
        raise Forbidden("trading.not_officer", "只有公共资源交易中心工作人员可以抽取评标专家。")
    with transaction.atomic():
        project = services.locked(project)
        if project.is_auction:
            raise Conflict("trading.no_committee", "土地和产权交易按价高者得，不抽取评标专家。")
        if project.status != Project.Status.OPENED or project.drawn_at is not None:
            raise Conflict("trading.state", "只有已开标、尚未抽取专家的项目可以抽取评标专家。")
        pool = list(eligible(project).values_list("number", "category"))
        technical = [n for n, c in pool if c == TECHNICAL]
        economic = [n for n, c in pool if c == ECONOMIC]
        n_econ = project.economic_experts
        n_tech = project.committee_size - n_econ
        if len(technical) < n_tech or len(economic) < n_econ:
            raise DomainError("trading.pool_too_small",
                              f"符合回避规定的专家不足：需技术专家{n_tech}人（可用{len(technical)}人）、"
                              f"经济专家{n_econ}人（可用{len(economic)}人），请扩充专家库。",
                              status=409)  # fmt: skip
        drawn = compose(project.seed, technical, economic, n_tech, n_econ, project.reserves)
        experts = {e.number: e for e in Expert.objects.filter(number__in=sum(drawn.values(), []))}
        seats = []
        for key, category, role in (("technical", TECHNICAL, Seat.Role.MEMBER), ("economic", ECONOMIC, Seat.Role.MEMBER),
                                    ("technical_reserves", TECHNICAL, Seat.Role.RESERVE),
                                    ("economic_reserves", ECONOMIC, Seat.Role.RESERVE)):  # fmt: skip
            for order, number in enumerate(drawn[key], start=1):
                status = Seat.Status.INVITED if role == Seat.Role.MEMBER else Seat.Status.WAITING
                seats.append(Seat(project=project, expert=experts[number], category=category, role=role,
                                  order=order, status=status))  # fmt: skip
        Seat.objects.bulk_create(seats)
        project.drawn_at = clock.now()
        project.draw_candidates = {"technical": sorted(technical), "economic": sorted(economic)}
        project.draw_result = drawn
        append_event(project, by=by, action="draw", from_status=project.status,
                     payload={"seed_commitment": project.seed_commitment, "members": project.committee_size,
                              "reserves": len(drawn["technical_reserves"]) + len(drawn["economic_reserves"]),
                              "candidates_hash": candidates_hash(technical, economic)})  # fmt: skip
        project.save()
        for seat in seats:
            if seat.status == Seat.Status.INVITED:
                _invite(project, seat)
    return seats


def _invite(project: Project, seat: Seat) -> None:
    notify.enqueue(phone=seat.expert.phone, event=Event.EXPERT_INVITED,
                   context={"number": project.number},
                   key=f"trading:{project.number}:seat:{seat.expert.number}", subject_kind="trading",
                   subject_key=project.number)  # fmt: skip


def _seat_of(project: Project, user: User) -> Seat:
    expert = services.expert_of(user)
    seat = expert and Seat.objects.select_for_update().filter(project=project, expert=expert).first()
    if seat is None:
        raise Forbidden("trading.not_member", "您不是本项目抽取的评标专家。")
    return seat


def answer(project: Project, *, by: User, accept: bool) -> Seat:
    """The drawn expert confirms (确认参加) or declines (拒绝参加); a declined member's place goes to
    the next reserve of the same category, who is asked in turn."""
    with transaction.atomic():
        project = services.locked(project)
        seat = _seat_of(project, by)
        if project.status != Project.Status.OPENED or seat.status != Seat.Status.INVITED:
            raise Conflict("trading.answered", "该抽取通知已答复或已失效。")
        seat.status = Seat.Status.CONFIRMED if accept else Seat.Status.DECLINED
        seat.answered_at = clock.now()
        seat.save(update_fields=["status", "answered_at"])
        payload = {"category": seat.category}
        if not accept:
            reserve = (Seat.objects.select_for_update().filter(project=project, category=seat.category,
                                                               role=Seat.Role.RESERVE, status=Seat.Status.WAITING)
                       .order_by("order").first())  # fmt: skip
            if reserve is not None:
                reserve.role, reserve.status = Seat.Role.MEMBER, Seat.Status.INVITED
                reserve.save(update_fields=["role", "status"])
                _invite(project, reserve)
            payload["reserve_called"] = reserve is not None
        # The expert's name stays out of the chain until the evaluation starts (the list is secret).
        append_event(project, by=by, action="confirm" if accept else "decline", from_status=project.status,
                     payload=payload)  # fmt: skip
        project.save()
    return seat


def members(project: Project):
    """The committee's seats now: invited or confirmed members (a member who declined has left it;
    the reserve called in their place is a member)."""
    return (Seat.objects.filter(project=project, role=Seat.Role.MEMBER).exclude(status=Seat.Status.DECLINED)
            .select_related("expert"))  # fmt: skip


def start_evaluation(project: Project, *, by: User) -> Project:
    """开始评标 when every member has confirmed: the committee's list, the seed and the candidates
    are published in the chain — from now anyone can replay the draw."""
    if not services.is_officer(by):
        raise Forbidden("trading.not_officer", "只有公共资源交易中心工作人员可以组织评标。")
    with transaction.atomic():
        project = services.locked(project)
        if project.status != Project.Status.OPENED or project.drawn_at is None:
            raise Conflict("trading.state", "请先开标并抽取评标专家。")
        seated = list(members(project))
        confirmed = [s for s in seated if s.status == Seat.Status.CONFIRMED]
        if len(confirmed) != project.committee_size:
            raise Conflict("trading.committee_incomplete",
                           f"评标委员会应{project.committee_size}人，已确认{len(confirmed)}人；"
                           "请待专家确认，或由备选专家递补。")  # fmt: skip
        before = project.status
        project.status, project.evaluation_started_at = Project.Status.EVALUATING, clock.now()
        append_event(project, by=by, action="evaluate", from_status=before,
                     payload={"seed": project.seed, "candidates": project.draw_candidates,
                              "drawn": project.draw_result,
                              "committee": [{"number": s.expert.number, "name": s.expert.name,
                                             "category": s.category} for s in confirmed]})  # fmt: skip
        project.save()
    return project


def replay(project: Project) -> dict | None:
    """The published draw replayed (None before the evaluation starts): the seed checked against
    the commitment, the candidates against their hash, and the committee recomputed."""
    if project.evaluation_started_at is None:
        return None
    event = project.events.filter(action="evaluate").order_by("-seq").first()
    drawn = project.events.filter(action="draw").order_by("-seq").first()
    seed, cands = event.payload["seed"], event.payload["candidates"]
    n_econ = project.economic_experts
    again = compose(seed, cands["technical"], cands["economic"], project.committee_size - n_econ, n_econ,
                    project.reserves)  # fmt: skip
    return {
        "seed": seed,
        "seed_matches_commitment": draws.commitment(seed) == project.seed_commitment,
        "candidates_match_hash": candidates_hash(cands["technical"], cands["economic"])
        == drawn.payload["candidates_hash"],
        "candidates": cands,
        "published": event.payload["drawn"],
        "replayed": again,
        "same": again == event.payload["drawn"],
    }
