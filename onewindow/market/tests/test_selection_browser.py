"""The selection in headless Chromium: the owner posts a need on a 390 px phone; two agencies
register (one on a phone, one on a desktop); the clock passes the deadline and the periodic job
closes it by a random draw; the owner sees the winner and the draw with its replay. Screenshots
in /tmp/shots/mk-selection-*.png."""

import datetime as dt
from pathlib import Path

import pytest

from onewindow import clock
from onewindow.market import selection, services
from onewindow.market.models import Purchase
from onewindow.market.tests.conftest import DEADLINE, MONDAY
from onewindow.ops import periodic
from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
SHOTS = Path("/tmp/shots")


def shot(watched, name):
    watched.screenshot(f"mk-selection-{name}")
    SHOTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(SHOTS / f"mk-selection-{name}.png"), full_page=True)


def test_owner_posts_on_a_phone_agencies_register_the_job_draws(market, new_agency, live_server, phone, clerk_phone,
                                                                desktop):  # fmt: skip
    first, second = new_agency(1, grade="A"), new_agency(2)
    base = live_server.url
    with clock.frozen(MONDAY):
        log_in(phone, base, "owner", PASSWORD)
        page = phone.page
        page.goto(base + "/market/")
        page.click("text=我的采购")
        page.click("[data-testid=new-purchase]")
        page.fill("#f-title", "厂房扩建项目1:500地形测绘")
        page.select_option("#f-type", "CH")
        page.select_option("#f-owner-type", "small_micro")
        page.fill("#f-scope", "1:500 数字化地形图，约20公顷。")
        page.fill("#f-budget", "24000")
        page.fill("#f-days", "15")
        page.select_option("#f-method", "random")
        page.fill("#f-deadline", "2026-11-06T17:00")
        assert "25,000.00 元" in page.inner_text("[data-testid=caps]")  # 小微企业: half the cap
        assert page.evaluate(FITS), "the post form is wider than the phone"
        shot(phone, "post-form-phone")
        page.click("[data-testid=post-form] button[type=submit]")
        page.wait_for_load_state("networkidle")
        purchase = Purchase.objects.get()
        assert page.inner_text("[data-testid=purchase-status]") == "报名中"
        assert page.inner_text("[data-testid=commitment]") == purchase.seed_commitment
        assert page.evaluate(FITS), "the purchase page is wider than the phone"
        shot(phone, "posted-phone")

        for watched, agency, offer in ((clerk_phone, first, "23000"), (desktop, second, "21500.50")):
            log_in(watched, base, agency.user.username, PASSWORD)
            watched.page.goto(base + "/market/")
            watched.page.click(f"text={purchase.title}")
            assert "报价不超过 24,000.00 元" in watched.page.inner_text("[data-testid=form-register]")
            watched.page.fill("[data-testid=form-register] input[name=offer]", offer)
            watched.page.fill("[data-testid=form-register] input[name=offer_days]", "12")
            watched.page.click("[data-testid=form-register] button")
            watched.page.wait_for_load_state("networkidle")
            assert watched.page.locator("[data-testid=my-registration]").count() == 1
        assert clerk_phone.page.evaluate(FITS)
        shot(clerk_phone, "registered-agency-phone")
        page.reload()
        assert page.inner_text("[data-testid=registrant-count]") == "2"
        assert first.name not in page.content() and purchase.seed not in page.content()

    with clock.frozen(DEADLINE + services.CLOSE_GRACE + dt.timedelta(seconds=20)):
        assert periodic.JOBS[[j[0] for j in periodic.JOBS].index("market_close")][3]() == 1
        purchase.refresh_from_db()
        page.reload()
        winner = purchase.selected.agency
        assert page.inner_text("[data-testid=purchase-status]") == "已选定"
        assert winner.name in page.inner_text("[data-testid=selected]")
        assert page.inner_text("[data-testid=seed]") == purchase.seed
        assert page.inner_text("[data-testid=draw-result]") == winner.credit_code
        assert "结果一致" in page.inner_text("[data-testid=replay-check]")
        assert page.locator("[data-testid=registrant]").count() == 2
        assert page.locator("[data-testid=contract-link]").count() == 1
        assert page.evaluate(FITS), "the closed purchase page is wider than the phone"
        shot(phone, "drawn-phone")
        page.click("[data-testid=how-to-replay] summary")
        assert "def pick(seed_hex" in page.inner_text("[data-testid=replay-snippet]")
        assert page.evaluate(FITS), "the replay explanation is wider than the phone"
        shot(phone, "drawn-replay-phone")
        assert selection.replay(purchase)["matches"]

        watched = clerk_phone if winner == first else desktop
        watched.page.goto(base + "/my/market/registrations/")
        assert watched.page.inner_text("[data-testid=registration-result]").startswith("已选定")
        shot(watched, "registrations-winner")

        desktop.page.goto(base + "/market/")
        shot(desktop, "board-desktop")
    assert not phone.errors and not clerk_phone.errors and not desktop.errors, (phone.errors, desktop.errors)


def test_the_owner_chooses_within_the_short_list_on_a_phone(
    market, new_agency, post, register, live_server, phone
):
    purchase = post(method="best_value", title="新建仓储中心规划放线测量")
    agencies = [new_agency(i, grade=g) for i, g in enumerate("AABBBC", start=1)]
    for i, a in enumerate(agencies):
        register(purchase, a, offer_fen=2_000_000 + i * 50_000)
    with clock.frozen(DEADLINE + services.CLOSE_GRACE):
        selection.close(purchase)
    purchase.refresh_from_db()
    base = live_server.url
    with clock.frozen(DEADLINE + dt.timedelta(hours=2)):
        log_in(phone, base, "owner", PASSWORD)
        page = phone.page
        page.goto(base + "/my/market/purchases/")
        assert page.evaluate(FITS), "the owner's workbench is wider than the phone"
        shot(phone, "owner-workbench-phone")
        page.click("[data-testid=to-choose]")
        page.wait_for_load_state("networkidle")
        options = page.locator("[data-testid=form-choose] input[name=registration]")
        assert options.count() == 3 == len(purchase.short_list)
        assert page.locator("text=短名单").count() >= 3
        assert page.evaluate(FITS), "the choice is wider than the phone"
        shot(phone, "choose-short-list-phone")
        options.nth(1).check()
        page.fill("[data-testid=form-choose] textarea[name=reason]", "业绩与报价综合最优")
        page.click("[data-testid=form-choose] button")
        page.wait_for_load_state("networkidle")
        purchase.refresh_from_db()
        assert purchase.status == "selected" and purchase.selected.agency.credit_code in purchase.short_list
        assert page.inner_text("[data-testid=purchase-status]") == "已选定"
        page.goto(base + "/market/")
        assert page.evaluate(FITS), "the board is wider than the phone"
        shot(phone, "board-phone")
    assert not phone.errors, phone.errors
