"""Races on a trading project (threads with their own connections; PostgreSQL only — SQLite
serialises whole transactions, so nothing races there): one bidder submitting 20 times at once
keeps one active bid with versions 1..20; bids racing the opening are either in the opening or
refused, none lost; two awards at once award once."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from onewindow import clock
from onewindow.concurrently import run_together
from onewindow.errors import Conflict
from onewindow.trading import audit, award, bids, committee, evaluation
from onewindow.trading.models import Bid, Project
from onewindow.trading.tests.conftest import BEFORE, OPENING, TZ

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite has no row locks"),
]


def test_twenty_submissions_of_one_bidder_keep_one_active_bid(announce, new_bidder, at):
    project = announce()
    firm = new_bidder(1)
    at(BEFORE)

    def submit(i):
        return lambda: bids.submit(
            project, by=firm.user, price_fen=150_000_000 + i, days=90, proposal=f"方案{i}"
        )

    results = run_together(*[submit(i) for i in range(20)])
    assert all(isinstance(r, tuple) for r in results), results
    rows = Bid.objects.filter(project=project, bidder=firm)
    assert sorted(rows.values_list("version", flat=True)) == list(range(1, 21))
    active = rows.filter(withdrawn_at__isnull=True, superseded_at__isnull=True)
    assert active.count() == 1 and active.get().version == 20
    project.refresh_from_db()
    assert project.events.filter(action="bid").count() == 20 and audit.chain_broken_at(project) is None
    # The active bid is the last one sealed: it opens to its own receipt.
    at(OPENING)
    sent = {made.digest: data for made, data in results}
    assert sent[active.get().digest]


@pytest.fixture
def own_clocks(monkeypatch):
    """Each thread its own time (arrival times differ by thread): `.at = …` inside the thread, in
    UTC as clock.now answers."""
    local, shared = threading.local(), clock.now
    monkeypatch.setattr(
        clock, "now", lambda: at.astimezone(dt.UTC) if (at := getattr(local, "at", None)) else shared()
    )
    return local


def test_bids_racing_the_opening_are_opened_or_refused_none_lost(
    announce, new_bidder, bid, at, trading, own_clocks
):
    project = announce()
    for n in (1, 2, 3):  # enough to open
        bid(project, new_bidder(n), 180_000_000 + n)
    racers = [new_bidder(n) for n in range(4, 24)]
    at(OPENING)

    def submit(i, firm):
        def run():
            # Half arrive just before the deadline (and may wait on the opening's lock), half at it.
            own_clocks.at = OPENING - dt.timedelta(milliseconds=1) if i % 2 else OPENING
            return bids.submit(project, by=firm.user, price_fen=170_000_000 + i, days=90, proposal=f"方案{i}")

        return run

    def open_now():
        own_clocks.at = OPENING
        time.sleep(0.03)  # let some bids take the project's lock first, others queue behind the opening
        return bids.open_bids(project, by=trading.officer)

    results = run_together(*[submit(i, f) for i, f in enumerate(racers)], open_now)
    opened = results[-1]
    assert isinstance(opened, Project) and opened.status == Project.Status.OPENED, opened
    accepted, refused = [], []
    for i, result in enumerate(results[:-1]):
        if isinstance(result, tuple):
            accepted.append(racers[i])
            assert i % 2, "a bid arriving at the opening time is never accepted"
        else:
            assert isinstance(result, Conflict) and result.code == "trading.closed", result
            refused.append(racers[i])
    assert len(accepted) + len(refused) == 20
    rows = Bid.objects.filter(project=project)
    assert rows.count() == 3 + len(accepted)
    assert not rows.filter(bidder__in=refused).exists()
    assert not rows.filter(opened_price_fen__isnull=True).exists()  # every accepted bid was opened
    record = project.events.get(action="open").payload["bids"]
    assert len(record) == 3 + len(accepted)
    assert {r["bidder"] for r in record} >= {f.credit_code for f in accepted}
    project.refresh_from_db()
    assert audit.chain_broken_at(project) is None


def test_two_awards_at_once_award_once(evaluating, at, trading):
    project = evaluating()
    valid = evaluation.valid_bids(project)
    for seat in committee.members(project):
        evaluation.submit_scores(project, by=seat.expert.user, points={b.pk: "60" for b in valid})
    evaluation.report(project, by=trading.officer)
    project.refresh_from_db()
    at(dt.datetime.combine(project.publicity_until + dt.timedelta(days=1), dt.time(10), tzinfo=TZ))
    results = run_together(lambda: award.award(project, by=trading.owner),
                           lambda: award.award(project, by=trading.officer))  # fmt: skip
    done = [r for r in results if isinstance(r, Project)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(done) == 1 and len(refused) == 1, results
    assert refused[0].code == "trading.state"
    project.refresh_from_db()
    assert project.status == Project.Status.AWARDED
    assert project.events.filter(action="award").count() == 1
    assert project.releases.filter(tag="award").count() == 2  # the candidates' and the award's
    assert audit.chain_broken_at(project) is None
