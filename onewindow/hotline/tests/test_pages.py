"""12345 pages: the operator takes a call on the workbench (the caller's history, the phone in full
on the form only), the order page offers exactly allowed_actions and shows the refusal, the
department's list with lights, who is kept out."""

import pytest

from onewindow import clock
from onewindow.hotline import flow
from onewindow.hotline.models import Assignment, KnowledgeEntry, ReplyTemplate, WorkOrder
from onewindow.hotline.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db


def test_the_operator_takes_a_call_and_sees_the_callers_history(world, operator, category, receive, as_user):
    earlier = receive()
    op = as_user(operator)
    history = op.get("/staff/hotline/history/", {"caller_phone": "13912345678"})
    assert earlier.number in history.content.decode()
    refused = op.post("/staff/hotline/", {"channel": "phone", "type": "help", "category": category.pk, "title": "",
                                          "content": "x", "caller_phone": "13912345678"})  # fmt: skip
    assert refused.status_code == 400 and "请填写标题" in refused.content.decode()
    assert "13912345678" in refused.content.decode()  # the operator's own form keeps the number
    with clock.frozen(MONDAY):
        done = op.post("/staff/hotline/", {"channel": "phone", "type": "help", "category": category.pk,
                                           "title": "路灯不亮", "content": "新华路路灯不亮", "caller_phone": "13912345678",
                                           "address": "新华路"})  # fmt: skip
    order = WorkOrder.objects.exclude(pk=earlier.pk).get()
    assert done.status_code == 302 and done["Location"] == f"/staff/hotline/orders/{order.number}/"
    assert (order.type, order.received_by, order.region) == ("help", operator, world.hall.region)
    with clock.frozen(MONDAY):
        bench = op.get("/staff/hotline/").content.decode()
    assert order.number in bench and 'data-testid="duplicate-hint"' in bench  # same caller, same week
    with clock.frozen(MONDAY):
        page = op.get(f"/staff/hotline/orders/{order.number}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page  # masked (decision 18)
    assert 'data-testid="form-dispatch"' in page and 'data-testid="form-merge"' in page
    assert 'data-testid="form-sign"' not in page


def test_the_order_page_runs_the_steps_and_shows_a_refusal(world, operator, receive, as_user):
    order = receive()
    ReplyTemplate.objects.create(category=order.category, title="电梯停运", text="已转物业公司限期维修。")
    op, head = as_user(operator), as_user(world.head_a)
    with clock.frozen(MONDAY):
        assert op.post(f"/staff/hotline/orders/{order.number}/dispatch/", {"lead": "T-A"}).status_code == 302
        assert head.get("/staff/hotline/department/").content.decode().count('data-testid="order-row"') == 1
        page = head.get(f"/staff/hotline/orders/{order.number}/").content.decode()
        assert 'data-testid="form-sign"' in page and 'data-testid="form-dispatch"' not in page
        assert 'data-testid="templates"' not in page  # offered with the reply, after signing
        refused = head.post(f"/staff/hotline/orders/{order.number}/reply/", {"text": "先答复"})
        assert refused.status_code == 409 and "不能答复" in refused.content.decode()
        head.post(f"/staff/hotline/orders/{order.number}/sign/")
        assert "已转物业公司限期维修" in head.get(f"/staff/hotline/orders/{order.number}/").content.decode()
        head.post(f"/staff/hotline/orders/{order.number}/reply/", {"text": "已修复"})
    order.refresh_from_db()
    assert order.status == "replied" and order.reply == "已修复"
    assert as_user(world.reviewer_b).get(f"/staff/hotline/orders/{order.number}/").status_code == 404
    assert as_user(world.head_a).get("/staff/hotline/").status_code == 403
    assert as_user(world.clerk).get("/staff/hotline/department/").status_code == 403
    assert op.post(f"/staff/hotline/orders/{order.number}/fly/").status_code == 404


def test_the_department_list_shows_lights(world, operator, receive, as_user):
    order = receive(type="emergency")
    with clock.frozen(MONDAY):
        flow.dispatch(order, by=operator, lead=world.dept_a, assisting=[world.dept_b])
    assert Assignment.objects.filter(order=order).count() == 2
    with clock.frozen(MONDAY.replace(day=13)):  # an emergency: red the next working day
        page = as_user(world.reviewer_b).get("/staff/hotline/department/").content.decode()
    assert order.number in page and "红灯" in page


def test_the_knowledge_base_answers_on_the_workbench_and_in_the_direct_answer_form(
    world, operator, receive, as_user
):
    """直接答复: the operator searches the knowledge base on the workbench, and the order page's
    direct-answer form shows the entries matching what the caller asked."""
    KnowledgeEntry.objects.create(question="小区电梯停运找谁维修？", answer="电梯由物业服务企业负责维修，可拨打市场监管局特种设备投诉电话。",
                                  keywords="电梯 停运 维修", updated_at=clock.now())  # fmt: skip
    op = as_user(operator)
    bench = op.get("/staff/hotline/", {"kb": "我们小区电梯停运了"}).content.decode()
    assert 'data-testid="kb-hit"' in bench and "电梯由物业服务企业负责维修" in bench
    assert 'data-testid="kb-hit"' not in op.get("/staff/hotline/").content.decode()
    order = receive()
    with clock.frozen(MONDAY):
        page = op.get(f"/staff/hotline/orders/{order.number}/").content.decode()
    assert 'data-testid="form-answer_directly"' in page
    assert "电梯由物业服务企业负责维修" in page
