"""Two closes at once (the periodic job on two workers, or the job and a manual run) close a
purchase once: one draw, one event, the other refused (threads with their own connections;
PostgreSQL shows the races)."""

import pytest

from onewindow import clock
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.market import selection, services
from onewindow.market.audit import chain_broken_at
from onewindow.market.models import Purchase
from onewindow.market.tests.conftest import DEADLINE

pytestmark = pytest.mark.django_db(transaction=True)

AFTER = DEADLINE + services.CLOSE_GRACE


def test_two_closes_at_once_close_once(market, post, new_agency, register):
    purchase = post(method="random")
    for i in range(1, 6):
        register(purchase, new_agency(i))
    with clock.frozen(AFTER):
        results = run_together(lambda: selection.close(purchase), lambda: selection.close(purchase))
    done = [r for r in results if isinstance(r, Purchase)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert refused[0].code == "market.not_open"
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.SELECTED
    assert purchase.events.filter(action="draw").count() == 1 and purchase.event_count == 7
    assert chain_broken_at(purchase) is None and selection.replay(purchase)["matches"]


def test_two_periodic_jobs_at_once_close_each_purchase_once(market, post, new_agency, register):
    purchases = [post(method=m) for m in ("random", "lowest_price", "best_value", "direct", "random")]
    agencies = [new_agency(i) for i in range(1, 4)]
    for p in purchases[:4]:
        for a in agencies:
            register(p, a, offer_fen=2_000_000 + a.pk)
    register(purchases[4], agencies[0])  # one registrant: 流标
    with clock.frozen(AFTER):
        results = run_together(*[selection.close_due for _ in range(4)])
    assert sum(results) == 5, results
    statuses = [Purchase.objects.get(pk=p.pk).status for p in purchases]
    assert statuses == ["selected", "selected", "choosing", "choosing", "failed"]
    for p in purchases:
        p.refresh_from_db()
        assert p.events.filter(action__in=("draw", "close", "fail")).count() == 1
        assert chain_broken_at(p) is None
