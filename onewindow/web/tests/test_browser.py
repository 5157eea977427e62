"""People using the pages in headless Chromium: a citizen on a phone, a clerk, a hall admin."""

import pytest

from onewindow import clock
from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_portal_home_on_a_phone_without_errors(world, live_server, phone):
    page = phone.page
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    assert "测试市政务服务中心" in page.title()
    assert page.locator("h1").inner_text() == "测试市政务服务中心"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        "page wider than the phone"
    )
    assert page.evaluate("typeof htmx !== 'undefined' && htmx.version.startsWith('2.0')")
    phone.screenshot("portal-home-phone")
    assert phone.errors == []


def test_it_logs_a_clerk_in_to_the_workbench(world, live_server, desktop):
    log_in(desktop, live_server.url, "clerk", PASSWORD)
    page = desktop.page
    assert page.url.endswith("/staff/")
    assert "柯萝" in page.inner_text("main") and "窗口受理人员" in page.inner_text("main")
    assert desktop.errors == []


def test_it_refuses_a_wrong_id_number_at_registration(world, live_server, phone):
    page = phone.page
    page.goto(live_server.url + "/register/")
    page.fill("#id_name", "李四")
    page.fill("#id_id_number", "371402199202204011")
    page.fill("#id_phone", "13900001111")
    page.select_option("#id_region", "371402000000")
    page.fill("#id_username", "lisi")
    page.fill("#id_password", "Li-si-portal-2026")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/register/" in page.url
    assert "身份证号码校验位不正确" in page.inner_text("main")
    phone.screenshot("register-wrong-id")


def test_it_warns_the_hall_admin_and_clears_after_the_official_schedule(world, live_server, desktop):
    world.hall_admin.is_staff = world.hall_admin.is_superuser = True
    world.hall_admin.save()
    with clock.frozen(clock.today().replace(year=2026, month=11, day=26)):
        log_in(desktop, live_server.url, "hall_admin", PASSWORD)
        page = desktop.page
        assert "2027" in page.inner_text("[data-testid=provisional-warning]")
        page.goto(live_server.url + "/admin/workdays/day/publish/")
        page.fill("#id_year", "2027")
        page.fill("#id_holidays", "2027-01-01 元旦\n2027-02-05~2027-02-12 春节\n2027-10-01~2027-10-07 国庆节")
        page.fill("#id_adjusted_workdays", "2027-02-14 春节")
        page.click("input[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "已录入" in page.inner_text("body")
        page.goto(live_server.url + "/staff/")
        assert page.locator("[data-testid=provisional-warning]").count() == 0
    assert desktop.errors == []


def test_it_serves_the_api_docs_offline(live_server, desktop):
    page = desktop.page
    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector("text=OneWindow API", timeout=15000)
    assert desktop.errors == []
