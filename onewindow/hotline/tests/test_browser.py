"""12345 in headless Chromium: the operator takes a call on the workbench on a 390 px phone (the
caller's history appears as the number is typed), registers the order and dispatches it; the
lead department's head signs and replies on a phone; the operator closes it. Screenshots in
/tmp/hotline-shots/."""

from pathlib import Path

import pytest

from onewindow import clock
from onewindow.hotline.models import WorkOrder
from onewindow.hotline.tests.conftest import MONDAY
from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
SHOTS = Path("/tmp/hotline-shots")


def shot(watched, name):
    watched.screenshot(name)
    SHOTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_operator_takes_a_call_and_the_department_replies(world, operator, category, receive, live_server,
                                                              phone, clerk_phone):  # fmt: skip
    earlier = receive(title="上月电梯故障")
    base = live_server.url
    with clock.frozen(MONDAY):
        log_in(phone, base, "operator", PASSWORD)
        page = phone.page
        page.goto(base + "/staff/hotline/")
        page.fill("#o-phone", "13912345678")
        page.wait_for_selector("[data-testid=history-row]")
        assert earlier.number in page.inner_text("[data-testid=caller-history]")
        page.fill("#o-name", "张三")
        page.select_option("#o-type", "help")
        page.select_option("#o-category", str(category.pk))
        page.fill("#o-title", "电梯又停运了")
        page.fill("#o-content", "新华路1号3号楼电梯再次停运，老人无法下楼。")
        page.fill("#o-address", "德城区新华路1号")
        assert page.evaluate(FITS), "the workbench is wider than the phone"
        shot(phone, "workbench-phone")
        page.click("[data-testid=order-form] button[type=submit]")
        page.wait_for_load_state("networkidle")
        order = WorkOrder.objects.exclude(pk=earlier.pk).get()
        assert page.inner_text("[data-testid=order-status]") == "已受理"
        assert page.locator("[data-testid=duplicate]").count() == 1  # the earlier call, same caller
        page.select_option("[data-testid=form-dispatch] select[name=lead]", "T-A")
        assert page.evaluate(FITS), "the order page is wider than the phone"
        shot(phone, "order-dispatch-phone")
        page.click("[data-testid=form-dispatch] button")
        page.wait_for_load_state("networkidle")
        assert page.inner_text("[data-testid=order-status]") == "已派单"

        log_in(clerk_phone, base, "head_a", PASSWORD)
        head = clerk_phone.page
        head.goto(base + "/staff/hotline/department/")
        assert head.locator("[data-testid=order-row]").count() == 1
        shot(clerk_phone, "department-list-phone")
        head.click(f"text={order.number}")
        head.wait_for_load_state("networkidle")
        head.click("[data-testid=form-sign] button")
        head.wait_for_load_state("networkidle")
        head.fill("[data-testid=form-reply] textarea[name=text]", "已督促物业更换电梯主板，今日恢复运行。")
        assert head.evaluate(FITS), "the order page is wider than the phone"
        shot(clerk_phone, "order-reply-phone")
        head.click("[data-testid=form-reply] button")
        head.wait_for_load_state("networkidle")
        assert head.inner_text("[data-testid=order-status]") == "已答复"

        page.reload()
        page.click("[data-testid=form-close] button")
        page.wait_for_load_state("networkidle")
        assert page.inner_text("[data-testid=order-status]") == "已办结"
        assert page.locator("[data-testid=event]").count() == 5
        shot(phone, "order-closed-phone")
    order.refresh_from_db()
    assert order.status == "closed" and order.replied_on_time is True
    for watched in (phone, clerk_phone):
        assert not watched.errors, watched.errors
