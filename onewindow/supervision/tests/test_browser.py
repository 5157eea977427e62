"""The supervisor in headless Chromium: the overdue list across departments (desktop and a
390 px phone), then the violation the job recorded, decided 认定违规 with a reason."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import services as cases
from onewindow.payments.tests.fixtures import (
    decided,
    free,  # noqa: F401
)
from onewindow.personas import PASSWORD
from onewindow.projects import services as projects
from onewindow.projects.tests.conftest import (
    cast,  # noqa: F401
    register,
)
from onewindow.supervision import services
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
D = dt.date


def test_the_supervisor_sees_the_overdue_case_and_decides_its_violation(
    world, accept, live_server, desktop, phone
):
    case = accept(D(2026, 11, 2))
    with clock.frozen(D(2026, 11, 4)):
        cases.review(case, by=world.reviewer_a, opinion="符合条件")
    with clock.frozen(D(2026, 11, 10)):
        services.sweep()
        base = live_server.url
        for watched, name in ((desktop, "desktop"), (phone, "phone")):
            log_in(watched, base, "supervisor", PASSWORD)
            page = watched.page
            page.goto(base + "/staff/supervision/")
            row = page.locator("[data-testid=watched-row]")
            assert row.count() == 1
            assert case.number in row.inner_text() and "红灯 · 已超期" in row.inner_text()
            assert world.dept_a.name in row.inner_text()
            assert page.evaluate(FITS), f"the overdue list is wider than the {name}"
            watched.screenshot(f"supervision-overdue-{name}")
        page = phone.page
        page.goto(base + "/staff/supervision/violations/")
        page.click("[data-testid=violation-row] a >> text=超期办理")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(FITS), "the violation page is wider than the phone"
        page.check("input[name=to][value=upheld]")
        page.fill("textarea[name=reason]", "无正当理由超期，已约谈")
        phone.screenshot("supervision-violation-phone")
        page.click("[data-testid=decide] button")
        page.wait_for_load_state("networkidle")
        assert page.inner_text("[data-testid=violation-status]") == "认定违规"
        assert "无正当理由超期，已约谈" in page.inner_text("main")
        assert page.locator("[data-testid=decide]").count() == 0
        phone.screenshot("supervision-violation-decided-phone")
        desktop.page.goto(page.url)
        desktop.screenshot("supervision-violation-decided-desktop")
        page.click("text=罗布")  # the officer it counts against: the first upheld violation → 黄牌
        page.wait_for_load_state("networkidle")
        assert page.inner_text("h1 [data-testid=card]") == "黄牌"
        assert page.evaluate(FITS), "the officer page is wider than the phone"
        phone.screenshot("supervision-officer-card-phone")
    assert not desktop.errors and not phone.errors, desktop.errors + phone.errors


def test_a_red_co_review_and_a_yellow_delivery(world, cast, free, live_server, desktop, phone):  # noqa: F811
    """The supervisor sees a red co-review and a yellow delivery (issue 16 item 1)."""
    with clock.frozen(D(2026, 11, 2)):
        project = register(world, cast)
        projects.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
    # Co-reviews of 3 working days: due Thu 11-05, red on Fri 11-06. The license decided Mon
    # 10-26 is due (art. 44, ten working days) Mon 11-09: one day left on 11-06, yellow.
    case = decided(world, free, on=D(2026, 10, 26))
    base = live_server.url
    with clock.frozen(D(2026, 11, 6)):
        for watched, name in ((desktop, "desktop"), (phone, "phone")):
            log_in(watched, base, "supervisor", PASSWORD)
            page = watched.page
            page.goto(base + "/staff/supervision/")
            page.click("[data-testid=kind-opinions]")
            page.wait_for_load_state("networkidle")
            rows = page.locator("[data-testid=item-row]")
            assert rows.count() == 2
            assert "红灯 · 已超期" in rows.first.inner_text() and project.code in rows.first.inner_text()
            assert "1 个工作日" in rows.first.inner_text()  # one working day past Thu 11-05
            assert page.evaluate(FITS), f"the co-reviews are wider than the {name}"
            watched.screenshot(f"supervision-co-reviews-{name}")
            page.click("[data-testid=kind-deliveries]")
            page.wait_for_load_state("networkidle")
            row = page.locator("[data-testid=item-row]")
            assert row.count() == 1
            assert case.number in row.inner_text() and "黄灯 · 临近期限" in row.inner_text()
            assert "2026-11-09" in row.inner_text()
            assert page.evaluate(FITS), f"the deliveries are wider than the {name}"
            watched.screenshot(f"supervision-deliveries-{name}")
        phone.page.click("[data-testid=item-row] a")
        phone.page.wait_for_load_state("networkidle")
        assert case.number in phone.page.inner_text("main")
    assert not desktop.errors and not phone.errors, desktop.errors + phone.errors
