"""同城通办 in headless Chromium (issue 15 acceptance): a clerk of the district hall receives a
city item at the window; the city department's reviewer finds it in 我的待办 on a phone, reviews
it, the head decides; the district hall's workbench lists it as received here and decided by the
city department — both halls see it. Screenshots also go to /tmp/citywide/shots."""

import shutil
from pathlib import Path

import pytest

from onewindow.accounts.models import Role
from onewindow.catalog import search
from onewindow.personas import PASSWORD, new_staff, published_item
from onewindow.web.tests.browser import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
SHOTS = Path("/tmp/citywide/shots")
RECEIVED_ELSEWHERE = "同城通办 · 测试区政务服务中心收件"


def _shot(watched, name: str) -> None:
    watched.screenshot(name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(ARTIFACTS / f"{name}.png", SHOTS / f"{name}.png")


@pytest.fixture
def fresh_search():
    search.invalidate()
    yield
    search.invalidate()


def _district_clerk_receives_a_city_item(desktop, base_url, id_number: str) -> str:
    log_in(desktop, base_url, "clerk_dc", PASSWORD)
    page = desktop.page
    page.click("header >> text=办件受理")
    page.fill("input[name=number]", id_number)
    page.click("text=查找申请人")
    assert "艾丽" in page.inner_text("[data-testid=applicant]")
    page.fill("input[name=q]", "开饭店")
    page.click("#item-hits >> text=食品经营许可（新办）")
    note = page.inner_text("[data-testid=citywide-note]")
    assert "同城通办" in note and "测试市场监管局（测试市政务服务中心）" in note
    for box in page.locator("input[name=handed_in]").all():
        box.check()
    _shot(desktop, "citywide-workbench-district-clerk-desktop")
    page.click("text=接件，生成办件")
    page.wait_for_url("**/staff/cases/**")
    assert "测试区政务服务中心" in page.inner_text("[data-testid=received-by]")
    assert "测试市场监管局（测试市政务服务中心）" in page.inner_text("[data-testid=decided-by]")
    page.click("[data-testid=form-accept] button")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("[data-testid=status]") == "办理中"
    _shot(desktop, "citywide-case-accepted-district-desktop")
    return page.inner_text("[data-testid=number]")


def _in_the_inbox(phone, base_url, username: str, number: str):
    page = phone.page
    page.context.clear_cookies()
    log_in(phone, base_url, username, PASSWORD)
    page.click("header >> text=我的待办")
    row = page.locator("[data-testid=inbox-row]", has_text=number)
    assert row.count() == 1 and RECEIVED_ELSEWHERE in row.inner_text()
    assert page.evaluate(FITS), "the inbox is wider than the phone"
    _shot(phone, f"citywide-inbox-{username}-phone")
    page.click(f"text={number}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(FITS), "the case page is wider than the phone"
    return page


def test_a_district_hall_receives_a_city_item_the_city_department_decides_both_halls_list_it(
    world, fresh_search, live_server, desktop, phone
):
    published_item(world)  # 食品经营许可 of department A, a city bureau at the city hall
    new_staff("clerk_dc", "邓城", Role.CLERK, world.other_hall)
    number = _district_clerk_receives_a_city_item(desktop, live_server.url, world.alice_applicant.id_number)
    # the city department's reviewer finds it in 我的待办, marked as received at the district hall
    page = _in_the_inbox(phone, live_server.url, "reviewer_a", number)
    assert "同城通办" in page.inner_text("[data-testid=case-header]")
    _shot(phone, "citywide-case-reviewer-phone")
    page.fill("[data-testid=form-review] textarea[name=opinion]", "经审查，符合条件")
    page.click("[data-testid=form-review] button")
    page.wait_for_load_state("networkidle")
    # the head decides
    page = _in_the_inbox(phone, live_server.url, "head_a", number)
    page.check("[data-testid=form-decide] input[value=yes]")
    page.click("[data-testid=form-decide] button")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("[data-testid=status]") == "已办结"
    _shot(phone, "citywide-case-decided-phone")
    # the receiving hall's clerk lists it as received here, decided by the city department
    page = desktop.page
    page.goto(live_server.url + "/staff/workbench/")
    row = page.locator("[data-testid=received-row]", has_text=number)
    assert row.count() == 1
    text = row.inner_text()
    assert "准予" in text and "同城通办 · 测试市政务服务中心" in text
    _shot(desktop, "citywide-received-here-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(FITS), "the workbench is wider than a phone"
    _shot(desktop, "citywide-received-here-phone")
    assert desktop.errors == [] and phone.errors == []
