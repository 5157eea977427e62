"""The selection of an agency for a purchase (RULES.md "Intermediary market"; issue 19): the
registration closes, the candidates are those still eligible, fewer than 2 → 流标 (the owner may
repost), else the purchase's method selects — a random draw, the lowest offer (a tie drawn), the
owner's direct choice, or best value (a credit long list, a random short list, the owner's
choice). The owner chooses; never the approving department.

Every draw is commit-reveal (onewindow.draws): the seed's commitment was published when the
purchase was posted; the draw's event publishes the seed, the candidates and the result, and
`replay` recomputes it from what is published. Each step is one transaction with the purchase
locked, and an event of its chain (market.audit)."""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import OuterRef, Subquery

from onewindow import clock, draws
from onewindow.accounts.models import User
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.market import services
from onewindow.market.audit import append_event
from onewindow.market.models import Agency, Grade, Method, Purchase, PurchaseEvent, Registration, YearGrade

log = logging.getLogger("onewindow.market")

S = Purchase.Status
MIN_CANDIDATES = 2
FAILED_REASON = "流标：报名不足2家"
REASON_MAX = 500
# Statuses in which the registrants (and their offers) are public: the registration has closed
# with a result. Before that only their number is shown (nobody, the owner included, learns who
# registered while agencies may still register).
CLOSED = (S.CHOOSING, S.SELECTED, S.FAILED, S.CONTRACTED, S.DELIVERED, S.COMPLETED)
# The long list's order of grades: A, then B and the ungraded (counted as B), then C.
GRADE_RANK = {Grade.A: 0, Grade.B: 1, "": 1, Grade.C: 2}
PURPOSES = {"random": "随机抽取选定机构", "tie": "最低价并列时抽取", "short_list": "综合优选随机短名单"}
ALGORITHM = "onewindow.draws.pick: SHA-256(seed‖counter) Fisher–Yates, candidates sorted"


def _locked(purchase: Purchase) -> Purchase:
    return Purchase.objects.select_for_update(of=("self",)).select_related("service_type").get(pk=purchase.pk)


def is_owner(purchase: Purchase, user: User) -> bool:
    owner = services.owner_of(user)
    return owner is not None and owner.pk == purchase.owner_id


def _owner_only(purchase: Purchase, user: User) -> None:
    if not is_owner(purchase, user):
        raise Forbidden("market.not_purchase_owner", "只有该项目的业主可以执行此操作。")


def _reason(value, *, required: bool) -> str:
    return services.text(value, "reason", "理由", REASON_MAX, required=required)


# ---- the candidates ------------------------------------------------------------------------------


def candidates(purchase: Purchase, today: dt.date | None = None) -> list[Registration]:
    """The live registrations (not withdrawn) whose agency is still eligible on `today` (the
    close's day): the one rule of who may be selected — an agency blacklisted, expelled or whose
    qualification lapsed after registering is out."""
    today = today or clock.today()
    live = (
        Registration.objects.filter(purchase=purchase, withdrawn_at__isnull=True)
        .select_related("agency")
        .order_by("registered_at", "pk")
    )
    return [r for r in live if services.eligibility_refusal(r.agency, purchase, today) is None]


def _credit_order(registrations: list[Registration]) -> list[Registration]:
    """Best value's long-list order: grade (A, B or ungraded, C), then the latest published
    year's points (higher first; none last), then the credit code."""
    latest = (
        YearGrade.objects.filter(agency=OuterRef("pk"), status=YearGrade.Status.PUBLISHED)
        .order_by("-year")
        .values("points")[:1]
    )
    points = dict(
        Agency.objects.filter(pk__in=[r.agency_id for r in registrations])
        .annotate(p=Subquery(latest))
        .values_list("pk", "p")
    )

    def key(r: Registration):
        p = points.get(r.agency_id)
        return (GRADE_RANK.get(r.agency.grade, 1), p is None, -(p or 0), r.agency.credit_code)

    return sorted(registrations, key=key)


# ---- closing -------------------------------------------------------------------------------------


