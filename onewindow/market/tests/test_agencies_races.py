"""Two decisions on one application at once (threads with their own connections; PostgreSQL shows
the race): the compare-and-set on the status lets exactly one pass; the other is refused with the
state it found, and the chain has one decision."""

import pytest

from onewindow import clock
from onewindow.concurrently import run_together
from onewindow.errors import Conflict
from onewindow.market import agencies
from onewindow.market.audit import chain_broken_at
from onewindow.market.models import Agency
from onewindow.market.tests.conftest import MONDAY, credit_code
from onewindow.market.tests.test_agencies import application
from onewindow.personas import new_user

pytestmark = pytest.mark.django_db(transaction=True)


def _applied(n: int) -> Agency:
    user = new_user(f"applicant{n}", f"申请机构{n}")
    with clock.frozen(MONDAY):
        return agencies.apply(by=user, **application(credit_code=credit_code(600 + n)))


@pytest.mark.parametrize("second", ["admit", "refuse"])
def test_two_decisions_at_once_one_passes(world, market, second):
    for n in range(5):  # a few rounds: the race is real, not one lucky interleaving
        agency = _applied(n)
        decide = {"admit": lambda by, a=agency: agencies.admit(a, by=by, note="同意"),
                  "refuse": lambda by, a=agency: agencies.refuse(a, by=by, note="资质不符")}  # fmt: skip
        results = run_together(lambda d=decide: d["admit"](world.hall_admin),
                               lambda d=decide: d[second](world.supervisor))  # fmt: skip
        passed = [r for r in results if isinstance(r, Agency)]
        refused = [r for r in results if isinstance(r, Conflict)]
        assert len(passed) == 1 and len(refused) == 1, results
        assert refused[0].code == "market.agency_state"
        agency.refresh_from_db()
        assert agency.status == passed[0].status and agency.event_count == 2
        assert list(agency.events.order_by("seq").values_list("action", flat=True))[0] == "apply"
        assert chain_broken_at(agency) is None
