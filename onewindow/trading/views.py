"""The trading's public pages and a project's actions: the board (/trading/), a project's page
(the announcement and its rules; the opening record once opened; the committee and the replayable
draw once the evaluation starts; the ranking with every expert's score, the objections, the award
and the contract once reported; the trail) with the forms `steps.allowed_actions` offers, and the
owner's list (/my/trading/projects/). Thin views: parse, check access, call one step, render.

Before the opening the page says nothing about bids — neither who nor how many (招标投标法 art. 22);
a bidder sees only its own receipts."""

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from onewindow import clock, inputs
from onewindow.accounts.permissions import public, requires
from onewindow.actions import dispatch
from onewindow.errors import DomainError, NotFound
from onewindow.trading import award, bids, committee, evaluation, services, stats, steps
from onewindow.trading.audit import ACTIONS as ACTION_LABELS
from onewindow.trading.bidder_views import receipt
from onewindow.trading.models import Bid, Kind, Objection, Project, Seat

S = Project.Status
PAGE_SIZE = 30


def parse_date(value, field: str, label: str) -> dt.date:
    return inputs.parse_date(value, field, label, prefix="trading")


def savings(project: Project) -> dict | None:
    """The saving (tenders) or premium (land, property) of an awarded project: stats' figures."""
    figures = stats.project_figures(project)
    if figures is None:
        return None
    if project.is_auction:
        return {"fen": figures["premium_fen"], "rate": figures["premium_rate"], "label": "溢价"}
    return {"fen": figures["saving_fen"], "rate": figures["saving_rate"], "label": "节约资金"}


# ---- the board -----------------------------------------------------------------------------------


