"""Issue 19 item 4: the intermediary market's deliveries are watched with the ONE light (中介服务交付:
due_seq against the contract's days), hall management seeing every contract and a department's
staff none; a delivered contract leaves the watch, a returned one comes back with its deadline."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.market import contracts
from onewindow.market.tests import conftest as market_world
from onewindow.market.tests import contracting
from onewindow.market.tests.contracting import on
from onewindow.supervision import watches

# the market's fixtures
market, new_agency, post, register = (
    market_world.market,
    market_world.new_agency,
    market_world.post,
    market_world.register,
)
selected = contracting.selected
pytestmark = pytest.mark.django_db
D = dt.date
ALL = ("red", "yellow", "green")


def lights(today: dt.date, user, department: str = "") -> dict[str, str]:
    rows = watches.items(
        watches.BY_KEY["market"], watches.scope_for(user), today, lights=ALL, department=department
    )
    return {r["w_number"]: r["light"] for r in rows}


def test_a_late_delivery_is_red_for_hall_management_only(world, market, new_agency, selected, as_user):
    agency = new_agency(1)
    late, quick = selected(agency, offer_days=5), selected(agency, offer_days=10, title="仓库地形测绘")
    a = on(D(2026, 9, 30), contracts.sign, late, by=market.owner)  # due 10-13
    on(D(2026, 9, 30), contracts.sign, quick, by=market.owner)  # due 10-20
    assert lights(D(2026, 10, 9), world.supervisor) == {late.number: "green", quick.number: "green"}
    assert lights(D(2026, 10, 12), world.supervisor) == {late.number: "yellow", quick.number: "green"}
    assert lights(D(2026, 10, 14), world.hall_admin) == {late.number: "red", quick.number: "green"}
    # A department's staff: none; a department filter on the page: none (no department answers).
    assert lights(D(2026, 10, 14), world.head_a) == {}
    assert lights(D(2026, 10, 14), world.supervisor, department=str(world.dept_a.pk)) == {}
    row = watches.items(watches.BY_KEY["market"], watches.scope_for(world.supervisor), D(2026, 10, 14))[0]
    assert (row["w_department"], row["w_due_on"], row["days_over"], row["link"]) == (agency.name, D(2026, 10, 13), 1,
                                                                                      "market")  # fmt: skip
    counts = watches.counts(watches.BY_KEY["market"], watches.scope_for(world.supervisor), D(2026, 10, 14))
    assert counts == {"red": 1, "yellow": 0, "green": 1}
    # Delivered: out of the watch; returned for rework: back, still red against its first deadline.
    on(D(2026, 10, 14), contracts.deliver, a, by=agency.user, note="成果")
    assert lights(D(2026, 10, 14), world.supervisor) == {quick.number: "green"}
    on(D(2026, 10, 15), contracts.return_delivery, a, by=market.owner, reason="缺少报告")
    assert lights(D(2026, 10, 15), world.supervisor) == {late.number: "red", quick.number: "green"}
    # The supervisor's page: the tab, the light, the link to the contract page.
    with clock.frozen(contracting.at(D(2026, 10, 15))):
        page = as_user(world.supervisor).get("/staff/supervision/", {"kind": "market"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "中介服务交付" in html and f"/market/purchases/{late.number}/contract/" in html
