"""The demo purchases (market/demo_purchases.py): one in each state, replayable, made once; none
without the owner and agencies of market/demo.py."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.market import demo_purchases, selection
from onewindow.market.models import Purchase

# The fixtures' qualifications run through 2027: the demo is made on a day inside them (the suite
# also runs under a moved clock).
TODAY = dt.datetime(2026, 12, 3, 9, tzinfo=clock.hall_tz())

pytestmark = pytest.mark.django_db


def test_the_demo_purchases_in_their_states_once(market, new_agency):
    for i in range(1, 7):
        new_agency(i)
    with clock.frozen(TODAY):
        assert demo_purchases.seed() == 6
    by_title = {}
    for p in Purchase.objects.order_by("pk"):
        by_title.setdefault(p.title, []).append(p)
    (drawn,) = by_title[demo_purchases.DRAWN]
    assert drawn.status == "selected" and selection.replay(drawn)["matches"]
    (choosing,) = by_title[demo_purchases.CHOOSING]
    assert choosing.status == "choosing" and len(choosing.short_list) == 3
    failed, reposted = by_title[demo_purchases.FAILED]
    assert failed.status == "failed" and reposted.reposted_from == failed and reposted.status == "posted"
    (open_,) = by_title[demo_purchases.OPEN]
    assert open_.status == "posted" and open_.registrations.count() == 2
    # The lowest offer wins each contracted one: the demo agency (first in ref order) the completed
    # one, rated both ways; the second agency the one signed long ago and not delivered.
    (completed,) = by_title[demo_purchases.COMPLETED]
    assert completed.status == "completed" and completed.contract.agency.ref == "AG000001"
    assert completed.contract.delivered_on_time and completed.contract.evaluations.count() == 2
    (overdue,) = by_title[demo_purchases.OVERDUE]
    assert overdue.status == "contracted" and overdue.contract.agency.ref == "AG000002"
    assert overdue.contract.delivered_at is None and overdue.contract.due_on < TODAY.date()
    with clock.frozen(TODAY):
        assert demo_purchases.seed() == 0
    assert Purchase.objects.count() == 7


def test_nothing_without_the_owner_or_the_agencies(world, market, new_agency):
    with clock.frozen(TODAY):
        assert demo_purchases.seed() == 0  # no agencies
        new_agency(1)
        assert demo_purchases.seed() == 0  # too few
    assert not Purchase.objects.exists()
