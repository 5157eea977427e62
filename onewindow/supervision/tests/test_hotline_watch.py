"""Issue 18: 12345 work orders are watched with the ONE light (热线工单: due_seq against handle_days;
an emergency red the next working day), scoped by the lead department, and an overdue order is
recorded once (热线工单超期) against its lead department, however often the detector runs."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.hotline import flow
from onewindow.hotline.tests.conftest import MONDAY, category, operator, receive  # noqa: F401 - fixtures
from onewindow.supervision import detectors, watches
from onewindow.supervision.models import Violation

pytestmark = pytest.mark.django_db
D = dt.date
ALL = ("red", "yellow", "green")


def lights(today: dt.date, user) -> dict[str, str]:
    rows = watches.items(watches.BY_KEY["hotline"], watches.scope_for(user), today, lights=ALL)
    return {r["w_number"]: r["light"] for r in rows}


def test_an_overdue_order_is_red_in_the_watch_and_one_violation(world, operator, receive):  # noqa: F811
    order = receive()  # consultation, Monday 10-12: due Thursday 10-15
    emergency = receive(type="emergency", caller_phone="13000000001")
    with clock.frozen(MONDAY):
        flow.dispatch(order, by=operator, lead=world.dept_a)
    assert lights(D(2026, 10, 12), world.supervisor) == {order.number: "green", emergency.number: "yellow"}
    assert lights(D(2026, 10, 13), world.supervisor) == {order.number: "green", emergency.number: "red"}
    assert lights(D(2026, 10, 16), world.supervisor)[order.number] == "red"
    # The lead department sees its own; department B nothing.
    assert lights(D(2026, 10, 16), world.head_a) == {order.number: "red"}
    assert lights(D(2026, 10, 16), world.reviewer_b) == {}
    with clock.frozen(dt.datetime(2026, 10, 16, 9, tzinfo=clock.hall_tz())):
        detectors.detect()
        detectors.detect()
    found = Violation.objects.filter(kind=Violation.Kind.HOTLINE_OVERDUE)
    # The emergency was never dispatched: the office's own delay, red in the watch, not in the register.
    assert list(found.values_list("work_order__number", "department__code")) == [(order.number, "T-A")]
    assert found.get().subject_label == order.number
