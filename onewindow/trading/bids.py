"""Sealed bids and the opening (投标、撤回、开标; RULES.md: bids are sealed until the opening time;
fewer than 3 bids, the tender is not opened).

A bid is the bidder's document — canonical JSON of its price, its days and its technical and
business response — encrypted with the project's key (sealing.py); the bidder's receipt is the
SHA-256 of that document. Until the opening time a bidder may withdraw, or resubmit (the new
version replaces the old). At the opening time (the periodic job `trading_open`, or the trading
center's button) the bids are counted: too few, the project fails unopened; else every bid is
decrypted, checked against its receipt, and its price and days become the opening record."""

import datetime as dt

from django.db import transaction
from django.db.models import Max

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.trading import ocds, sealing, services
from onewindow.trading.audit import append_event
from onewindow.trading.models import Bid, Bidder, CreditRecord, Project

PROPOSAL_MAX = 20000
DAYS_MAX = 3650
# How long after the opening time the job opens a project by itself: bids that arrived in time
# and queued on the project's lock have long finished by then.
OPEN_GRACE = dt.timedelta(minutes=1)


def document(project: Project, bidder: Bidder, *, price_fen: int, days: int, proposal: str) -> dict:
    """What the bidder sends, as it is sealed and hashed (its receipt is the SHA-256 of
    sealing.canonical(document))."""
    return {"project": project.number, "bidder": bidder.credit_code, "price_fen": price_fen, "days": days,
            "proposal": proposal}  # fmt: skip


def debarment(bidder: Bidder, day: dt.date) -> CreditRecord | None:
    """The penalty that bars the bidder on `day` (信用库: 禁止投标期内), if any."""
    return (CreditRecord.objects.filter(bidder=bidder, kind=CreditRecord.Kind.PENALTY, debarred_until__gte=day)
            .order_by("-debarred_until").first())  # fmt: skip


def submit(project: Project, *, by: User, price_fen: int, days: int, proposal: str) -> tuple[Bid, bytes]:
    """递交投标文件 before the bid deadline: (the bid, the exact bytes sealed — the receipt's
    digest is their SHA-256). A second submission replaces the first. The time that counts is the
    request's arrival, read before waiting for the project's lock (as the market's registrations)."""
    arrived = clock.now()
    bidder = services.bidder_of(by)
    if bidder is None:
        raise Forbidden("trading.not_bidder", "请以投标人（企业）账号登录后投标。")
    proposal = services.text(proposal, "proposal", "技术商务响应", PROPOSAL_MAX)
    if not 1 <= price_fen <= services.FEN_MAX:
        raise DomainError("trading.amount", "投标报价超出允许范围。", details={"field": "price"})
    if not 1 <= days <= DAYS_MAX:
        raise DomainError("trading.days", f"工期/交付期应在1至{DAYS_MAX}日之间。", details={"field": "days"})
    barred = debarment(bidder, arrived.astimezone(clock.hall_tz()).date())
    if barred is not None:
        raise Forbidden(
            "trading.debarred", f"贵单位在禁止投标期内（至{barred.debarred_until:%Y年%m月%d日}），不能投标。"
        )
    with transaction.atomic():
        project = services.locked(project)
        if project.status != Project.Status.ANNOUNCED or arrived >= project.opening_at:
            raise Conflict("trading.closed", "投标截止时间已过，不再接收投标文件。")
        data = sealing.canonical(document(project, bidder, price_fen=price_fen, days=days, proposal=proposal))
        previous = Bid.objects.filter(project=project, bidder=bidder)
        version = (previous.aggregate(v=Max("version"))["v"] or 0) + 1
        replaced = previous.filter(withdrawn_at__isnull=True, superseded_at__isnull=True).update(
            superseded_at=arrived
        )
        nonce, ciphertext = sealing.seal(project, bidder.credit_code, version, data)
        bid = Bid.objects.create(project=project, bidder=bidder, version=version, nonce=nonce, ciphertext=ciphertext,
                                 digest=sealing.digest(data), submitted_at=arrived)  # fmt: skip
        append_event(project, by=by, action="bid", from_status=project.status,
                     payload={"bidder": bidder.credit_code, "version": version, "digest": bid.digest,
                              "replaces": bool(replaced)})  # fmt: skip
        project.save()
    return bid, data


