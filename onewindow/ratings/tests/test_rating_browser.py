"""好差评 in headless Chromium: the window device at tablet size (800×1280) — paired by its link,
the clerk's name, a tap on a level, the indicators and tags that follow it, the thank-you screen
and back to the idle screen; and the rating card of the applicant's case page on a phone.
Screenshots go to test-results/ and /tmp/ratings-shots/."""

from pathlib import Path

import pytest

from onewindow import clock
from onewindow.personas import PASSWORD
from onewindow.ratings.models import Rating
from onewindow.ratings.tests.channel_helpers import AT, accepted, device, served_ticket, tags
from onewindow.web.tests.browser import Watched, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
SHOTS = Path("/tmp/ratings-shots")
TABLET = {"width": 800, "height": 1280}


def shot(watched, name):
    watched.screenshot(name)
    SHOTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def tablet(browser):
    context = browser.new_context(viewport=TABLET, locale="zh-CN", is_mobile=True, has_touch=True)
    yield Watched(context.new_page())
    context.close()


def test_the_tablet_pairs_and_a_tap_rates_the_service(world, live_server, tablet):
    tags()
    case = accepted(world)
    served_ticket(world, case_numbers=[case.number])
    _, key = device(world)
    base, page = live_server.url, tablet.page
    with clock.frozen(AT):
        page.goto(f"{base}/rate/window/{world.window_1.pk}/")
        assert page.is_visible("[data-testid=not-paired]")
        page.goto(f"{base}/rate/pair/{key}/")
        assert page.url.endswith(f"/rate/window/{world.window_1.pk}/")
        assert page.inner_text("[data-testid=clerk-name]") == "柯萝"
        assert not page.is_visible("[data-testid=submit]")  # the rest follows the level
        shot(tablet, "tablet-idle-form")
        page.tap("[data-testid=level-5]")
        assert page.is_visible("[data-testid=submit]") and page.is_visible("text=业务熟练")
        assert not page.is_visible("text=等候时间长")  # a bad rating's tag with a good level
        page.tap("text=业务熟练")
        assert page.evaluate(FITS), "the tablet page is wider than the tablet"
        shot(tablet, "tablet-level-chosen")
        page.tap("[data-testid=submit]")
        page.wait_for_selector("[data-testid=thanks]")
        shot(tablet, "tablet-thanks")
        rating = Rating.objects.get()
        assert (rating.channel, rating.level, rating.tags, rating.case_id) == (
            "device",
            5,
            ["业务熟练"],
            case.pk,
        )
        page.click("text=返回")
        page.wait_for_selector("[data-testid=idle]")  # the service is rated: the idle screen
        shot(tablet, "tablet-idle")
    assert tablet.errors == []


def test_the_case_page_card_on_a_phone(world, live_server, phone):
    tags()
    case = accepted(world)
    base, page = live_server.url, phone.page
    log_in(phone, base, "alice", PASSWORD)
    page.goto(f"{base}/my/cases/{case.number}/")
    page.wait_for_selector("[data-testid=rate-link]")
    shot(phone, "portal-card")
    page.click("[data-testid=rate-link]")
    page.tap("[data-testid=level-2]")
    assert page.is_visible("text=等候时间长") and not page.is_visible("text=态度热情")
    page.tap("text=等候时间长")
    page.fill("#r-text", "等候时间太长")
    assert page.evaluate(FITS), "the rating form is wider than the phone"
    shot(phone, "portal-form")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=my-rating-level]")
    assert page.inner_text("[data-testid=my-rating-level]") == "不满意"
    assert page.is_visible("[data-testid=rating-follow-up]")
    shot(phone, "portal-card-rated")
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.tags, rating.text) == (
        "portal",
        2,
        ["等候时间长"],
        "等候时间太长",
    )
    assert phone.errors == []
