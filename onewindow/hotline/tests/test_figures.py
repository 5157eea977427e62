"""The hotline's figures (RULES.md "Hotline" KPIs; decision 0042): on-time, direct-answer, close
and satisfaction rates per lead department and in total, from real orders moved along by setting
their fields (the flow's steps are another module's); and the caller's history query."""

import datetime as dt
from decimal import Decimal

import pytest

from onewindow import clock
from onewindow.hotline import figures
from onewindow.hotline.models import Category, OrderStatus
from onewindow.hotline.queries_history import caller_history
from onewindow.hotline.tests.helpers import move, received

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 27, 15, 0, tzinfo=clock.hall_tz())


@pytest.fixture
def category():
    return Category.objects.create(code="0102", name="供暖")


def test_the_rates_per_department_and_in_total(world, category):
    a, b = world.dept_a, world.dept_b
    orders = received(world, category, DAY, n=10)
    # Department A: 4 orders — 3 replied (2 on time), 2 of them closed, 1 called back (satisfied, basic).
    for o in orders[:4]:
        move(o, lead_department=a, status=OrderStatus.HANDLING)
    for o, on_time in zip(orders[:3], (True, True, False), strict=True):
        move(o, status=OrderStatus.REPLIED, replied_on_time=on_time, reply="已处理", replied_at=NOW)
    move(orders[0], status=OrderStatus.CLOSED, closed_at=NOW)
    move(orders[1], status=OrderStatus.CALLED_BACK, closed_at=NOW, process_satisfaction="satisfied",
         result_satisfaction="basic")  # fmt: skip
    # Department B: 2 orders, both called back — process satisfied twice, result dissatisfied once.
    for o, result in zip(orders[4:6], ("dissatisfied", "satisfied"), strict=True):
        move(o, lead_department=b, status=OrderStatus.CALLED_BACK, replied_on_time=True, reply="已处理",
             replied_at=NOW, closed_at=NOW, process_satisfaction="satisfied", result_satisfaction=result)  # fmt: skip
    # The operator answered 2 directly (one called back, dissatisfied with the process), 1 merged, 1 open.
    move(orders[6], direct_answer=True, status=OrderStatus.CLOSED, closed_at=NOW)
    move(orders[7], direct_answer=True, status=OrderStatus.CALLED_BACK, closed_at=NOW,
         process_satisfaction="dissatisfied", result_satisfaction="satisfied")  # fmt: skip
    move(orders[8], status=OrderStatus.MERGED, merged_into=orders[9])
    # Received outside the period: not counted.
    move(received(world, category, DAY + dt.timedelta(days=7))[0], lead_department=a, status=OrderStatus.CLOSED,
         closed_at=NOW)  # fmt: skip

    rows, total = figures.by_department(DAY, DAY + dt.timedelta(days=6))
    by = {r.department: r for r in rows}
    # The departments by name, then the hotline's own row.
    assert [r.department for r in rows][-1] == figures.NO_DEPARTMENT
    assert set(by) == {"测试住建局", "测试市场监管局", figures.NO_DEPARTMENT}
    ra, rb, hot = by["测试市场监管局"], by["测试住建局"], by[figures.NO_DEPARTMENT]
    assert (ra.orders, ra.replied, ra.on_time, ra.closed, ra.called_back) == (4, 3, 2, 2, 1)
    assert ra.on_time_rate == Decimal("0.6667") and ra.close_rate == Decimal("0.5")
    assert ra.process_satisfaction_rate == 1 and ra.result_satisfaction_rate == 1  # basic counts as satisfied
    assert rb.result_satisfaction_rate == Decimal("0.5") and rb.on_time_rate == 1
    # The hotline's own row: 2 direct answers and the open order (merged excluded).
    assert (hot.orders, hot.closed, hot.direct, hot.replied) == (3, 2, 2, 0)
    assert hot.on_time_rate is None and hot.process_satisfaction_rate == 0
    assert total.orders == 9 and total.closed == 6
    assert total.direct_answer_rate == Decimal("0.3333")
    assert total.close_rate == Decimal("0.6667")
    assert total.on_time_rate == Decimal("0.8")
    assert total.process_satisfaction_rate == Decimal("0.75")
    assert total.result_satisfaction_rate == Decimal("0.75")
    # A department head's scope: only their orders.
    scoped, scoped_total = figures.by_department(DAY, DAY + dt.timedelta(days=6), department_id=a.pk)
    assert [r.department for r in scoped] == ["测试市场监管局"] and scoped_total.orders == 4


def test_an_empty_period_has_no_rates(world):
    rows, total = figures.by_department(DAY, DAY)
    assert rows == [] and total.orders == 0 and total.on_time_rate is None and total.close_rate is None


def test_the_callers_history_newest_first_and_limited(world, category):
    mine = received(world, category, DAY, n=3, phone="13900001111")
    later = received(world, category, DAY + dt.timedelta(days=1), phone="13900001111")
    received(world, category, DAY, phone="13900002222")
    move(mine[0], lead_department=world.dept_a, status=OrderStatus.DISPATCHED)
    history = caller_history("13900001111")
    assert [o.pk for o in history] == [later[0].pk, mine[2].pk, mine[1].pk, mine[0].pk]
    assert history[-1].lead_department.name == "测试市场监管局" and history[0].category.name == "供暖"
    assert [o.pk for o in caller_history("13900001111", limit=2)] == [later[0].pk, mine[2].pk]
    assert caller_history("") == [] and caller_history("13900009999") == []
