"""The grades in headless Chromium: hall management computes and publishes 2026 on a desktop;
anyone reads the public report on a 390 px phone (counts, warning list, blacklist); the blacklisted
agency appeals on its phone; the owner reads a contract's deadline and light on a phone.
Screenshots in /tmp/shots/mk-grades-*.png."""

import datetime as dt
from pathlib import Path

import pytest

from onewindow import clock
from onewindow.market import contracts, grades
from onewindow.market.models import GradeAppeal, YearGrade
from onewindow.market.tests import contracting, test_grades
from onewindow.market.tests.contracting import at, on
from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import log_in

selected, contract, year_2026 = contracting.selected, test_grades.contract, test_grades.year_2026  # fixtures
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
SHOTS = Path("/tmp/shots")
D = dt.date


def shot(watched, name):
    watched.screenshot(f"mk-grades-{name}")
    SHOTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(SHOTS / f"mk-grades-{name}.png"), full_page=True)


def test_management_publishes_and_the_public_reads_on_a_phone(world, year_2026, live_server, desktop, phone):
    base = live_server.url
    with clock.frozen(at(D(2027, 1, 6))):
        log_in(desktop, base, "hall_admin", PASSWORD)
        page = desktop.page
        page.goto(base + "/staff/")
        page.click("text=中介机构评价")
        page.wait_for_load_state("networkidle")
        page.click("text=2026年度")
        page.click("[data-testid=form-compute] button")
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-testid=grade-row]").count() == 7
        assert page.locator("[data-testid=points]").first.inner_text() == "97.36"
        assert page.inner_text("[data-testid=computed]") == "已计算，未公布"
        shot(desktop, "staff-computed-desktop")
        page.click("[data-testid=form-publish] button")
        page.wait_for_load_state("networkidle")
        assert page.inner_text("[data-testid=published]") == "已公布"
        assert set(YearGrade.objects.values_list("status", flat=True)) == {"published"}
        shot(desktop, "staff-published-desktop")

        report = phone.page
        report.goto(base + "/")
        report.click("[data-testid=market-grades-link]")
        report.wait_for_load_state("networkidle")
        assert [report.inner_text(f"[data-testid=count-{g}]") for g in "ABCD"] == ["1", "3", "1", "2"]
        assert report.locator("[data-testid=blacklisted]").count() == 2
        assert year_2026["丙"].name in report.inner_text("[data-testid=warning-list]")
        assert report.evaluate(FITS), "the grade report is wider than the phone"
        shot(phone, "report-phone")
        assert not desktop.errors and not phone.errors, desktop.errors + phone.errors


def test_the_blacklisted_agency_appeals_and_the_owner_reads_a_deadline_on_a_phone(world, market, year_2026, new_agency,
                                                                                 selected, live_server, phone, clerk_phone):  # fmt: skip
    on(D(2027, 1, 6), grades.compute, 2026, by=world.hall_admin)
    on(D(2027, 1, 6), grades.publish, 2026, by=world.hall_admin)
    base = live_server.url
    with clock.frozen(at(D(2027, 1, 8))):
        log_in(phone, base, "agency4", PASSWORD)  # 丁, graded D
        page = phone.page
        page.goto(base + "/market/grades/?year=2026")
        assert "D级" in page.inner_text("[data-testid=my-grade]")
        page.click("[data-testid=appeal-link]")
        page.wait_for_load_state("networkidle")
        page.fill("#reason", "9月15日的交付延迟系业主未按约定提供控制点资料，附往来函件。")
        assert page.evaluate(FITS), "the appeal form is wider than the phone"
        shot(phone, "appeal-phone")
        page.click("[data-testid=form-appeal] button")
        page.wait_for_load_state("networkidle")
        assert page.inner_text("[data-testid=appeal-status]") == "待处理"
        assert GradeAppeal.objects.get().year_grade.agency == year_2026["丁"]

    agency = new_agency(20)
    purchase = selected(agency, offer_days=5)
    on(D(2026, 9, 30), contracts.sign, purchase, by=market.owner)
    with clock.frozen(at(D(2026, 10, 12))):
        log_in(clerk_phone, base, "owner", PASSWORD)
        owner = clerk_phone.page
        owner.goto(base + f"/market/purchases/{purchase.number}/contract/")
        deadline = owner.inner_text("[data-testid=deadline]")
        assert "2026-10-13" in deadline and "黄灯" in deadline and "剩1个工作日" in deadline
        assert owner.locator("[data-testid=form-deliver]").count() == 0  # the agency's step
        assert owner.evaluate(FITS), "the contract page is wider than the phone"
        shot(clerk_phone, "contract-owner-phone")
    assert not phone.errors and not clerk_phone.errors, phone.errors + clerk_phone.errors
