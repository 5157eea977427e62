"""The knowledge base and the weekly category report on a 390 px phone, in headless Chromium:
the operator finds the heating answer from the caller's sentence; the report flags the category
seeded to rise. Screenshots go to test-results/ and /tmp/hotline-figures-shots/."""

import datetime as dt
from pathlib import Path

import pytest

from onewindow import clock
from onewindow.accounts.models import Department, Role
from onewindow.hotline import seed
from onewindow.hotline.models import Category
from onewindow.hotline.tests.helpers import received
from onewindow.personas import PASSWORD, new_staff
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
SHOTS = Path("/tmp/hotline-figures-shots")
MONDAY = dt.date(2026, 11, 23)


def shot(watched, name):
    watched.screenshot(name)
    SHOTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_operator_searches_the_base_and_reads_the_report_on_a_phone(world, live_server, phone):
    Department.objects.create(code="371400-zjj", name="德州市住房和城乡建设局", region=world.city)
    seed.seed_categories()
    seed.seed_knowledge()
    heating, lift = Category.objects.get(code="0102"), Category.objects.get(code="0101")
    for w in range(9):
        start = MONDAY - dt.timedelta(weeks=8 - w)
        received(world, heating, start + dt.timedelta(days=w % 5), n=2 if w < 8 else 9)
        received(world, lift, start + dt.timedelta(days=1), n=4)
    new_staff("operator", "吴倩", Role.HOTLINE_OPERATOR, world.hall)
    base = live_server.url
    with clock.frozen(dt.datetime(2026, 11, 28, 10, 0, tzinfo=clock.hall_tz())):
        log_in(phone, base, "operator", PASSWORD)
        page = phone.page
        page.goto(base + "/staff/hotline/kb/")
        page.fill("input[name=q]", "我家暖气不热，室温才十五度")
        page.click("[data-testid=kb-form] button[type=submit]")
        page.wait_for_load_state("networkidle")
        first = page.locator("[data-testid=kb-hit]").first
        assert "暖气不热" in first.inner_text() and first.locator("[data-testid=kb-copy]").is_visible()
        assert page.evaluate(FITS), "the knowledge base page is wider than the phone"
        shot(phone, "hotline-kb-phone")

        page.goto(base + "/staff/hotline/report/")  # this week: 23–29 November
        rising = page.inner_text("[data-testid=rising]")
        assert "城乡建设 › 供暖" in rising and "物业管理" not in rising
        row = page.locator("[data-testid=category-row][data-code='0102']")
        assert "上升" in row.inner_text() and "9" in row.inner_text()
        assert page.evaluate(FITS), "the report is wider than the phone"
        shot(phone, "hotline-report-phone")
