"""差评整改 in headless Chromium: department A's reviewer, on a phone, finds the bad rating in the
list with its light, sees the rater's number for the callback, records the callback, the
verification, the measures and the feedback (the SMS queued); hall management reads it at a
desk. Screenshots go to test-results/ and /tmp/rectification-shots/."""

import datetime as dt
from pathlib import Path

import pytest

from onewindow import clock
from onewindow.notify.models import Message
from onewindow.personas import PASSWORD
from onewindow.ratings.tests.rectification_story import PHONE, bad_rating
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
SHOTS = Path("/tmp/rectification-shots")


def shot(watched, name):
    watched.screenshot(name)
    SHOTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def submit(page, form):
    page.click(f"[data-testid={form}] button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_reviewer_walks_a_bad_rating_from_callback_to_feedback_on_a_phone(
    world, live_server, clerk_phone, desktop
):
    rating = bad_rating(world)
    base = live_server.url
    with clock.frozen(dt.date(2026, 11, 3)):
        # The supervisor watches the callback next to the other clocks (yellow: due today).
        log_in(desktop, base, "supervisor", PASSWORD)
        desktop.page.goto(base + "/staff/supervision/?kind=callbacks")
        watched = desktop.page.locator("[data-testid=item-row]")
        assert (
            watched.count() == 1
            and f"差评{rating.pk}" in watched.inner_text()
            and "黄灯" in watched.inner_text()
        )
        shot(desktop, "supervision-callbacks-desktop")

        log_in(clerk_phone, base, "reviewer_a", PASSWORD)
        page = clerk_phone.page
        page.goto(base + "/staff/")
        page.click("text=差评整改")
        page.wait_for_load_state("networkidle")
        row = page.locator("[data-testid=rectification-row]")
        assert row.count() == 1 and "黄灯" in row.inner_text() and "待回访" in row.inner_text()
        assert page.evaluate(FITS), "the list is wider than the phone"
        shot(clerk_phone, "rectification-list-phone")
        page.click(f"text=差评{rating.pk}")
        page.wait_for_load_state("networkidle")
        assert page.inner_text("[data-testid=rater-phone]") == PHONE
        assert page.locator("[data-testid=actions] form").count() == 1
        page.check("[data-testid=form-callback] input[value=yes]")
        page.fill("[data-testid=form-callback] textarea[name=note]", "已电话联系评价人，反映材料要求讲不清。")
        assert page.evaluate(FITS), "the rectification page is wider than the phone"
        shot(clerk_phone, "rectification-callback-phone")
        submit(page, "form-callback")
        assert page.inner_text("[data-testid=rectification-status]") == "待核实"
        assert page.inner_text("[data-testid=rater-phone]") == "139****5678"

        page.check("[data-testid=form-verify] input[value=partly]")
        page.fill("[data-testid=form-verify] textarea[name=note]", "调阅录像，窗口解释不够清楚。")
        submit(page, "form-verify")
        assert page.inner_text("[data-testid=rectification-status]") == "整改中"
        page.fill("[data-testid=form-rectify] textarea[name=measures]", "约谈窗口人员；制作一次性告知单。")
        submit(page, "form-rectify")
        page.fill(
            "[data-testid=form-feedback] textarea[name=text]", "已约谈窗口人员并改进告知方式，向您致歉。"
        )
        shot(clerk_phone, "rectification-feedback-phone")
        submit(page, "form-feedback")
        assert page.inner_text("[data-testid=rectification-status]") == "已反馈"
        assert "改进告知方式" in page.inner_text("[data-testid=feedback-done]")
        assert page.locator("[data-testid=event]").count() == 6
        assert [m.phone for m in Message.objects.filter(event="rating_feedback")].count(PHONE) == 1
        assert page.evaluate(FITS)
        shot(clerk_phone, "rectification-fed-back-phone")

        desktop.page.goto(base + f"/staff/ratings/{rating.pk}/")
        assert desktop.page.inner_text("[data-testid=rectification-status]") == "已反馈"
        shot(desktop, "rectification-fed-back-desktop")
    for watched in (clerk_phone, desktop):
        assert not watched.errors, watched.errors
