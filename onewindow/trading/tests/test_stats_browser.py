"""The trading statistics in headless Chromium: the officer reads the demo's year on a desktop,
hall management on a 390 px phone (the table as cards, no sideways scrolling). Screenshots in
/tmp/shots/20-tdata-*.png."""

from pathlib import Path

import pytest

from onewindow import clock
from onewindow.trading.tests.test_demo import TODAY, seed_all
from onewindow.web import demo as web_demo
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
SHOTS = Path("/tmp/shots")


def shot(watched, name):
    SHOTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(SHOTS / f"20-tdata-{name}.png"), full_page=True)


def test_the_statistics_on_a_desktop_and_a_phone(live_server, desktop, phone):
    base = live_server.url
    with clock.frozen(TODAY):
        seed_all()
        for watched, login, name in (
            (desktop, "trading", "stats-desktop"),
            (phone, "supervisor", "stats-phone"),
        ):
            log_in(watched, base, login, web_demo.DEMO_PASSWORD)
            page = watched.page
            page.goto(f"{base}/staff/trading/statistics/?year={TODAY.year}")
            assert page.get_by_test_id("saving-rate").inner_text() == "5.55%"
            assert page.get_by_test_id("premium-rate").inner_text() == "10.09%"
            assert page.get_by_test_id("stats-row").count() == 9
            assert page.evaluate(FITS)
            shot(watched, name)
