"""A ticket from the kiosk is on the wall display within 2 s of the call, and is spoken."""

import time

import pytest

from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kiosk_call_display_and_speech(world, queue, live_server, browser, phone, desktop):
    # the citizen takes a ticket at the kiosk
    kiosk = phone.page
    kiosk.goto(f"{live_server.url}/queue/T-HALL/kiosk/")
    kiosk.click("button.kiosk-button >> text=企业开办")
    kiosk.wait_for_load_state("networkidle")
    number = kiosk.inner_text("[data-testid=ticket-number]")
    assert number == "A001"
    phone.screenshot("queue-ticket-phone")
    # the wall display is open
    tv_context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    tv = tv_context.new_page()
    tv.goto(f"{live_server.url}/queue/T-HALL/display/")
    assert "暂无叫号" in tv.inner_text("#board")
    # the clerk calls at window 01
    log_in(desktop, live_server.url, "clerk", PASSWORD)
    desktop.page.goto(f"{live_server.url}/staff/queue/?window=01")
    desktop.page.click("[data-testid=call-next]")
    called = time.monotonic()
    tv.wait_for_function("document.querySelector('#board .latest') !== null", timeout=2000)
    assert time.monotonic() - called < 2.0
    assert "A001" in tv.inner_text("#board .latest") and "01号窗口" in tv.inner_text("#board .latest")
    tv.wait_for_function("window.onewindowSpeech && window.onewindowSpeech.queued.length === 1", timeout=2000)
    assert tv.evaluate("window.onewindowSpeech.queued") == ["请A001号到01号窗口办理"]
    ARTIFACTS.mkdir(exist_ok=True)
    tv.screenshot(path=str(ARTIFACTS / "queue-display.png"))
    tv_context.close()
    assert desktop.errors == [] and phone.errors == []
