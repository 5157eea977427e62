"""The demo purchases (market/demo_purchases.py): one in each state, replayable, made once; none
without the owner and agencies of market/demo.py."""

import pytest

from onewindow.market import demo_purchases, selection
from onewindow.market.models import Purchase

pytestmark = pytest.mark.django_db


def test_the_demo_purchases_in_their_states_once(market, new_agency):
    for i in range(1, 7):
        new_agency(i)
    assert demo_purchases.seed() == 4
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
    assert demo_purchases.seed() == 0 and Purchase.objects.count() == 5


def test_nothing_without_the_owner_or_the_agencies(world, market, new_agency):
    assert demo_purchases.seed() == 0  # no agencies
    new_agency(1)
    assert demo_purchases.seed() == 0  # too few
    assert not Purchase.objects.exists()
