"""Foresight in headless Chromium, as its people use it (issue 22): the reviewer on a phone finds
the 预警 cases of the department with their reasons; the supervisor reads the at-risk list and
the model; the hall admin drafts a promise change from the advisor, which waits for two people."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases.models import CaseRisk
from onewindow.catalog.models import ItemVersion
from onewindow.foresight import advisor, history, services
from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
TODAY = dt.date(2025, 12, 16)


@pytest.fixture
def fitted(history_hall):
    with clock.frozen(TODAY):
        planted = history.generate(start=dt.date(2025, 1, 1), months=12, per_month=200, seed=9, hall=history_hall,
                                   open_until=dt.date(2025, 12, 15), events=False)  # fmt: skip
        services.fit()
        services.score()
    return planted


def test_the_reviewer_finds_the_cases_at_risk_with_their_reasons_on_a_phone(
    world, fitted, live_server, phone
):
    likely = CaseRisk.objects.filter(probability__gte=0.4).select_related("case").order_by("-probability")
    department = likely.first().case.department_id
    reviewer = "reviewer_a" if department == world.dept_a.pk else "reviewer_b"
    with clock.frozen(TODAY):
        log_in(phone, live_server.url, reviewer, PASSWORD)
        page = phone.page
        page.goto(live_server.url + "/staff/inbox/")
        page.click("[data-testid=tab-at_risk]")
        rows = page.locator("[data-testid=inbox-row]")
        assert rows.count() >= 1
        assert "预警 · 可能逾期" in rows.first.inner_text()
        assert "逾期概率" in page.locator("[data-testid=risk-reasons]").first.inner_text()
        assert page.evaluate(FITS), "the inbox is wider than the phone"
        phone.screenshot("foresight-inbox-phone")
        rows.first.locator("a").first.click()
        assert "预警 · 可能逾期" in page.locator("[data-testid=case-header]").inner_text()
        phone.screenshot("foresight-case-phone")
    assert not phone.errors


def test_the_supervisor_reads_the_list_and_the_model(world, fitted, live_server, desktop):
    with clock.frozen(TODAY):
        log_in(desktop, live_server.url, "supervisor", PASSWORD)
        page = desktop.page
        page.goto(live_server.url + "/staff/supervision/?kind=cases&light=at_risk")
        assert page.locator("[data-testid=watched-row]").count() >= 1
        assert page.locator("[data-testid=risk-reasons]").count() >= 1
        desktop.screenshot("foresight-supervision-at-risk")
        page.click("text=风险预判模型")
        assert "在用版本 v1" in page.locator("[data-testid=risk-model]").inner_text()
        assert page.locator("[data-testid=calibration] tbody tr").count() >= 3
        assert fitted["slow_department"]["name"] in page.locator("[data-testid=risk-levels]").inner_text()
        desktop.screenshot("foresight-model")
    assert not desktop.errors


def test_the_hall_admin_drafts_a_promise_change_that_waits_for_two_people(
    world, fitted, live_server, desktop
):
    with clock.frozen(TODAY):
        log_in(desktop, live_server.url, "hall_admin", PASSWORD)
        page = desktop.page
        page.goto(live_server.url + "/staff/foresight/advisor/")
        assert page.locator("[data-testid=advisor-table] a").count() >= 1
        desktop.screenshot("foresight-advisor")
        changing = [
            a for a in advisor.advise_all() if a.advised_days is not None and a.advised_days != a.current_days
        ]
        assert changing, "no item whose advice differs from its promise"
        button = f"/staff/foresight/advisor/{changing[0].code}/"
        page.goto(live_server.url + button)
        desktop.screenshot("foresight-advisor-item")
        page.get_by_role("button", name="据此起草变更").click()
        page.wait_for_load_state()
        assert ItemVersion.objects.filter(state=ItemVersion.State.DRAFT).exclude(change_note="").count() == 1
        assert "承诺时限" in page.content()
        desktop.screenshot("foresight-advisor-drafted")
    assert not desktop.errors