def _draw(p: Purchase, keys: list[str], k: int, purpose: str, now) -> dict:
    """Runs the draw and publishes the seed: what the draw's event records (replay reads it)."""
    result = draws.pick(p.seed, keys, k)
    p.drawn_at = now
    return {"purpose": purpose, "seed": p.seed, "commitment": p.seed_commitment, "candidates": sorted(keys),
            "k": k, "result": result, "algorithm": ALGORITHM}  # fmt: skip


def _select(p: Purchase, registration: Registration, now) -> None:
    p.status, p.selected, p.selected_at = S.SELECTED, registration, now


@transaction.atomic
def close(purchase: Purchase, *, by: User | None = None) -> Purchase:
    """报名截止、选取: CLOSE_GRACE after the deadline, the candidates are fixed; fewer than 2 →
    流标; else the method selects (random, lowest price) or leaves the choice to the owner
    (direct; best value within its random short list)."""
    p = _locked(purchase)
    now = clock.now()
    if p.status != S.POSTED:
        raise Conflict("market.not_open", f"该项目当前为“{p.get_status_display()}”，不能截止选取。")
    if now < p.registration_deadline + services.CLOSE_GRACE:
        raise Conflict("market.before_deadline", "报名尚未截止，不能选取。",
                       details={"deadline": p.registration_deadline.isoformat()})  # fmt: skip
    found = candidates(p, clock.today())
    by_key = {r.agency.credit_code: r for r in found}
    keys = sorted(by_key)
    live = Registration.objects.filter(purchase=p, withdrawn_at__isnull=True).count()
    base = {"method": p.method, "registrations": live, "eligible": keys}
    if len(found) < MIN_CANDIDATES:
        p.status = S.FAILED
        p.closed_reason = f"{FAILED_REASON}（符合条件的报名{len(found)}家）"
        append_event(p, by=by, action="fail", from_status=S.POSTED, reason=p.closed_reason, payload=base)
        p.save(update_fields=["status", "closed_reason", "event_count", "last_hash"])
        return p
    action, payload = "close", dict(base)
    if p.method == Method.RANDOM:
        payload["draw"] = _draw(p, keys, 1, "random", now)
        _select(p, by_key[payload["draw"]["result"][0]], now)
        action = "draw"
    elif p.method == Method.LOWEST_PRICE:
        lowest = min(r.offer_fen for r in found)
        tied = sorted(r.agency.credit_code for r in found if r.offer_fen == lowest)
        payload["offers"] = {r.agency.credit_code: r.offer_fen for r in found}
        if len(tied) > 1:
            payload["draw"] = _draw(p, tied, 1, "tie", now)
            tied, action = payload["draw"]["result"], "draw"
        _select(p, by_key[tied[0]], now)
    elif p.method == Method.BEST_VALUE:
        settings = services.market_settings()
        long_list = [r.agency.credit_code for r in _credit_order(found)[: settings.long_list_size]]
        payload["long_list"] = long_list
        payload["draw"] = _draw(p, long_list, settings.short_list_size, "short_list", now)
        p.short_list = payload["draw"]["result"]
        p.status, action = S.CHOOSING, "draw"
    else:  # direct: the owner chooses any candidate
        p.status = S.CHOOSING
    payload["selected"] = p.selected.agency.credit_code if p.selected_id else ""
    append_event(p, by=by, action=action, from_status=S.POSTED, payload=payload)
    p.save(
        update_fields=[
            "status",
            "drawn_at",
            "short_list",
            "selected",
            "selected_at",
            "event_count",
            "last_hash",
        ]
    )
    return p


def close_due() -> int:
    """The periodic job: every posted purchase CLOSE_GRACE past its deadline (the partial index
    purchase_open_deadline), each closed in its own transaction; one closed meanwhile by
    another worker is skipped. How many were closed."""
    cutoff = clock.now() - services.CLOSE_GRACE
    due = Purchase.objects.filter(status=S.POSTED, registration_deadline__lte=cutoff).order_by(
        "registration_deadline", "pk"
    )
    closed = 0
    for pk in list(due.values_list("pk", flat=True)[:1000]):
        try:
            close(Purchase(pk=pk))
        except DomainError as exc:
            log.info("中介超市项目 %s 未截止选取：%s", pk, exc.message)
        else:
            closed += 1
    return closed


