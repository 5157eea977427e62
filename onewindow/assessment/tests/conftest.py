"""A hand-made March 2026 of a small hall (the world), for the acceptance test and the pages.

Window 01 (Carol, `clerk`): 4 cases closed, 1 of them late (按时办结率 75%); 3 missing check-ins;
two tickets served after 10 and 30 minutes (average 20).
Window 11 (Dave, `dave`): 2 cases closed on time; one upheld violation on 10 March (→ a yellow
card); one check-in at 09:30, past the morning's grace (→ 1 missing); one ticket after 12 minutes.
March 2026 has 22 working days (no holiday), so 88 check-ins are expected of each."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.assessment import attendance
from onewindow.cases.models import Case
from onewindow.personas import new_staff, published_item
from onewindow.queueing.models import Category, Ticket
from onewindow.stats import rollup
from onewindow.stats.tests.factory import Plan, record_day
from onewindow.supervision.models import Violation
from onewindow.workdays.models import Day

MARCH = dt.date(2026, 3, 1)
APRIL_2 = dt.datetime(2026, 4, 2, 9, 0, tzinfo=clock.hall_tz())
TIMES = {1: dt.time(8, 50), 2: dt.time(12, 5), 3: dt.time(12, 55), 4: dt.time(17, 10)}


def local(day: dt.date, t: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, t, tzinfo=clock.hall_tz())


@pytest.fixture
def dave(world):
    return new_staff("dave", "戴夫", Role.CLERK, world.hall, windows=[world.window_a], phone="13800000009")


@pytest.fixture
def device(world):
    return attendance.add_device(world.hall, "一楼大厅考勤机")


@pytest.fixture
def march(world, dave, device):
    w1, wa = world.window_1, world.window_a
    item = published_item(world)
    mon = dt.date(2026, 3, 2)
    plans = [
        Plan("A1", item, mon, officer=world.clerk, accepted_on=mon, accept_recorded=mon, promised=3,
             closed_on=mon + dt.timedelta(days=1), outcome="approved", window=w1),
        Plan("A2", item, mon, officer=world.clerk, accepted_on=mon, accept_recorded=mon, promised=3,
             closed_on=mon + dt.timedelta(days=2), outcome="approved", window=w1),
        Plan("A3", item, mon, officer=world.clerk, accepted_on=mon, accept_recorded=mon, promised=0,
             closed_on=mon, outcome="approved", window=w1),
        Plan("A4", item, mon, officer=world.clerk, accepted_on=mon, accept_recorded=mon, promised=1,
             closed_on=mon + dt.timedelta(days=4), outcome="approved", window=w1),  # late: 4 days for 1
        Plan("B1", item, mon, officer=dave, accepted_on=mon, accept_recorded=mon, promised=3,
             closed_on=mon + dt.timedelta(days=1), outcome="approved", window=wa),
        Plan("B2", item, mon, officer=dave, accepted_on=mon, accept_recorded=mon, promised=3,
             closed_on=mon + dt.timedelta(days=3), outcome="approved", window=wa),
    ]  # fmt: skip
    cases = {}
    for n in range(5):
        record_day(mon + dt.timedelta(days=n), plans, world, cases)
    with clock.frozen(APRIL_2):
        rollup.rebuild()

    at = local(dt.date(2026, 3, 10), dt.time(10))
    Violation.objects.create(kind=Violation.Kind.OVER_TIME, case=Case.objects.get(number="B2"),
                             department=item.department, window=wa, officer=dave, found_on=at.date(), found_at=at,
                             status=Violation.Status.UPHELD, decided_by=world.supervisor, decided_at=at)  # fmt: skip

    dev, _ = device
    workdays = list(Day.objects.filter(date__gte=MARCH, date__lt=dt.date(2026, 4, 1), is_workday=True)
                    .values_list("date", flat=True))  # fmt: skip
    carol_skips = {(dt.date(2026, 3, 3), 1), (dt.date(2026, 3, 3), 2), (dt.date(2026, 3, 4), 4)}
    with clock.frozen(APRIL_2):
        for day in workdays:
            for slot, t in TIMES.items():
                if (day, slot) not in carol_skips:
                    attendance.record(dev, event_id=f"c-{day}-{slot}", staff="clerk", at=local(day, t))
                late = dt.time(9, 30) if (day, slot) == (dt.date(2026, 3, 5), 1) else t
                attendance.record(dev, event_id=f"d-{day}-{slot}", staff="dave", at=local(day, late))

    category = Category.objects.create(hall=world.hall, letter="A", name="综合业务")
    for number, window, clerk, wait in (("A001", w1, world.clerk, 10), ("A002", w1, world.clerk, 30),
                                        ("A003", wa, dave, 12)):  # fmt: skip
        queued = local(dt.date(2026, 3, 9), dt.time(9))
        called = queued + dt.timedelta(minutes=wait)
        Ticket.objects.create(hall=world.hall, region_code=world.hall.region_id, category=category,
                              day=queued.date(), number=number, status=Ticket.Status.DONE, issued_at=queued,
                              queued_at=queued, called_at=called, started_at=called,
                              finished_at=called + dt.timedelta(minutes=5), window=window, clerk=clerk)  # fmt: skip
    return workdays