@public
@require_GET
def board(request):
    """交易公告: projects by status and kind, the ones still taking bids first (nearest deadline)."""
    g = request.GET
    status = g.get("status", "") if g.get("status", "") in S.values else ""
    kind = g.get("kind", "") if g.get("kind", "") in Kind.values else ""
    query = "".join(c for c in g.get("q", "") if c.isprintable())[:50].strip()
    rows = Project.objects.select_related("owner")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if query:
        rows = rows.filter(Q(title__icontains=query) | Q(number__iexact=query))
    rows = rows.order_by("-announced_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(g.get("page"))
    return render(request, "trading/board.html", {
        "page": page, "status": status, "statuses": S.choices, "kind": kind, "kinds": Kind.choices, "q": query,
        "now": clock.now(),
    })  # fmt: skip


# ---- a project's page ----------------------------------------------------------------------------


def _page(request, number: str, *, error: str = "", form=None, status: int = 200):
    p = services.by_number(number)
    user = request.user
    actions = steps.allowed_actions(p, user)
    officer, owner = services.is_officer(user), services.is_owner(user, p)
    bidder, expert = services.bidder_of(user), services.expert_of(user)
    seat = Seat.objects.filter(project=p, expert=expert).first() if expert else None
    opened = p.opened_at is not None
    record = list(bids.active_bids(p)) if opened else []
    ranking = sorted((b for b in record if b.rank), key=lambda b: b.rank) if p.reported_at else []
    # The bids' documents, for those who read them all (services.reads_every_document).
    reading = services.reads_every_document(p, user)
    valid = evaluation.valid_bids(p) if reading else []
    form = form or {}
    return render(request, "trading/project.html", {
        "p": p, "actions": actions, "error": error, "form": form, "is_officer": officer, "is_owner": owner,
        "overseer": services.is_overseer(user, p), "opened": opened, "record": record, "ranking": ranking,
        "candidates": evaluation.candidates(p),
        "valid": valid, "reading": reading, "seat": seat,
        "score_rows": [(b, form.get(f"points_{b.pk}", ""), form.get(f"comment_{b.pk}", "")) for b in valid],
        "technical_max": 100 - p.price_weight, "technical_experts": p.committee_size - p.economic_experts,
        "mine": list(bids.own_bids(p, bidder)) if bidder else [], "bidder": bidder,
        "draw_seats": (list(Seat.objects.filter(project=p).select_related("expert").order_by("role", "category", "order"))
                       if officer and p.drawn_at and not p.evaluation_started_at else []),
        "members": list(committee.members(p).filter(status=Seat.Status.CONFIRMED)) if p.evaluation_started_at else [],
        "replay": committee.replay(p),
        "scoreboard": evaluation.scoreboard(p) if p.reported_at else None,
        "objections": list(p.objections.select_related("bidder", "target__bidder")) if p.reported_at else [],
        "award_refusal": (award.award_refusal(p) if (owner or officer) and p.status == S.PUBLICITY
                          and "award" not in actions else None),
        "contract": getattr(p, "contract", None) if p.status == S.CONTRACTED else None, "savings": savings(p),
        "events": [(e, ACTION_LABELS.get(e.action, e.action)) for e in services.visible_events(p, user)],
        "now": clock.now(), "today": clock.today(), "min_bids": services.min_bids(p),
    }, status=status)  # fmt: skip


@public
@require_GET
def project_page(request, number: str):
    return _page(request, number)


def _bid(project: Project, post, key: str) -> Bid:
    pk = str(post.get(key, ""))
    found = (
        Bid.objects.filter(project=project, pk=pk).select_related("bidder").first() if pk.isdigit() else None
    )
    if found is None:
        raise DomainError("trading.target", "请选择本项目公示的中标候选人。", details={"field": key})
    return found


def _objection(project: Project, post) -> Objection:
    pk = str(post.get("objection", ""))
    found = Objection.objects.filter(project=project, pk=pk).first() if pk.isdigit() else None
    if found is None:
        raise NotFound("trading.no_objection", "未找到该异议。")
    return found


def _prefixed(post, prefix: str) -> dict[str, str]:
    return {key[len(prefix) :]: value for key, value in post.items() if key.startswith(prefix)}


ACTIONS = {
    "bid": lambda p, by, post: bids.submit(
        p, by=by, price_fen=services.parse_yuan(post.get("price", ""), "price", "投标报价"),
        days=services.parse_int(post.get("days", ""), "days", "工期/交付期", 1, bids.DAYS_MAX),
        proposal=post.get("proposal", "")),
    "withdraw": lambda p, by, post: bids.withdraw(p, by=by),
    "open": lambda p, by, post: bids.open_bids(p, by=by),
    "draw": lambda p, by, post: committee.draw(p, by=by),
    "confirm": lambda p, by, post: committee.answer(p, by=by, accept=True),
    "decline": lambda p, by, post: committee.answer(p, by=by, accept=False),
    "evaluate": lambda p, by, post: committee.start_evaluation(p, by=by),
    "score": lambda p, by, post: evaluation.submit_scores(
        p, by=by, points=_prefixed(post, "points_"), comments=_prefixed(post, "comment_")),
    "report": lambda p, by, post: evaluation.report(p, by=by),
    "cancel": lambda p, by, post: services.cancel(p, by=by, reason=post.get("reason", "")),
    "object": lambda p, by, post: award.file_objection(
        p, by=by, target=_bid(p, post, "target"), reason=post.get("reason", "")),
    "answer": lambda p, by, post: award.answer_objection(
        _objection(p, post), by=by, upheld=post.get("upheld") == "1", answer=post.get("answer", "")),
    "award": lambda p, by, post: award.award(p, by=by),
    "contract": lambda p, by, post: award.sign_contract(
        p, by=by, amount_fen=services.parse_yuan(post.get("amount", ""), "amount", "合同金额"),
        signed_on=parse_date(post.get("signed_on"), "signed_on", "签订日期")),
}  # fmt: skip
ACTION_PATTERN = "|".join(ACTIONS)


@requires()
@require_POST
def project_action(request, number: str, action: str):
    p = services.by_number(number)

    def done(result):
        if action == "bid":  # the receipt: the exact bytes sealed, shown once (they are stored only sealed)
            return receipt(request, p, *result)
        if action in ("confirm", "decline") and request.POST.get("back") == "expert":
            return redirect("trading:expert")
        return redirect("trading:project", number)

    return dispatch(
        request, ACTIONS, action, p, unknown=NotFound("trading.unknown_action", "没有这项操作。"), done=done,
        refused=lambda exc: _page(request, number, error=exc.message, form=request.POST, status=exc.status),
    )  # fmt: skip


# ---- the owner's projects ------------------------------------------------------------------------


@requires()
@require_GET
def owner_projects(request):
    """我的交易项目: the projects whose owner account is this user (answer objections, award, contract)."""
    rows = Project.objects.filter(owner_user=request.user).order_by("-announced_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "trading/owner_projects.html", {"page": page})