# ---- the owner's steps ---------------------------------------------------------------------------


@transaction.atomic
def choose(purchase: Purchase, registration: Registration | None, *, by: User, reason: str = "") -> Purchase:
    """业主选定: for direct choice any candidate of the close; for best value one of the random
    short list. The candidate is still eligible today (a blacklisted agency cannot be selected)."""
    _owner_only(purchase, by)
    p = _locked(purchase)
    reason = _reason(reason, required=False)
    if p.status != S.CHOOSING:
        raise Conflict("market.not_choosing", f"该项目当前为“{p.get_status_display()}”，不能选定中介机构。")
    if registration is None or registration.purchase_id != p.pk:
        raise DomainError(
            "market.not_candidate", "请选择本项目的报名机构。", details={"field": "registration"}
        )
    at_close = closing_event(p)
    fixed = set(at_close.payload.get("eligible", [])) if at_close else set()
    eligible = {r.pk: r for r in candidates(p, clock.today()) if r.agency.credit_code in fixed}
    chosen = eligible.get(registration.pk)
    if chosen is None:
        raise DomainError("market.not_candidate", "该机构不是本项目的有效候选机构（已撤回报名或已不符合条件）。",
                          details={"field": "registration"})  # fmt: skip
    if p.method == Method.BEST_VALUE and chosen.agency.credit_code not in p.short_list:
        raise DomainError("market.not_short_listed", "综合优选只能在随机短名单内选定。",
                          details={"field": "registration"})  # fmt: skip
    now = clock.now()
    _select(p, chosen, now)
    append_event(p, by=by, action="choose", from_status=S.CHOOSING, reason=reason,
                 payload={"selected": chosen.agency.credit_code, "offer_fen": chosen.offer_fen})  # fmt: skip
    p.save(update_fields=["status", "selected", "selected_at", "event_count", "last_hash"])
    return p


@transaction.atomic
def cancel(purchase: Purchase, *, by: User, reason: str) -> Purchase:
    """撤销: the owner withdraws the need while registering or before choosing, with a reason."""
    _owner_only(purchase, by)
    p = _locked(purchase)
    reason = _reason(reason, required=True)
    if p.status not in (S.POSTED, S.CHOOSING):
        raise Conflict("market.not_cancellable", f"该项目当前为“{p.get_status_display()}”，不能撤销。")
    from_status = p.status
    p.status, p.closed_reason = S.CANCELLED, reason[:200]
    append_event(p, by=by, action="cancel", from_status=from_status, reason=reason)
    p.save(update_fields=["status", "closed_reason", "event_count", "last_hash"])
    return p


@transaction.atomic
def repost(purchase: Purchase, *, by: User, registration_deadline: dt.datetime) -> Purchase:
    """重新发布 a failed purchase: a new purchase with the same need and a new deadline (and a new
    seed), linked to the old one; once."""
    _owner_only(purchase, by)
    old = _locked(purchase)
    if old.status != S.FAILED:
        raise Conflict("market.not_failed", "只有流标的项目可以重新发布。")
    if Purchase.objects.filter(reposted_from=old).exists():
        raise Conflict("market.reposted_already", "该项目已重新发布。")
    new = services.post(
        by=by, owner_type=old.owner_type, title=old.title, service_type=old.service_type, scope=old.scope,
        budget_fen=old.budget_fen, time_limit_days=old.time_limit_days, method=old.method,
        registration_deadline=registration_deadline, government_invested=old.government_invested,
        project_code=old.project_code, reposted_from=old,
    )  # fmt: skip
    append_event(old, by=by, action="repost", from_status=old.status, payload={"reposted_as": new.number})
    old.save(update_fields=["event_count", "last_hash"])
    return new


# ---- the draw, replayed --------------------------------------------------------------------------


