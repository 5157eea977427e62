"""投诉 in headless Chromium: Alice files a complaint about her case on a 390 px phone; hall
management assigns it to department A at a desk; A's head answers on a phone; hall management
records the callback, decides it upheld and closes it; Alice reads the answer. Screenshots go to
test-results/ and /tmp/complaints-shots/."""

import datetime as dt
from pathlib import Path

import pytest

from onewindow import clock
from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.notify.models import Message
from onewindow.personas import PASSWORD, published_item
from onewindow.ratings.models import Complaint
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
SHOTS = Path("/tmp/complaints-shots")


def shot(watched, name):
    watched.screenshot(name)
    SHOTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_complaint_walks_from_the_portal_to_the_callback(world, live_server, phone, desktop, clerk_phone):
    version = published_item(world).current
    with clock.frozen(dt.date(2026, 9, 30)):
        case = cases.submit(version=version, applicant=world.alice_applicant, hall=world.hall, channel=Channel.WINDOW,
                            by=world.clerk, handed_in=[m.pk for m in version.materials.all()])  # fmt: skip
        cases.accept(case, by=world.clerk)
    base = live_server.url
    with clock.frozen(dt.date(2026, 10, 8)):
        # The citizen, on a phone.
        log_in(phone, base, "alice", PASSWORD)
        page = phone.page
        page.goto(base + "/my/")
        page.click("[data-testid=my-complaints-link]")
        page.select_option("#c-case", case.number)
        page.fill("#c-subject", "窗口人员态度生硬")
        page.fill("#c-text", "受理时不解释材料要求，让我跑了两趟。")
        assert page.evaluate(FITS), "the complaint form is wider than the phone"
        shot(phone, "complaint-form-phone")
        page.click("[data-testid=complaint-form] button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "投诉已提交" in page.inner_text("[data-testid=filed]")
        number = Complaint.objects.get().number
        assert page.inner_text("[data-testid=complaint-status]") == "待分派"

        # Hall management assigns it, at a desk.
        log_in(desktop, base, "hall_admin", PASSWORD)
        staff = desktop.page
        staff.goto(base + "/staff/complaints/")
        row = staff.locator("[data-testid=complaint-row]")
        assert row.count() == 1 and "01号窗口" in row.inner_text()
        staff.click(f"text={number}")
        staff.wait_for_load_state("networkidle")
        assert staff.locator("[data-testid=form-answer]").count() == 0
        staff.select_option("[data-testid=form-assign] select[name=department]", "T-A")
        staff.click("[data-testid=form-assign] button")
        staff.wait_for_load_state("networkidle")
        assert staff.inner_text("[data-testid=complaint-status]") == "待答复"

        # Department A's head answers, on a phone.
        log_in(clerk_phone, base, "head_a", PASSWORD)
        head = clerk_phone.page
        head.goto(base + f"/staff/complaints/{number}/")
        head.fill(
            "[data-testid=form-answer] textarea[name=text]", "已约谈窗口人员并致歉，材料要求已在窗口公示。"
        )
        assert head.evaluate(FITS), "the complaint page is wider than the phone"
        shot(clerk_phone, "complaint-answer-phone")
        head.click("[data-testid=form-answer] button")
        head.wait_for_load_state("networkidle")
        assert head.inner_text("[data-testid=complaint-status]") == "已答复待回访"
        assert Message.objects.filter(key=f"complaint:{number}:answered").exists()

        # Hall management calls back, decides and closes.
        staff.reload()
        staff.check("[data-testid=form-callback] input[value=satisfied]")
        staff.fill("[data-testid=form-callback] textarea[name=note]", "投诉人对答复满意")
        staff.click("[data-testid=form-callback] button")
        staff.wait_for_load_state("networkidle")
        staff.check("[data-testid=form-decide] input[value=upheld]")
        staff.fill("[data-testid=form-decide] textarea[name=reason]", "调阅录像，态度问题属实")
        staff.click("[data-testid=form-decide] button")
        staff.wait_for_load_state("networkidle")
        staff.click("[data-testid=form-close] button")
        staff.wait_for_load_state("networkidle")
        assert staff.inner_text("[data-testid=complaint-status]") == "已办结"
        assert staff.inner_text("[data-testid=complaint-finding]") == "投诉属实"
        assert staff.locator("[data-testid=actions]").count() == 0
        assert staff.locator("[data-testid=event]").count() == 6
        shot(desktop, "complaint-closed-desktop")

        # Alice reads the answer.
        page.reload()
        assert "已约谈窗口人员并致歉" in page.inner_text("[data-testid=complaint-answer]")
        assert page.inner_text("[data-testid=complaint-status]") == "已办结"
    for watched in (phone, desktop, clerk_phone):
        assert not watched.errors, watched.errors
