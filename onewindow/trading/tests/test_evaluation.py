"""The committee's answers, scoring, the ranking, an upheld objection, land auctions and cancelling."""

import datetime as dt
from decimal import Decimal

import pytest

from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.notify.models import Message
from onewindow.trading import award, bids, committee, evaluation, services
from onewindow.trading.models import Bid, Project, Seat
from onewindow.trading.tests.conftest import OPENING, TZ

pytestmark = pytest.mark.django_db


def test_a_declined_member_is_replaced_by_the_next_reserve_of_the_category(opened, pool, trading):
    pool()
    project = opened()
    committee.draw(project, by=trading.officer)
    assert Message.objects.filter(event="expert_invited").count() == 5
    econ = Seat.objects.get(project=project, role=Seat.Role.MEMBER, category="economic")
    committee.answer(project, by=econ.expert.user, accept=False)
    called = Seat.objects.get(
        project=project, role=Seat.Role.MEMBER, category="economic", status=Seat.Status.INVITED
    )
    assert called.order == 1 and called.expert != econ.expert  # the first economic reserve
    assert Message.objects.filter(event="expert_invited").count() == 6
    with pytest.raises(Conflict) as incomplete:
        committee.start_evaluation(project, by=trading.officer)
    assert incomplete.value.code == "trading.committee_incomplete"
    with pytest.raises(Conflict):
        committee.answer(project, by=econ.expert.user, accept=True)  # answered already


def test_scores_are_checked_and_final(evaluating, trading):
    project = evaluating()
    seat = committee.members(project).first()
    valid = evaluation.valid_bids(project)
    with pytest.raises(DomainError) as missing:
        evaluation.submit_scores(project, by=seat.expert.user, points={valid[0].pk: "50"})
    assert missing.value.code == "trading.scores_incomplete"
    with pytest.raises(DomainError) as high:
        evaluation.submit_scores(project, by=seat.expert.user, points={b.pk: "70.01" for b in valid})
    assert high.value.code == "trading.points"  # 100 − 30 = 70 at most
    evaluation.submit_scores(project, by=seat.expert.user, points={b.pk: "70" for b in valid})
    with pytest.raises(Conflict):
        evaluation.submit_scores(project, by=seat.expert.user, points={b.pk: "1" for b in valid})
    with pytest.raises(Forbidden):
        evaluation.submit_scores(project, by=trading.owner, points={b.pk: "1" for b in valid})
    with pytest.raises(Conflict) as pending:
        evaluation.report(project, by=trading.officer)
    assert pending.value.code == "trading.scores_pending"


def test_ranking_uses_the_announced_formula_and_the_mean_of_the_experts(evaluating, trading):
    project = evaluating()
    valid = {b.opened_price_fen: b for b in evaluation.valid_bids(project)}
    # Technical points per member: the 190 bid is best technically.
    points = {170_000_000: "40", 180_000_000: "50", 190_000_000: "66"}
    for i, seat in enumerate(committee.members(project)):
        given = {valid[p].pk: str(Decimal(v) + (i if p == 190_000_000 else 0)) for p, v in points.items()}
        evaluation.submit_scores(project, by=seat.expert.user, points=given)
    ranked = evaluation.report(project, by=trading.officer)
    top = ranked[0]
    # 190: price 30 × 170/190 = 26.84; technical mean of 66..70 = 68.00 → 94.84.
    assert top.opened_price_fen == 190_000_000
    assert (top.price_score, top.technical_score, top.total_score) == (Decimal("26.84"), Decimal("68.00"),
                                                                       Decimal("94.84"))  # fmt: skip
    assert [b.rank for b in ranked] == [1, 2, 3]


def _reported(evaluating, trading):
    project = evaluating()
    valid = evaluation.valid_bids(project)
    for seat in committee.members(project):
        evaluation.submit_scores(project, by=seat.expert.user, points={b.pk: "60" for b in valid})
    evaluation.report(project, by=trading.officer)
    project.refresh_from_db()
    return project


def test_an_upheld_objection_sets_the_candidate_aside_and_restarts_the_publicity(evaluating, trading, at):
    project = _reported(evaluating, trading)
    first = Bid.objects.get(project=project, rank=1)
    other = Bid.objects.get(project=project, rank=3)
    answered_on = project.publicity_from + dt.timedelta(days=1)
    at(dt.datetime.combine(answered_on, dt.time(10), tzinfo=TZ))
    objection = award.file_objection(project, by=other.bidder.user, target=first, reason="资质证书已过期。")
    award.answer_objection(objection, by=trading.owner, upheld=True, answer="经核查资质已过期，异议成立。")
    project.refresh_from_db()
    first.refresh_from_db()
    assert first.disqualified.startswith("异议成立") and first.rank is None
    assert Bid.objects.get(project=project, rank=1).opened_price_fen == 180_000_000
    assert project.publicity_from == answered_on  # a new publicity from the answer's day
    at(dt.datetime.combine(project.publicity_until + dt.timedelta(days=1), dt.time(10), tzinfo=TZ))
    project = award.award(project, by=trading.owner)
    assert project.award_fen == 180_000_000


def test_objections_only_by_bidders_and_only_during_the_publicity(evaluating, trading, at, new_bidder):
    project = _reported(evaluating, trading)
    first = Bid.objects.get(project=project, rank=1)
    with pytest.raises(Forbidden):
        award.file_objection(project, by=new_bidder(9).user, target=first, reason="我不是投标人")
    at(dt.datetime.combine(project.publicity_until + dt.timedelta(days=1), dt.time(10), tzinfo=TZ))
    with pytest.raises(Conflict) as late:
        award.file_objection(
            project, by=Bid.objects.get(project=project, rank=2).bidder.user, target=first, reason="晚了"
        )
    assert late.value.code == "trading.publicity_over"


def test_a_land_listing_goes_to_the_highest_price_without_a_committee(announce, new_bidder, bid, at, trading):
    project = announce(kind="land", method="listing", title="城南地块国有建设用地使用权挂牌出让",
                       budget_fen=5_000_000_000, committee_size=0, economic_experts=0)  # fmt: skip
    assert (project.price_weight, project.committee_size) == (100, 0)
    bid(project, new_bidder(1), 5_200_000_000)
    bid(project, new_bidder(2), 4_900_000_000)  # below the reserve: set aside at the opening
    at(OPENING)
    project = bids.open_bids(project, by=trading.officer)
    with pytest.raises(Conflict):
        committee.draw(project, by=trading.officer)
    ranked = evaluation.report(project, by=trading.officer)
    assert [b.opened_price_fen for b in ranked] == [5_200_000_000]
    project.refresh_from_db()
    at(dt.datetime.combine(project.publicity_until + dt.timedelta(days=1), dt.time(10), tzinfo=TZ))
    project = award.award(project, by=trading.officer)
    with pytest.raises(DomainError) as low:
        award.sign_contract(
            project, by=trading.owner, amount_fen=5_000_000_000, signed_on=project.awarded_at.date()
        )
    assert low.value.code == "trading.contract_amount"
    award.sign_contract(
        project, by=trading.owner, amount_fen=5_200_000_000, signed_on=project.awarded_at.date()
    )


def test_cancel_before_the_award_only_by_the_trading_center(announce, trading):
    project = announce()
    with pytest.raises(Forbidden):
        services.cancel(project, by=trading.owner, reason="不需要了")
    project = services.cancel(project, by=trading.officer, reason="采购需求变更")
    assert project.status == Project.Status.CANCELLED
    with pytest.raises(Conflict):
        services.cancel(project, by=trading.officer, reason="again")
