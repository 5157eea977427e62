"""Publicity, objections, the award and the contract (公示、异议、定标、签约; RULES.md: candidates
published for ≥ 3 days; objections inside that period pause the award; the owner answers within
3 days).

The publicity runs from the report's day to the end of the PUBLICITY_DAYS-th working day after it.
A bidder of the project may object to a candidate while it runs; a pending objection pauses the
award. The owner answers: dismissed, the publicity goes on (if it ended meanwhile, the award may
follow at once); upheld, the candidate's bid is set aside, the ranking is redone and a new
publicity starts. The award goes to the first-ranked candidate, only after the publicity and with
no objection pending. Then the contract: for a tender at most the awarded price (招标投标法 art. 46:
no terms departing from the bid), for land and property at least it."""

import datetime as dt

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.trading import ocds, services
from onewindow.trading.audit import append_event
from onewindow.trading.evaluation import publish
from onewindow.trading.models import Bid, Contract, Objection, Project
from onewindow.workdays import calendar

S = Project.Status


def award_refusal(project: Project, today: dt.date | None = None) -> DomainError | None:
    """Why the award cannot be made now, or None (one rule for the owner's page and the API)."""
    today = today or clock.today()
    if project.status != S.PUBLICITY:
        return Conflict("trading.state", f"项目{project.get_status_display()}，不能定标。")
    if project.objections.filter(status=Objection.Status.PENDING).exists():
        return Conflict("trading.objection_pending", "有尚未答复的异议，定标暂停，请先答复异议。")
    if today <= project.publicity_until:
        return Conflict("trading.publicity", f"中标候选人公示期至{project.publicity_until:%Y年%m月%d日}，"
                                             "公示期满后方可定标。")  # fmt: skip
    return None


def file_objection(project: Project, *, by: User, target: Bid, reason: str) -> Objection:
    """异议 by a bidder of the project against a candidate, during the publicity."""
    bidder = services.bidder_of(by)
    reason = services.text(reason, "reason", "异议事项及理由", services.REASON_MAX)
    with transaction.atomic():
        project = services.locked(project)
        if bidder is None or not project.bids.filter(bidder=bidder, withdrawn_at__isnull=True,
                                                     superseded_at__isnull=True).exists():  # fmt: skip
            raise Forbidden("trading.not_bidder", "只有本项目的投标人可以对中标候选人提出异议。")
        today = clock.today()
        if project.status != S.PUBLICITY or today > project.publicity_until:
            raise Conflict("trading.publicity_over", "不在中标候选人公示期内，不能提出异议。")
        if target.project_id != project.pk or target.rank is None or target.rank > services.CANDIDATES \
                or target.disqualified:  # fmt: skip
            raise DomainError("trading.target", "请选择本项目公示的中标候选人。", details={"field": "target"})
        objection = Objection.objects.create(
            project=project, bidder=bidder, target=target, reason=reason, filed_at=clock.now(),
            answer_due_on=calendar.add_workdays(today, services.ANSWER_DAYS),
        )  # fmt: skip
        append_event(project, by=by, action="object", from_status=project.status, reason=reason,
                     payload={"objection": objection.pk, "bidder": bidder.credit_code,
                              "target": target.bidder.credit_code})  # fmt: skip
        project.save()
    return objection


def answer_objection(objection: Objection, *, by: User, upheld: bool, answer: str) -> Objection:
    """The owner's answer (within ANSWER_DAYS working days): upheld sets the candidate aside and
    publishes a new ranking for a new publicity."""
    answer = services.text(answer, "answer", "答复意见", services.REASON_MAX)
    with transaction.atomic():
        project = services.locked(objection.project)
        if not services.is_owner(by, project):
            raise Forbidden("trading.not_owner", "只有招标人可以答复异议。")
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != Objection.Status.PENDING:
            raise Conflict("trading.answered", "该异议已答复。")
        if project.status != S.PUBLICITY:
            raise Conflict("trading.state", f"项目{project.get_status_display()}，不能答复异议。")
        objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
        objection.answer, objection.answered_at, objection.answered_by = answer, clock.now(), by
        objection.save()
        append_event(project, by=by, action="answer", from_status=project.status, reason=answer,
                     payload={"objection": objection.pk, "upheld": upheld})  # fmt: skip
        if upheld:
            Bid.objects.filter(pk=objection.target_id).update(
                disqualified=f"异议成立：{answer}"[:200], rank=None
            )
            publish(project, by=by, action="report", reason="异议成立，重新排序并公示")
        else:
            project.save()
    return objection


def award(project: Project, *, by: User) -> Project:
    """定标 to the first-ranked candidate, after the publicity, no objection pending."""
    with transaction.atomic():
        project = services.locked(project)
        if not (services.is_owner(by, project) or services.is_officer(by)):
            raise Forbidden("trading.not_owner", "只有招标人可以定标。")
        refusal = award_refusal(project)
        if refusal:
            raise refusal
        winner = Bid.objects.select_related("bidder").get(project=project, rank=1)
        before = project.status
        project.status, project.awarded_bid, project.awarded_at = S.AWARDED, winner, clock.now()
        project.award_fen = winner.opened_price_fen
        append_event(project, by=by, action="award", from_status=before,
                     payload={"bidder": winner.bidder.credit_code, "name": winner.bidder.name,
                              "price_fen": winner.opened_price_fen})  # fmt: skip
        ocds.record(project, "award")
        project.save()
    return project


def sign_contract(project: Project, *, by: User, amount_fen: int, signed_on: dt.date) -> Contract:
    """签订合同 with the winner, recorded by the owner."""
    with transaction.atomic():
        project = services.locked(project)
        if not services.is_owner(by, project):
            raise Forbidden("trading.not_owner", "只有招标人可以登记合同。")
        if project.status != S.AWARDED:
            raise Conflict("trading.state", "定标后方可登记合同。")
        if signed_on > clock.today() or signed_on < project.awarded_at.astimezone(clock.hall_tz()).date():
            raise DomainError(
                "trading.signed_on", "签订日期应在定标之后、不晚于今天。", details={"field": "signed_on"}
            )
        too_far = amount_fen < project.award_fen if project.is_auction else amount_fen > project.award_fen
        if not 1 <= amount_fen <= services.FEN_MAX or too_far:
            word = "不得低于成交价" if project.is_auction else "不得高于中标价"
            raise DomainError("trading.contract_amount", f"合同金额{word}（{services.yuan(project.award_fen)}元）。",
                              details={"field": "amount"})  # fmt: skip
        contract = Contract.objects.create(project=project, amount_fen=amount_fen, signed_on=signed_on,
                                           recorded_at=clock.now(), recorded_by=by)  # fmt: skip
        before = project.status
        project.status = S.CONTRACTED
        append_event(project, by=by, action="contract", from_status=before,
                     payload={"amount_fen": amount_fen, "signed_on": signed_on.isoformat()})  # fmt: skip
        ocds.record(project, "contract")
        project.save()
    return contract
