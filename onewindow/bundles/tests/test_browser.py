"""企业开办 in headless Chromium: the clerk registers a walk-in at the comprehensive window, fills the
one merged form, ticks one set of materials and accepts at once; department A's reviewer opens the
application on a phone and sees only its own item; anyone follows the progress on a phone."""

import pytest

from onewindow.bundles.tests.conftest import ANSWERS, build_startup
from onewindow.personas import PASSWORD
from onewindow.web.demo import id_number
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_a_walk_in_bundle_is_accepted_once_and_followed_on_a_phone(world, live_server, desktop, phone):
    build_startup(world)
    base = live_server.url
    # given the clerk at comprehensive window 01 and a walk-in applicant
    log_in(desktop, base, "clerk", PASSWORD)
    page = desktop.page
    page.goto(base + "/staff/bundles/")
    page.click("[data-testid=bundles] >> text=企业开办")
    page.click("[data-testid=register] summary")
    page.fill("#id_name", "李四")
    page.fill("#id_id_number", id_number("37140219900307001"))
    page.fill("#id_phone", "13700004321")
    page.select_option("#id_region", "371402000000")
    page.click("text=登记申请人")
    assert "李四" in page.inner_text("[data-testid=applicant]")
    # when the clerk fills the merged form once and ticks the one set of materials
    for key, value in ANSWERS.items():
        if key == "enterprise_type":
            page.select_option(f"[name=f_{key}]", value)
        else:
            page.fill(f"[name=f_{key}]", value)
    for box in page.locator("input[name=handed_in]").all():
        box.check()
    desktop.screenshot("bundle-window-desktop")
    page.click("[data-testid=apply-accept]")
    page.wait_for_url("**/staff/bundle-applications/**")
    # then all five items run, accepted once
    assert page.inner_text("[data-testid=status]") == "办理中"
    assert page.locator("[data-testid=child]").count() == 5
    assert page.locator("[data-testid=notice]").count() == 1
    number = page.inner_text("[data-testid=number]")
    assert desktop.errors == []

    # and department A's reviewer sees only its own item, on a phone
    phone_page = phone.page
    log_in(phone, base, "reviewer_a", PASSWORD)
    phone_page.goto(f"{base}/staff/bundle-applications/{number}/")
    assert phone_page.locator("[data-testid=child]").count() == 1
    assert "企业设立登记" in phone_page.inner_text("[data-testid=children]")
    assert phone_page.evaluate(FITS), "the application page is wider than the phone"
    phone.screenshot("bundle-application-reviewer-phone")

    # and anyone with the number and the phone's last four digits follows the progress
    phone_page.context.clear_cookies()
    phone_page.goto(f"{base}/bundles/{number}/progress/")
    phone_page.fill("#phone_last4", "4321")
    phone_page.click("main form button[type=submit]")
    phone_page.wait_for_selector("[data-testid=progress]")
    assert phone_page.locator("[data-testid=child]").count() == 5
    assert "李四" not in phone_page.content()
    assert phone_page.evaluate(FITS), "the progress page is wider than the phone"
    phone.screenshot("bundle-progress-phone")
    assert phone.errors == []
