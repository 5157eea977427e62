"""One case in headless Chromium: a walk-in accepted at the window, reviewed and approved from
the inbox on a phone, then looked up by the applicant on the public progress page."""

import pytest

from onewindow.catalog import search
from onewindow.personas import PASSWORD, published_item
from onewindow.web.demo import id_number
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.fixture
def fresh_search():
    """The guided-search index is per process: this test's catalog in, nothing left behind."""
    search.invalidate()
    yield
    search.invalidate()


def _clerk_accepts_a_walk_in(desktop, base_url) -> str:
    log_in(desktop, base_url, "clerk", PASSWORD)
    page = desktop.page
    page.click("header >> text=办件受理")
    page.click("[data-testid=register] summary")
    page.fill("#id_name", "李四")
    page.fill("#id_id_number", id_number("37140219900307001"))
    page.fill("#id_phone", "13700004321")
    page.select_option("#id_region", "371402000000")
    page.click("text=登记申请人")
    assert "李四" in page.inner_text("[data-testid=applicant]")
    page.fill("input[name=q]", "开饭店")  # htmx lists the items as the clerk types
    page.click("#item-hits >> text=食品经营许可（新办）")
    for box in page.locator("input[name=handed_in]").all():
        box.check()
    desktop.screenshot("workbench-checklist-desktop")
    page.click("text=接件，生成办件")
    page.wait_for_url("**/staff/cases/**")
    assert page.inner_text("[data-testid=status]") == "已接件"
    page.click("[data-testid=form-accept] button")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("[data-testid=status]") == "办理中"
    desktop.screenshot("case-accepted-desktop")
    return page.inner_text("[data-testid=number]")


def _from_the_inbox(phone, base_url, username: str, number: str):
    page = phone.page
    page.context.clear_cookies()
    log_in(phone, base_url, username, PASSWORD)
    page.click("header >> text=我的待办")
    assert page.locator("[data-testid=inbox-row]").count() == 1
    assert page.evaluate(FITS), "the inbox is wider than the phone"
    phone.screenshot(f"inbox-{username}-phone")
    page.click(f"text={number}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(FITS), "the case page is wider than the phone"
    return page


def test_a_walk_in_case_goes_from_the_window_to_closed_and_its_progress_is_public(
    world, fresh_search, live_server, desktop, phone
):
    published_item(world)
    # given a case accepted at the window
    number = _clerk_accepts_a_walk_in(desktop, live_server.url)
    # when department A's reviewer reviews it on a phone
    page = _from_the_inbox(phone, live_server.url, "reviewer_a", number)
    assert "绿灯" in page.inner_text("[data-testid=case-header]")
    phone.screenshot("case-reviewer-phone")
    page.fill("[data-testid=form-review] textarea[name=opinion]", "经审查，符合条件")
    page.click("[data-testid=form-review] button")
    page.wait_for_load_state("networkidle")
    assert "经审查，符合条件" in page.inner_text("[data-testid=steps]")
    # and the head approves it, also from the inbox
    page = _from_the_inbox(phone, live_server.url, "head_a", number)
    page.check("[data-testid=form-decide] input[value=yes]")
    page.click("[data-testid=form-decide] button")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("[data-testid=status]") == "已办结"
    phone.screenshot("case-closed-phone")
    # then the applicant finds it closed on the progress page, without logging in
    page.context.clear_cookies()
    page.goto(live_server.url + "/")
    page.click("[data-testid=progress-link]")
    page.fill("#number", number)
    page.fill("#phone_last4", "4321")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    result = page.inner_text("[data-testid=progress]")
    assert "已办结" in result and "准予" in result and "李四" not in page.inner_text("main")
    assert page.evaluate(FITS)
    phone.screenshot("progress-phone")
    assert desktop.errors == [] and phone.errors == []


def test_an_applicant_applies_online_on_a_phone(world, live_server, phone, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    published_item(world)
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    log_in(phone, live_server.url, "alice", PASSWORD)
    page = phone.page
    page.goto(live_server.url + "/items/T-SPJY-0001/")
    page.click("[data-testid=apply]")
    assert "共享获取" in page.inner_text("[data-testid=apply-form]")
    page.locator("input[type=file]").first.set_input_files(str(scan))
    phone.screenshot("apply-phone")
    page.click("text=提交申请")
    page.wait_for_url("**/my/cases/**")
    assert page.inner_text("[data-testid=status]") == "已接件"
    assert page.evaluate(FITS)
    phone.screenshot("my-case-phone")
    assert phone.errors == []
