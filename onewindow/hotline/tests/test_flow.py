"""hotline.flow: a story test for each branch of RULES.md "Hotline" with its counters (direct
answer; dispatch → sign → reply → close → callback; transfer; objection; reopen; merge), the
refusals (nothing changes) and the audit chain."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.errors import DomainError
from onewindow.hotline import flow, queries
from onewindow.hotline.audit import chain_broken_at
from onewindow.hotline.models import Assignment, Objection, WorkOrder
from onewindow.hotline.queries_history import caller_history
from onewindow.hotline.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db
TZ = clock.hall_tz()


def at(day, hour=10):
    return dt.datetime(2026, 10, day, hour, 0, tzinfo=TZ)


def actions(order):
    return list(order.events.order_by("seq").values_list("action", flat=True))


def unchanged(order, step):
    """Runs a refused step; returns the DomainError after checking the row and its chain did not move."""
    before = WorkOrder.objects.filter(pk=order.pk).values().get()
    assignments = list(Assignment.objects.filter(order=order).values())
    with pytest.raises(DomainError) as refused:
        step()
    assert WorkOrder.objects.filter(pk=order.pk).values().get() == before
    assert list(Assignment.objects.filter(order=order).values()) == assignments
    return refused.value


def test_a_direct_answer_closes_the_order_with_the_callback_owed(world, operator, receive):
    order = receive()
    with clock.frozen(MONDAY):
        assert flow.allowed_actions(order, operator)[:2] == ["answer_directly", "dispatch"]
        order = flow.answer_directly(order, by=operator, answer="电梯维修请联系物业公司，电话……")
    assert order.status == "closed" and order.direct_answer and order.replied_on_time is True
    assert order.callback_due_on == dt.date(2026, 10, 13)  # the next working day
    with clock.frozen(at(13)):
        order = flow.callback(order, by=operator, process="satisfied", result="satisfied")
    assert order.status == "called_back" and order.lead_department is None
    assert actions(order) == ["receive", "answer_directly", "callback"] and chain_broken_at(order) is None


def test_dispatch_sign_reply_close_callback(world, operator, receive):
    order = receive()
    with clock.frozen(MONDAY):
        order = flow.dispatch(order, by=operator, lead=world.dept_a, assisting=[world.dept_b])
    assert order.status == "dispatched" and order.lead_department == world.dept_a
    roles = dict(
        Assignment.objects.filter(order=order, ended_at=None).values_list("department__code", "role")
    )
    assert roles == {"T-A": "lead", "T-B": "assist"}
    assert flow.allowed_actions(order, world.reviewer_b) == ["object"]  # assisting: may only object
    with clock.frozen(at(13)):
        order = flow.sign(order, by=world.head_a)
        order = flow.reply(order, by=world.reviewer_a, text="已联系物业，电梯今日修复。")
    assert (
        order.status == "replied" and order.replied_on_time is True and order.replied_by == world.reviewer_a
    )
    with clock.frozen(at(14)):
        order = flow.close(order, by=operator)
    assert order.callback_due_on == dt.date(2026, 10, 15)
    with clock.frozen(at(15)):
        order = flow.callback(order, by=operator, process="satisfied", result="basic", note="基本满意")
    assert (order.status, order.process_satisfaction, order.result_satisfaction) == (
        "called_back",
        "satisfied",
        "basic",
    )
    assert (order.transfer_count, order.reopen_count) == (0, 0)
    assert actions(order) == ["receive", "dispatch", "sign", "reply", "close", "callback"]
    assert chain_broken_at(order) is None


def test_a_late_reply_is_counted_late(world, operator, receive):
    order = receive()  # consultation: 3 working days, due Thursday 15
    with clock.frozen(MONDAY):
        order = flow.sign(flow.dispatch(order, by=operator, lead=world.dept_a), by=world.head_a)
    with clock.frozen(at(16)):
        order = flow.reply(order, by=world.head_a, text="已处理。")
    assert order.due_on == dt.date(2026, 10, 15) and order.replied_on_time is False


def test_a_transfer_counts_and_names_both_departments(world, operator, receive):
    order = receive()
    with clock.frozen(MONDAY):
        order = flow.sign(flow.dispatch(order, by=operator, lead=world.dept_a), by=world.head_a)
        order = flow.transfer(order, by=world.head_a, to=world.dept_b, reason="属住建部门职责")
    assert (
        order.status == "dispatched" and order.lead_department == world.dept_b and order.transfer_count == 1
    )
    leads = list(Assignment.objects.filter(order=order, role="lead").order_by("pk").values_list(
        "department__code", "ended_at"))  # fmt: skip
    assert [code for code, _ in leads] == ["T-A", "T-B"] and leads[0][1] is not None and leads[1][1] is None
    event = order.events.get(action="transfer")
    assert event.payload == {"from": "T-A", "to": "T-B"} and event.reason == "属住建部门职责"
    # A has no more say: B signs; the operator may transfer too.
    assert unchanged(order, lambda: flow.sign(order, by=world.head_a)).code == "hotline.role"
    with clock.frozen(MONDAY):
        order = flow.transfer(
            flow.sign(order, by=world.reviewer_b), by=operator, to=world.dept_c, reason="属区民政"
        )
    assert (
        order.transfer_count == 2 and order.lead_department == world.dept_c and chain_broken_at(order) is None
    )


def test_an_objection_once_per_department_upheld_goes_back_for_redispatch(world, operator, receive):
    order = receive()
    with clock.frozen(MONDAY):
        order = flow.dispatch(order, by=operator, lead=world.dept_a)
        objection = flow.object_to(order, by=world.reviewer_a, reason="电梯维保不属本局职责")
    assert objection.status == "pending" and objection.department == world.dept_a
    order.refresh_from_db()
    assert order.status == "dispatched"
    # Once per department: the head of the same department is refused, nothing written.
    refused = unchanged(order, lambda: flow.object_to(order, by=world.head_a, reason="再次异议"))
    assert refused.code == "hotline.objected_once" and Objection.objects.filter(order=order).count() == 1
    assert "object" not in flow.allowed_actions(order, world.head_a)
    with clock.frozen(MONDAY):
        order = flow.decide_objection(
            order, by=operator, objection=objection, upheld=True, reason="确属住建职责"
        )
    assert order.status == "accepted" and order.lead_department is None
    assert not Assignment.objects.filter(order=order, ended_at=None).exists()
    # Not back to A; to B, who signs.
    assert (
        unchanged(order, lambda: flow.dispatch(order, by=operator, lead=world.dept_a)).code
        == "hotline.objection_upheld"
    )
    with clock.frozen(MONDAY):
        order = flow.sign(flow.dispatch(order, by=operator, lead=world.dept_b), by=world.reviewer_b)
    assert order.status == "handling"
    assert actions(order) == ["receive", "dispatch", "object", "decide_objection", "dispatch", "sign"]


def test_a_rejected_objection_leaves_the_order_with_the_department(world, operator, receive):
    order = receive()
    with clock.frozen(MONDAY):
        order = flow.dispatch(order, by=operator, lead=world.dept_a)
        objection = flow.object_to(order, by=world.head_a, reason="不属本局")
        order = flow.decide_objection(
            order, by=operator, objection=objection, upheld=False, reason="属市场监管职责"
        )
    objection.refresh_from_db()
    assert (
        objection.status == "rejected"
        and order.status == "dispatched"
        and order.lead_department == world.dept_a
    )
    assert (
        unchanged(order, lambda: flow.object_to(order, by=world.reviewer_a, reason="再议")).code
        == "hotline.objected_once"
    )


def test_reopen_after_a_dissatisfied_callback_sets_a_new_limit(world, operator, receive):
    order = receive()
    with clock.frozen(MONDAY):
        order = flow.sign(flow.dispatch(order, by=operator, lead=world.dept_a), by=world.head_a)
        order = flow.close(flow.reply(order, by=world.head_a, text="已处理"), by=operator)
    with clock.frozen(at(13)):
        satisfied = flow.callback(order, by=operator, process="satisfied", result="satisfied")
    assert (
        unchanged(satisfied, lambda: flow.reopen(satisfied, by=operator, reason="x")).code
        == "hotline.not_dissatisfied"
    )
    WorkOrder.objects.filter(pk=order.pk).update(
        status="closed", result_satisfaction="", process_satisfaction=""
    )
    with clock.frozen(at(13)):
        order = flow.callback(
            order, by=operator, process="satisfied", result="dissatisfied", note="电梯仍未修好"
        )
    with clock.frozen(at(20)):
        order = flow.reopen(order, by=operator, reason="回访不满意，电梯仍停运")
    assert order.status == "dispatched" and order.reopen_count == 1 and order.lead_department == world.dept_a
    assert order.due_on == dt.date(2026, 10, 23) and order.reply == "" and order.result_satisfaction == ""
    assert order.events.get(action="reopen").payload["previous"]["result"] == "dissatisfied"
    with clock.frozen(at(21)):
        order = flow.reply(flow.sign(order, by=world.head_a), by=world.head_a, text="已更换电梯主板")
    assert order.replied_on_time is True


def test_merge_a_suggested_duplicate_confirmed_by_the_operator(world, operator, receive, category):
    first = receive()
    again = receive(at=at(14), caller_phone="13700000000", caller_name="李四")  # same category and address
    elsewhere = receive(at=at(14), caller_phone="13600000000", address="别处")
    late = receive(at=at(23), caller_phone="13500000000")  # 11 days later: outside the window
    assert list(queries.duplicates_of(again)) == [first]
    assert list(queries.duplicates_of(late)) == [] and list(queries.duplicates_of(elsewhere)) == []
    flags = dict(queries.with_duplicates(WorkOrder.objects.all()).values_list("number", "has_duplicates"))
    assert flags == {first.number: True, again.number: True, elsewhere.number: False, late.number: False}
    assert "merge" in flow.allowed_actions(again, operator) and "merge" not in flow.allowed_actions(
        late, operator
    )
    assert unchanged(late, lambda: flow.merge(late, by=operator, into=first)).code == "hotline.no_duplicate"
    with clock.frozen(at(14)):
        merged = flow.merge(again, by=operator, into=first, note="同一电梯")
    assert merged.status == "merged" and merged.merged_into == first
    assert merged.events.get(action="merge").payload == {"into": first.number}
    first.refresh_from_db()
    assert first.events.get(action="merge_in").payload == {"duplicate": again.number}
    assert chain_broken_at(first) is None and chain_broken_at(merged) is None
    assert list(queries.duplicates_of(first)) == []  # a merged order is suggested no more


def test_emergency_is_due_the_same_day(world, operator, receive):
    order = receive(type="emergency")
    assert order.due_on == dt.date(2026, 10, 12) and order.handle_days == 0


@pytest.mark.parametrize("who, step, code", [
    ("head_a", lambda o, w, op: flow.dispatch(o, by=w.head_a, lead=w.dept_a), "hotline.role"),
    ("op", lambda o, w, op: flow.sign(o, by=op), "hotline.role"),
    ("op", lambda o, w, op: flow.reply(o, by=op, text="x"), "hotline.role"),
    ("op", lambda o, w, op: flow.close(o, by=op), "hotline.state"),
    ("op", lambda o, w, op: flow.dispatch(o, by=op, lead=w.dept_a, assisting=[w.dept_a]), "hotline.lead_assisting"),
    ("op", lambda o, w, op: flow.answer_directly(o, by=op, answer=" "), "hotline.answer_required"),
    ("op", lambda o, w, op: flow.callback(o, by=op, process="great", result="satisfied"), "hotline.satisfaction"),
    ("b", lambda o, w, op: flow.object_to(o, by=w.reviewer_b, reason="x"), "hotline.role"),
])  # fmt: skip
def test_refusals_change_nothing(world, operator, receive, who, step, code):
    order = receive()
    with clock.frozen(MONDAY):
        assert unchanged(order, lambda: step(order, world, operator)).code == code
    assert actions(order) == ["receive"]


def test_department_staff_see_only_their_orders(world, operator, receive):
    mine, other = receive(), receive(caller_phone="13000000000")
    with clock.frozen(MONDAY):
        flow.dispatch(mine, by=operator, lead=world.dept_a)
    assert list(queries.visible_orders(world.head_a)) == [mine]
    assert set(queries.visible_orders(operator)) == {mine, other}
    assert list(queries.visible_orders(world.alice)) == []
    assert [o.number for o in caller_history("13912345678")] == [mine.number]
