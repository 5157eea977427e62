"""The hand-made week of the page tests (views and browser)."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.personas import published_item
from onewindow.stats import rollup
from onewindow.stats.tests.factory import Plan, record_day

MONDAY = dt.date(2026, 3, 2)
FRIDAY = MONDAY + dt.timedelta(days=4)


@pytest.fixture
def week(world):
    """Department A: S1 on the spot, S2 due Tuesday and still open Friday (overdue), S3 closed on
    time; department B: B1 open, due in 10 working days. Rebuilt at Friday."""
    a = published_item(world)
    b = published_item(world, code="T-B", name="饮品经营许可", department=world.dept_b.code)
    plans = [
        Plan("S1", a, MONDAY, officer=world.clerk, accepted_on=MONDAY, accept_recorded=MONDAY, promised=0,
             closed_on=MONDAY, outcome="approved"),
        Plan("S2", a, MONDAY, officer=world.clerk, accepted_on=MONDAY, accept_recorded=MONDAY, promised=1),
        Plan("S3", a, MONDAY, officer=world.clerk, accepted_on=MONDAY, accept_recorded=MONDAY, promised=3,
             closed_on=MONDAY + dt.timedelta(days=2), outcome="approved"),
        Plan("B1", b, MONDAY, officer=world.clerk, accepted_on=MONDAY, accept_recorded=MONDAY, promised=10),
    ]  # fmt: skip
    cases = {}
    for n in range(5):
        record_day(MONDAY + dt.timedelta(days=n), plans, world, cases)
    with clock.frozen(FRIDAY):
        rollup.rebuild()
        yield cases
