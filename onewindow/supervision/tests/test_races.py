"""The job runs concurrently with itself (two workers, cron and the worker): each case is urged
and escalated once — the unique (case, light) of Urge decides, not a prior read."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.concurrently import run_together
from onewindow.notify.models import Event, Message
from onewindow.supervision import services
from onewindow.supervision.models import Urge, Violation

pytestmark = pytest.mark.django_db(transaction=True)
D = dt.date


@pytest.mark.parametrize(("day", "light", "event"), [(D(2026, 11, 6), "yellow", Event.URGED),
                                                     (D(2026, 11, 10), "red", Event.ESCALATED)])  # fmt: skip
def test_two_sweeps_at_once_urge_once(world, accept, day, light, event):
    cases = [accept(D(2026, 11, 2)) for _ in range(3)]
    with clock.frozen(day):
        results = run_together(services.sweep, services.sweep, services.sweep)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 3
    assert Urge.objects.filter(light=light).count() == 3
    for case in cases:
        assert Message.objects.filter(subject_key=case.number, event=event).count() == 1
    assert Violation.objects.count() == (3 if light == "red" else 0)
