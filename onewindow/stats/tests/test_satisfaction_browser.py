"""The public satisfaction page (decision 39) on a phone: reached from the portal's home, the
month picker, the figures and the rectified list fit the screen; a bad month is a clear message.
Screenshots in /tmp/satisfaction-shots/."""

from pathlib import Path

import pytest

from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
SHOTS = Path("/tmp/satisfaction-shots")


def test_the_public_satisfaction_page_on_a_phone(world, rated, live_server, phone):
    SHOTS.mkdir(exist_ok=True)
    page = phone.page
    page.goto(live_server.url + "/")
    page.click("[data-testid=satisfaction-link]")
    page.wait_for_load_state("networkidle")
    assert "满意度与差评整改" in page.inner_text("h1")  # the last whole month: February, no ratings
    assert "本月暂无评价" in page.inner_text("[data-testid=public-satisfaction]")

    page.fill("#month", "2026-03")  # the month picker
    page.click("[data-testid=month-form] button")
    page.wait_for_load_state("networkidle")
    assert "2026年3月" in page.inner_text("h1")
    total = page.inner_text("[data-testid=satisfaction-total]")
    assert "57.1%" in total and "66.7%" in total
    listed = page.inner_text("[data-testid=public-rectified]")
    assert "食品经营许可（新办）" in listed and "＊＊＊" in listed and "1234" not in listed
    assert page.evaluate(FITS), "the public satisfaction page is wider than the phone"
    page.screenshot(path=str(SHOTS / "public-satisfaction-phone.png"), full_page=True)

    page.goto(live_server.url + "/figures/satisfaction/?month=2099-01")
    assert "尚未开始" in page.inner_text("[role=alert]")
    page.screenshot(path=str(SHOTS / "public-satisfaction-future-month-phone.png"))
    assert not [e for e in phone.errors if "400" not in e], phone.errors  # the error page's own 400


def test_the_dashboard_satisfaction_section_on_a_phone(world, rated, live_server, phone):
    SHOTS.mkdir(exist_ok=True)
    log_in(phone, live_server.url, "supervisor", PASSWORD)
    page = phone.page
    page.goto(live_server.url + "/staff/stats/")
    page.fill("#rated-month", "2026-03")
    page.click("[data-testid=satisfaction-form] button")
    page.wait_for_load_state("networkidle")
    table = page.inner_text("[data-testid=table-satisfaction]")
    assert "57.1%" in table and "66.7%" in table
    assert "食品经营许可（新办）" in page.inner_text("[data-testid=table-satisfaction-rectified]")
    assert "month=2026-03" in page.get_attribute("[data-testid=export-satisfaction]", "href")
    assert page.evaluate(FITS), "the dashboard is wider than the phone"
    page.locator("#satisfaction").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "dashboard-satisfaction-phone.png"))
    assert not phone.errors, phone.errors
