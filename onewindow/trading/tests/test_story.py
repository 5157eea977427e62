"""The whole procurement at the service level: announcement, sealed bids, opening, draw,
evaluation, publicity with an objection, award, contract — every step on the chain and in OCDS."""

import datetime as dt
from decimal import Decimal

import pytest

from onewindow.errors import Conflict, Forbidden
from onewindow.trading import audit, award, committee, evaluation, ocds, sealing
from onewindow.trading.models import Bid, Project, Release
from onewindow.trading.tests.conftest import OPENING, TZ

pytestmark = pytest.mark.django_db


def test_bids_open_at_the_opening_and_match_their_receipts(announce, new_bidder, bid, at, trading):
    project = announce()
    sent = {}
    for n, price in enumerate((180_000_000, 170_000_000, 190_000_000), start=1):
        b, data = bid(project, new_bidder(n), price)
        sent[b.pk] = data
        assert sealing.digest(data) == b.digest
        assert str(price).encode() not in bytes(b.ciphertext) and b"proposal" not in bytes(b.ciphertext)
    at(OPENING - dt.timedelta(seconds=1))
    with pytest.raises(Forbidden) as refused:
        sealing.open_document(Bid.objects.first())
    assert refused.value.code == "trading.sealed"
    at(OPENING)
    from onewindow.trading import bids

    project = bids.open_bids(project, by=trading.officer)
    assert project.status == Project.Status.OPENED
    for b in Bid.objects.filter(project=project):
        data, doc = sealing.open_document(b)
        assert data == sent[b.pk] and b.opened_price_fen == doc["price_fen"]


def test_the_whole_story(evaluating, at, trading, new_bidder):
    project = evaluating()
    valid = evaluation.valid_bids(project)
    for seat in committee.members(project):
        evaluation.submit_scores(project, by=seat.expert.user, points={b.pk: "60" for b in valid})
    ranked = evaluation.report(project, by=trading.officer)
    project.refresh_from_db()
    assert project.status == Project.Status.PUBLICITY
    # Equal technical scores: the lowest price wins (price score 30 × base ÷ price).
    assert ranked[0].opened_price_fen == 170_000_000 and ranked[0].total_score == Decimal("90.00")
    assert ranked[1].price_score == (Decimal(30) * 170 / 180).quantize(Decimal("0.01"))
    with pytest.raises(Conflict) as early:
        award.award(project, by=trading.owner)
    assert early.value.code == "trading.publicity"
    second = Bid.objects.get(project=project, rank=2)
    objection = award.file_objection(
        project, by=second.bidder.user, target=ranked[0], reason="第一名业绩造假。"
    )
    at(dt.datetime.combine(project.publicity_until + dt.timedelta(days=1), dt.time(10), tzinfo=TZ))
    with pytest.raises(Conflict) as paused:
        award.award(project, by=trading.owner)
    assert paused.value.code == "trading.objection_pending"
    award.answer_objection(objection, by=trading.owner, upheld=False, answer="经核查业绩属实，异议不成立。")
    project = award.award(project, by=trading.owner)
    assert project.status == Project.Status.AWARDED and project.award_fen == 170_000_000
    award.sign_contract(
        project, by=trading.owner, amount_fen=170_000_000, signed_on=project.awarded_at.date()
    )
    project.refresh_from_db()
    assert project.status == Project.Status.CONTRACTED
    assert audit.chain_broken_at(project) is None
    replay = committee.replay(project)
    assert replay["same"] and replay["seed_matches_commitment"] and replay["candidates_match_hash"]
    releases = list(Release.objects.filter(project=project))
    assert [r.tag for r in releases] == ["tender", "tenderUpdate", "award", "award", "contract"]
    assert ocds.validate(ocds.package(releases, f"/api/v1/trading/projects/{project.number}/ocds")) == []
