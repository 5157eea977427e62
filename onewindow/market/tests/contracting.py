"""The contract tests' world: a purchase posted, registered and selected (the selection is
another module's: the fixture sets `selected` directly), and each step at a given hall time."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.market.models import Purchase


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """`day` at `hour` o'clock in the hall's time zone."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.hall_tz())


def on(day: dt.date, call, *args, hour: int = 10, **kw):
    """call(*args, **kw) with the clock frozen at `day`, `hour` o'clock."""
    with clock.frozen(at(day, hour)):
        return call(*args, **kw)


@pytest.fixture
def selected(market, post, register):
    """selected(agency, offer_fen=…, offer_days=…, posted=date) → a purchase posted that day,
    registered by the agency an hour later, and selected (status "selected")."""

    def make(agency, *, offer_fen=2_000_000, offer_days=5, posted=dt.date(2026, 9, 21), **kw) -> Purchase:
        start = at(posted)
        purchase = post(at=start, registration_deadline=start + dt.timedelta(days=4, hours=7), **kw)
        registration = register(purchase, agency, offer_fen=offer_fen, offer_days=offer_days,
                                at=start + dt.timedelta(hours=1))  # fmt: skip
        Purchase.objects.filter(pk=purchase.pk).update(
            status=Purchase.Status.SELECTED, selected=registration, selected_at=start + dt.timedelta(days=5)
        )
        purchase.refresh_from_db()
        return purchase

    return make
