"""Hall management opens March's ranking in Chromium, reads a window's breakdown and confirms the
proposed red-flag window (desktop); the ranking fits a phone; the public page shows the award.
Screenshots in /tmp/assessment-shots/."""

import pathlib

import pytest

from onewindow import clock
from onewindow.assessment import services
from onewindow.assessment.models import Award
from onewindow.assessment.tests.conftest import APRIL_2, MARCH
from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = pathlib.Path("/tmp/assessment-shots")
FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_management_reads_the_ranking_and_confirms_the_red_flag_window(world, dave, march, live_server, desktop,
                                                                       phone):  # fmt: skip
    with clock.frozen(APRIL_2):
        services.compute(MARCH, world.hall)
    SHOTS.mkdir(exist_ok=True)
    log_in(desktop, live_server.url, "supervisor", PASSWORD)
    page = desktop.page
    page.click("header >> text=月度考核")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/staff/assessment/?month=2026-03")
    ranking = page.locator("[data-testid=ranking-window] details")
    assert ranking.count() == 2
    assert "第1名 · 11号窗口 市场监管窗口 · 948.00分" in ranking.nth(0).inner_text()
    ranking.nth(1).locator("summary").click()
    breakdown = page.inner_text(f"[data-testid=breakdown-window-{world.window_1.pk}]")
    assert (
        "办结4件，按时3件，按时办结率75.00%" in breakdown and "-125.00" in breakdown and "859.00" in breakdown
    )
    page.screenshot(path=str(SHOTS / "ranking-breakdown-desktop.png"), full_page=True)

    proposal = page.locator("[data-testid=proposals-red_flag] button")
    assert proposal.count() == 1 and "确认为红旗窗口" in proposal.inner_text()
    proposal.click()
    page.wait_for_load_state("networkidle")
    assert "已确认红旗窗口：01号窗口 综合受理" in page.inner_text("body")
    assert "萨姆" in page.inner_text("[data-testid=awards]")
    assert Award.objects.get().confirmed_by == world.supervisor
    page.screenshot(path=str(SHOTS / "award-confirmed-desktop.png"), full_page=True)
    assert not desktop.errors, desktop.errors

    log_in(phone, live_server.url, "supervisor", PASSWORD)
    phone.page.goto(f"{live_server.url}/staff/assessment/?month=2026-03")
    assert phone.page.evaluate(FITS)
    phone.page.goto(f"{live_server.url}/assessment/?month=2026-03")
    assert "红旗窗口：01号窗口 综合受理" in phone.page.inner_text("body")
    assert phone.page.evaluate(FITS)
    phone.page.screenshot(path=str(SHOTS / "public-phone.png"), full_page=True)
    assert not phone.errors, phone.errors