def withdraw(project: Project, *, by: User) -> Bid:
    """撤回投标文件 before the bid deadline."""
    arrived = clock.now()
    bidder = services.bidder_of(by)
    if bidder is None:
        raise Forbidden("trading.not_bidder", "请以投标人（企业）账号登录。")
    with transaction.atomic():
        project = services.locked(project)
        if project.status != Project.Status.ANNOUNCED or arrived >= project.opening_at:
            raise Conflict("trading.closed", "投标截止时间已过，不能撤回投标文件。")
        bid = Bid.objects.filter(project=project, bidder=bidder, withdrawn_at__isnull=True,
                                 superseded_at__isnull=True).first()  # fmt: skip
        if bid is None:
            raise Conflict("trading.no_bid", "贵单位没有可撤回的投标文件。")
        bid.withdrawn_at = arrived
        bid.save(update_fields=["withdrawn_at"])
        append_event(project, by=by, action="withdraw", from_status=project.status,
                     payload={"bidder": bidder.credit_code, "version": bid.version})  # fmt: skip
        project.save()
    return bid


def active_bids(project: Project):
    return (Bid.objects.filter(project=project, withdrawn_at__isnull=True, superseded_at__isnull=True)
            .select_related("bidder").order_by("submitted_at", "pk"))  # fmt: skip


def own_bids(project: Project, bidder: Bidder):
    """A bidder's own bids of a project, every version (its receipts)."""
    return Bid.objects.filter(project=project, bidder=bidder).order_by("-version")


def _disqualification(project: Project, price_fen: int) -> str:
    """Why a bid's price fails the announced limit at the opening ('' when it does not): a tender's
    budget is its highest price (最高投标限价); an auction's its reserve (底价)."""
    if project.is_auction:
        return "" if price_fen >= project.budget_fen else "报价低于底价/起始价"
    return "" if price_fen <= project.budget_fen else "报价超过最高投标限价（预算）"


def open_bids(project: Project, *, by: User | None) -> Project:
    """开标 at or after the opening time: fewer bids than the method's minimum → 流标, unopened;
    else every bid is decrypted, checked against its receipt and recorded (the opening record).
    `by` None: the periodic job."""
    if by is not None and not services.is_officer(by):
        raise Forbidden("trading.not_officer", "只有公共资源交易中心工作人员可以开标。")
    with transaction.atomic():
        project = services.locked(project)
        if project.status != Project.Status.ANNOUNCED:
            raise Conflict("trading.state", f"项目{project.get_status_display()}，不能开标。")
        sealing.project_key(project)  # 403 trading.sealed before the opening time
        bids = list(active_bids(project))
        before = project.status
        if len(bids) < services.min_bids(project):
            project.status = Project.Status.FAILED
            project.closed_reason = f"投标人不足{services.min_bids(project)}家（{len(bids)}家），不予开标"
            append_event(project, by=by, action="fail", from_status=before, reason=project.closed_reason,
                         payload={"bids": len(bids)})  # fmt: skip
            ocds.record(project, "tenderUpdate")
            project.save()
            return project
        record = []
        for bid in bids:
            data, doc = sealing.open_document(bid)
            if sealing.digest(data) != bid.digest:  # the seal holds, so this cannot happen unnoticed
                raise sealing.SealBroken(f"bid {bid.pk} does not match its receipt")
            bid.opened_price_fen, bid.opened_days, bid.opened_proposal = (
                doc["price_fen"],
                doc["days"],
                doc["proposal"],
            )
            bid.disqualified = _disqualification(project, bid.opened_price_fen)
            bid.save(update_fields=["opened_price_fen", "opened_days", "opened_proposal", "disqualified"])
            record.append({"bidder": bid.bidder.credit_code, "name": bid.bidder.name, "price_fen": bid.opened_price_fen,
                           "days": bid.opened_days, "digest": bid.digest, "disqualified": bid.disqualified})  # fmt: skip
        project.status, project.opened_at = Project.Status.OPENED, clock.now()
        append_event(project, by=by, action="open", from_status=before, payload={"bids": record})
        ocds.record(project, "tenderUpdate")
        project.save()
    return project


def open_due(now: dt.datetime | None = None) -> int:
    """The periodic job `trading_open`: opens every announced project whose opening time passed
    (OPEN_GRACE ago); returns how many it opened or failed."""
    cutoff = (now or clock.now()) - OPEN_GRACE
    done = 0
    for project in Project.objects.filter(status=Project.Status.ANNOUNCED, opening_at__lte=cutoff).order_by(
        "pk"
    ):
        try:
            open_bids(project, by=None)
        except Conflict:  # opened by the trading center meanwhile
            continue
        done += 1
    return done
