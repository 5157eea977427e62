"""Races on PostgreSQL (threads with their own connections): an owner's double click evaluates
once; the owner accepting and returning the same delivery at once — one of them wins."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.market import contracts
from onewindow.market.audit import chain_broken_at
from onewindow.market.models import Contract, Evaluation, Purchase
from onewindow.market.tests import contracting
from onewindow.market.tests.contracting import at, on

selected = contracting.selected  # the fixture
pytestmark = pytest.mark.django_db(transaction=True)
D = dt.date


def _delivered(market, agency, purchase) -> Contract:
    contract = on(D(2026, 9, 30), contracts.sign, purchase, by=market.owner)
    on(D(2026, 10, 9), contracts.deliver, contract, by=agency.user, note="成果")
    return contract


def test_evaluations_clicked_at_once_make_one_per_direction(market, new_agency, selected):
    agency = new_agency(1)
    purchase = selected(agency)
    contract = _delivered(market, agency, purchase)
    on(D(2026, 10, 12), contracts.accept, contract, by=market.owner)

    def owner_rates(n):
        return lambda: contracts.evaluate(contract, by=market.owner, quality=n, timeliness=n, conduct=n)

    def agency_rates(n):
        return lambda: contracts.evaluate(contract, by=agency.user, quality=n, timeliness=n, conduct=n)

    with clock.frozen(at(D(2026, 10, 13))):
        results = run_together(
            *(owner_rates(1 + i % 5) for i in range(10)), *(agency_rates(1 + i % 5) for i in range(10))
        )
    made = [r for r in results if isinstance(r, Evaluation)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(made) == 2 and len(refused) == 18, results
    assert {e.code for e in refused} == {"market.evaluated_once"}
    assert sorted(Evaluation.objects.values_list("direction", flat=True)) == ["of_agency", "of_owner"]
    purchase.refresh_from_db()
    assert purchase.events.filter(action="evaluate").count() == 2 and chain_broken_at(purchase) is None


def test_accept_and_return_at_once_one_wins(market, new_agency, selected):
    agency = new_agency(1)
    purchase = selected(agency)
    contract = _delivered(market, agency, purchase)
    with clock.frozen(at(D(2026, 10, 12))):
        results = run_together(lambda: contracts.accept(contract, by=market.owner),
                               lambda: contracts.return_delivery(contract, by=market.owner, reason="重做"))  # fmt: skip
    assert sum(isinstance(r, Contract) for r in results) == 1, results
    assert [r.code for r in results if isinstance(r, DomainError)] == ["market.contract_state"]
    purchase.refresh_from_db()
    c = Contract.objects.get()
    # either accepted (completed, nothing returned) or returned (contracted, not accepted): never both
    assert (purchase.status, c.returned_count, c.accepted_at is None) in [
        (Purchase.Status.COMPLETED, 0, False), (Purchase.Status.CONTRACTED, 1, True)]  # fmt: skip
    assert chain_broken_at(purchase) is None
