"""Issue 19 acceptance (concurrency): 100 agencies registering in the last second before the
deadline — all that arrived in time counted, all after refused, no double registration (threads
with their own connections; PostgreSQL shows the races)."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.market import services
from onewindow.market.audit import chain_broken_at
from onewindow.market.models import Registration
from onewindow.market.tests.conftest import DEADLINE

pytestmark = pytest.mark.django_db(transaction=True)


def _calls(purchase, agencies):
    return [
        lambda a=a: services.register(purchase, by=a.user, offer_fen=2_000_000, offer_days=10)
        for a in agencies
    ]


def test_a_hundred_in_the_last_second(market, post, new_agency):
    purchase = post()
    early, late = [new_agency(i) for i in range(60)], [new_agency(100 + i) for i in range(40)]
    # Sixty in the last second, each twice at once (a double click): one registration each. In
    # waves of 40 threads: PostgreSQL's default allows 100 connections, shared with other tests.
    results = []
    for wave in range(0, 60, 20):
        with clock.frozen(DEADLINE - dt.timedelta(milliseconds=900 - wave * 10)):
            batch = early[wave : wave + 20]
            results += run_together(*_calls(purchase, batch), *_calls(purchase, batch))
    done = [r for r in results if isinstance(r, Registration)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(done) == 60 and len(refused) == 60, [
        r for r in results if not isinstance(r, Registration | DomainError)
    ]
    assert {e.code for e in refused} == {"market.registered_once"}
    # Forty at the deadline's instant: every one refused.
    with clock.frozen(DEADLINE):
        results = run_together(*_calls(purchase, late))
    assert all(isinstance(r, DomainError) and r.code == "market.registration_closed" for r in results), (
        results
    )
    assert sorted(
        Registration.objects.filter(purchase=purchase).values_list("agency_id", flat=True)
    ) == sorted(a.pk for a in early)
    purchase.refresh_from_db()
    assert purchase.event_count == 61 and chain_broken_at(purchase) is None
