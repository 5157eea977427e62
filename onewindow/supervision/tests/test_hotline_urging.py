"""Issue 18 ("Deadlines by type in working days, lights and urging through supervision"): a late
12345 work order is urged at yellow (催办, to whoever must act: the lead department's reviewers,
the hotline operators before dispatch) and escalated at red (督办: the department's head, the
supervisors before dispatch), once per light and department — a second run sends nothing, an
order transferred is urged again at its new department — and each is a step of the order's
audit chain."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.concurrently import run_together
from onewindow.hotline import flow
from onewindow.hotline.audit import chain_broken_at
from onewindow.hotline.models import WorkOrder
from onewindow.hotline.tests.conftest import MONDAY, category, operator, receive  # noqa: F401 - fixtures
from onewindow.notify.models import Event, Message
from onewindow.ops import periodic
from onewindow.supervision import work_orders
from onewindow.supervision.models import Urge

D = dt.date


def _sweep(day):
    with clock.frozen(day):
        return work_orders.sweep()


def _told(order, event):
    return sorted(Message.objects.filter(subject_kind="hotline", subject_key=order.number, event=event)
                  .values_list("phone", flat=True))  # fmt: skip


@pytest.mark.django_db
def test_a_dispatched_order_is_urged_at_yellow_and_escalated_at_red_once(world, operator, receive):  # noqa: F811
    order = receive()  # consultation, Monday 10-12: due Thursday 10-15
    with clock.frozen(MONDAY):
        flow.dispatch(order, by=operator, lead=world.dept_a)
    assert _sweep(D(2026, 10, 13)) == 0  # green
    assert _sweep(D(2026, 10, 14)) == 1  # yellow: one working day left
    assert _sweep(D(2026, 10, 14)) == 0  # the job runs twice: nothing twice
    assert _sweep(D(2026, 10, 15)) == 0  # still yellow
    assert _told(order, Event.ORDER_URGED) == ["13800000002"]  # reviewer_a, the lead department's
    text = Message.objects.get(event=Event.ORDER_URGED).text
    assert "催办" in text and order.number in text and "剩余1个工作日" in text
    assert _sweep(D(2026, 10, 16)) == 1  # red: past the limit
    assert _told(order, Event.ORDER_ESCALATED) == ["13800000003"]  # head_a
    assert list(Urge.objects.filter(work_order=order).order_by("at").values_list("kind", "light", "department")) == [
        ("urge", "yellow", world.dept_a.pk), ("escalate", "red", world.dept_a.pk)]  # fmt: skip
    assert Urge.objects.get(light="red").recipients == 1
    order.refresh_from_db()
    trail = list(order.events.order_by("seq").values_list("action", "from_status", "to_status"))
    assert trail[-2:] == [("urge", "dispatched", "dispatched"), ("escalate", "dispatched", "dispatched")]
    assert order.events.get(action="escalate").reason == f"{world.dept_a.name}，已超过办理期限2026-10-15"
    assert chain_broken_at(order) is None


@pytest.mark.django_db
def test_before_dispatch_the_office_then_a_transferred_order_at_its_new_department(world, operator, receive):  # noqa: F811
    emergency = receive(type="emergency", caller_phone="13000000001")  # 0 days: yellow today
    assert _sweep(D(2026, 10, 12)) == 1
    assert _told(emergency, Event.ORDER_URGED) == ["13800000009"]  # the operator
    assert _sweep(D(2026, 10, 13)) == 1
    assert _told(emergency, Event.ORDER_ESCALATED) == ["13800000005"]  # the supervisor
    assert "热线办（待派单）" in Message.objects.get(event=Event.ORDER_ESCALATED).text

    order = receive(caller_phone="13000000002")
    with clock.frozen(MONDAY):
        flow.dispatch(order, by=operator, lead=world.dept_a)
    assert _sweep(D(2026, 10, 14)) == 1  # the order yellow (the emergency told at both lights)
    with clock.frozen(dt.datetime(2026, 10, 14, 15, tzinfo=clock.hall_tz())):
        flow.transfer(
            WorkOrder.objects.get(pk=order.pk), by=operator, to=world.dept_b, reason="属物业主管部门"
        )
    assert _sweep(D(2026, 10, 14)) == 1  # department B has not been told
    assert _told(order, Event.ORDER_URGED) == ["13800000002", "13800000004"]  # reviewer_a, then reviewer_b
    assert _sweep(D(2026, 10, 14)) == 0


@pytest.mark.django_db
def test_a_replied_order_is_not_urged_and_the_periodic_job_runs_the_sweep(world, operator, receive):  # noqa: F811
    replied, late = receive(), receive(caller_phone="13000000003")
    with clock.frozen(MONDAY):
        for order in (replied, late):
            flow.dispatch(order, by=operator, lead=world.dept_a)
        flow.sign(WorkOrder.objects.get(pk=replied.pk), by=world.reviewer_a)
        flow.reply(WorkOrder.objects.get(pk=replied.pk), by=world.reviewer_a, text="已联系物业，电梯已修复。")
    with clock.frozen(D(2026, 10, 16)):
        results = periodic.run_jobs()
    assert results["hotline_urging"] == 1
    assert list(Urge.objects.values_list("work_order__number", "light")) == [(late.number, "red")]
    assert "热线工单催办督办：1 件" in periodic.summary(results)


@pytest.mark.django_db(transaction=True)
def test_three_sweeps_at_once_urge_each_order_once(world, operator, receive):  # noqa: F811
    orders = [receive(caller_phone=f"1300000001{i}") for i in range(3)]
    with clock.frozen(MONDAY):
        for order in orders:
            flow.dispatch(order, by=operator, lead=world.dept_a)
    with clock.frozen(D(2026, 10, 16)):
        results = run_together(work_orders.sweep, work_orders.sweep, work_orders.sweep)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 3
    for order in orders:
        assert _told(order, Event.ORDER_ESCALATED) == ["13800000003"]
        order.refresh_from_db()
        assert [e for e in order.events.values_list("action", flat=True) if e == "escalate"] == ["escalate"]
        assert chain_broken_at(order) is None