# Anyone's replay of a published draw, standalone (Python 3, nothing to install): the same as
# onewindow.draws.pick; docs/market.md "Draws" prints it and the purchase page shows it.
REPLAY_SNIPPET = """\
import hashlib, json, sys


def pick(seed_hex, candidates, k):
    order, key, counter, buf = sorted(candidates), bytes.fromhex(seed_hex), 0, b""

    def below(bound):  # a uniform integer in [0, bound): 8 bytes at a time, no modulo bias
        nonlocal counter, buf
        limit = 2**64 - 2**64 % bound
        while True:
            while len(buf) < 8:
                buf += hashlib.sha256(key + counter.to_bytes(8, "big")).digest()
                counter += 1
            value, buf = int.from_bytes(buf[:8], "big"), buf[8:]
            if value < limit:
                return value % bound

    for i in range(len(order) - 1, 0, -1):
        j = below(i + 1)
        order[i], order[j] = order[j], order[i]
    return order[:k]


draw = json.load(sys.stdin)  # GET /api/v1/market/purchases/<number>/draw
print(
    "seed matches commitment:", hashlib.sha256(bytes.fromhex(draw["seed"])).hexdigest() == draw["commitment"]
)
print("replayed:", pick(draw["seed"], draw["candidates"], draw["k"]), "recorded:", draw["result"])
"""


def draw_event(purchase: Purchase) -> PurchaseEvent | None:
    """The event that published the draw (None: no draw has run)."""
    if purchase.drawn_at is None:
        return None
    return purchase.events.filter(action="draw").order_by("seq").first()


def closing_event(purchase: Purchase) -> PurchaseEvent | None:
    """The event that closed the registration (fail, close or draw)."""
    return purchase.events.filter(action__in=("fail", "close", "draw")).order_by("seq").first()


def replay(purchase: Purchase) -> dict:
    """Recomputes the draw from what is published — the seed and candidates of the draw's event,
    the commitment of the post event — and says whether it gives the recorded result and whether
    the seed hashes to the commitment published before the draw."""
    event = draw_event(purchase)
    if event is None:
        raise NotFound("market.not_drawn", "该项目尚未进行随机抽取，随机种子尚未公开。")
    draw = event.payload["draw"]
    posted = purchase.events.filter(action="post").order_by("seq").first()
    published = posted.payload.get("seed_commitment", "") if posted else purchase.seed_commitment
    replayed = draws.pick(draw["seed"], draw["candidates"], draw["k"])
    return {
        "number": purchase.number, "purpose": draw["purpose"], "drawn_at": event.at, "seed": draw["seed"],
        "commitment": published, "commitment_matches": draws.commitment(draw["seed"]) == published,
        "candidates": draw["candidates"], "k": draw["k"], "recorded": draw["result"], "replayed": replayed,
        "matches": replayed == draw["result"], "event_seq": event.seq, "event_hash": event.hash,
    }  # fmt: skip


# ---- what a person may do here -------------------------------------------------------------------


def live_registration(purchase: Purchase, agency: Agency | None) -> Registration | None:
    if agency is None:
        return None
    return Registration.objects.filter(purchase=purchase, agency=agency, withdrawn_at__isnull=True).first()


def allowed_actions(purchase: Purchase, user: User) -> list[str]:
    """The one rule of what the pages and the API offer: register and withdraw for an eligible
    agency while the registration is open; choose, cancel and repost for the owner."""
    actions: list[str] = []
    open_ = purchase.status == S.POSTED and clock.now() < purchase.registration_deadline
    agency = services.agency_of(user)
    if agency is not None and open_:
        if live_registration(purchase, agency) is not None:
            actions.append("withdraw")
        elif services.eligibility_refusal(agency, purchase, clock.today()) is None:
            actions.append("register")
    if is_owner(purchase, user):
        if purchase.status == S.CHOOSING:
            actions.append("choose")
        if purchase.status in (S.POSTED, S.CHOOSING):
            actions.append("cancel")
        if purchase.status == S.FAILED and not Purchase.objects.filter(reposted_from=purchase).exists():
            actions.append("repost")
    return actions


def registrants_public(purchase: Purchase) -> bool:
    return purchase.status in CLOSED


def purchase_by_number(number: str) -> Purchase:
    """The purchase of a page or an API path (public: the board shows every purchase); 404 when
    there is none."""
    found = (
        Purchase.objects.select_related("service_type", "owner", "selected__agency", "reposted_from")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise NotFound("market.purchase_not_found", "未找到该中介服务采购项目。")
    return found
