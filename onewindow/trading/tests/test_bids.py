"""Sealed bids: the seal holds (tampering, a moved ciphertext, the wrong platform key), too few
bids fail unopened, resubmission and withdrawal before the deadline, a debarred bidder refused,
and the announcement's rules (methods by kind, the timeline, the shortest bidding period)."""

import datetime as dt

import pytest

from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.trading import bids, sealing
from onewindow.trading.models import Bid, CreditRecord, Project, ProjectEvent
from onewindow.trading.tests.conftest import MONDAY, OPENING

pytestmark = pytest.mark.django_db


def test_too_few_bids_fail_unopened(announce, new_bidder, bid, at, trading):
    project = announce()
    bid(project, new_bidder(1), 100_000_000)
    bid(project, new_bidder(2), 110_000_000)
    at(OPENING)
    project = bids.open_bids(project, by=trading.officer)
    assert project.status == Project.Status.FAILED and "不足3家" in project.closed_reason
    assert not Bid.objects.filter(project=project, opened_price_fen__isnull=False).exists()


def test_a_tampered_or_moved_ciphertext_does_not_open(announce, new_bidder, bid, at, trading):
    project = announce()
    first, _ = bid(project, new_bidder(1), 100_000_000)
    second, _ = bid(project, new_bidder(2), 110_000_000)
    Bid.objects.filter(pk=second.pk).update(
        ciphertext=first.ciphertext, nonce=first.nonce
    )  # moved onto another bid
    at(OPENING)
    with pytest.raises(sealing.SealBroken):
        sealing.open_document(Bid.objects.get(pk=second.pk))
    flipped = bytearray(bytes(first.ciphertext))
    flipped[0] ^= 1
    Bid.objects.filter(pk=first.pk).update(ciphertext=bytes(flipped))
    with pytest.raises(sealing.SealBroken):
        sealing.open_document(Bid.objects.get(pk=first.pk))


def test_the_wrong_platform_key_opens_nothing(announce, new_bidder, bid, at, settings):
    project = announce()
    first, _ = bid(project, new_bidder(1), 100_000_000)
    at(OPENING)
    settings.ONEWINDOW_TRADING_KEY = "B" * 43 + "="
    with pytest.raises(sealing.SealBroken):
        sealing.open_document(Bid.objects.get(pk=first.pk))


def test_resubmission_replaces_and_withdrawal_ends_before_the_deadline(
    announce, new_bidder, bid, at, trading
):
    project = announce()
    bidder = new_bidder(1)
    bid(project, bidder, 100_000_000)
    newer, data = bid(project, bidder, 95_000_000)
    assert newer.version == 2 and Bid.objects.filter(project=project, bidder=bidder).count() == 2
    assert list(bids.active_bids(project)) == [newer]
    bids.withdraw(project, by=bidder.user)
    assert not bids.active_bids(project).exists()
    at(OPENING)
    with pytest.raises(Conflict) as late:
        bids.submit(project, by=bidder.user, price_fen=90_000_000, days=30, proposal="迟到的投标")
    assert late.value.code == "trading.closed"
    # The bids' own events stay out of every trail before the opening (who bids is secret).
    assert ProjectEvent.objects.filter(project=project, action="bid").count() == 2


def test_a_debarred_bidder_is_refused(announce, new_bidder, at):
    project = announce()
    bidder = new_bidder(1)
    CreditRecord.objects.create(bidder=bidder, kind=CreditRecord.Kind.PENALTY, occurred_on=dt.date(2026, 3, 1),
                                detail="串通投标", debarred_until=dt.date(2027, 3, 1), recorded_at=MONDAY)  # fmt: skip
    at(OPENING - dt.timedelta(days=1))
    with pytest.raises(Forbidden) as refused:
        bids.submit(project, by=bidder.user, price_fen=1, days=1, proposal="x")
    assert refused.value.code == "trading.debarred" and not Bid.objects.exists()


def test_only_bidders_bid_and_texts_are_checked(announce, new_bidder, trading, at):
    project = announce()
    at(OPENING - dt.timedelta(days=1))
    with pytest.raises(Forbidden):
        bids.submit(project, by=trading.owner, price_fen=1, days=1, proposal="x")
    with pytest.raises(DomainError) as control:
        bids.submit(project, by=new_bidder(1).user, price_fen=1, days=1, proposal="a\x00b")
    assert control.value.code == "trading.control_character" and not Bid.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"kind": "works", "method": "inquiry"}, "trading.method"),
        ({"opening_at": dt.datetime(2026, 11, 16, 9, 30, tzinfo=OPENING.tzinfo)}, "trading.bid_period"),
        ({"clarification_until": OPENING}, "trading.timeline"),
        ({"committee_size": 6}, "trading.committee"),
        ({"committee_size": 5, "economic_experts": 3}, "trading.committee"),
        ({"budget_fen": 1_000_000_000, "committee_size": 5}, "trading.committee"),  # procurement ≥ 10M yuan: ≥ 7
        ({"method": "inquiry", "committee_size": 3, "opening_at": dt.datetime(2026, 11, 5, 9, tzinfo=OPENING.tzinfo),
          "clarification_until": dt.datetime(2026, 11, 4, 9, tzinfo=OPENING.tzinfo)}, None),
        ({"title": " "}, "trading.required"),
    ],
)  # fmt: skip
def test_announcement_rules(announce, change, code):
    if code is None:
        assert announce(**change).status == Project.Status.ANNOUNCED
        return
    with pytest.raises(DomainError) as refused:
        announce(**change)
    assert refused.value.code == code and not Project.objects.exists()


def test_only_the_trading_center_announces(announce, trading):
    with pytest.raises(Forbidden):
        announce(by=trading.owner)
