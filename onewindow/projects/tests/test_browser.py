"""Stage 1 in headless Chromium: the lead department accepts it, two co-reviewers give their
opinions from their inboxes on a phone, the lead closes it, and the owner sees it closed on the
project page."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.personas import PASSWORD
from onewindow.projects.tests.conftest import MONDAY
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
# Each bar as wide, and as far from its track's left edge, as its data-width/data-left percentages.
PLACED = """bars => bars.map((bar) => {
  const track = bar.parentElement.getBoundingClientRect(), box = bar.getBoundingClientRect();
  const near = (px, pct) => Math.abs(px - track.width * parseFloat(pct) / 100) < 1.5;
  return near(box.width, bar.dataset.width) && near(box.left - track.left, bar.dataset.left);
})"""


def _opinion_from_the_inbox(phone, base_url, username, kind, conditions=""):
    page = phone.page
    page.context.clear_cookies()
    log_in(phone, base_url, username, PASSWORD)
    page.goto(base_url + "/staff/projects/opinions/")
    row = page.locator("[data-testid=owed-row]")
    assert row.count() == 1
    assert page.evaluate(FITS), "the inbox is wider than the phone"
    row.locator(f"input[name=kind][value={kind}]").check()
    if conditions:
        row.locator("textarea[name=conditions]").fill(conditions)
    phone.screenshot(f"project-inbox-{username}-phone")
    row.locator("button[type=submit]").last.click()
    page.wait_for_url("**/staff/projects/opinions/")
    assert page.locator("[data-testid=owed-row]").count() == 0


def test_stage_one_accepted_reviewed_in_parallel_closed_and_seen_by_the_owner(
    world, cast, project, live_server, desktop, phone
):
    base = live_server.url
    with clock.frozen(dt.datetime.combine(MONDAY, dt.time(10), tzinfo=clock.hall_tz())):
        # the lead department accepts stage 1 from the project page
        log_in(desktop, base, "reviewer_a", PASSWORD)
        page = desktop.page
        page.goto(base + "/staff/projects/opinions/")
        page.click(f"[data-testid=leading] >> text={project.code}")
        page.fill("[data-testid=form-accept-1] textarea[name=scale]", "新建厂房3栋，建筑面积2万平方米")
        desktop.screenshot("project-accept-desktop")
        page.click("[data-testid=form-accept-1] button")
        page.wait_for_load_state("networkidle")
        assert page.inner_text("[data-testid=stage-status-1]") == "并联审查中"
        assert "2026-11-09" in page.inner_text("[data-testid=stage-1]")
        # two co-reviewers answer on their phones
        _opinion_from_the_inbox(phone, base, "reviewer_b", "agree")
        _opinion_from_the_inbox(phone, base, "reviewer_d", "agree_with_conditions", "按消防意见修改总平面图")
        # the lead closes the stage
        page.reload()
        page.fill("[data-testid=form-close-1] textarea[name=conclusion]", "同意，进入工程建设许可阶段")
        page.click("[data-testid=form-close-1] button")
        page.wait_for_load_state("networkidle")
        assert page.inner_text("[data-testid=stage-status-1]") == "已办结"
        # the owner sees it closed on the project page, on a phone
        owner = phone.page
        owner.context.clear_cookies()
        log_in(phone, base, "lujian", PASSWORD)
        owner.goto(base + "/projects/")
        owner.click(f"text={project.code}")
        owner.wait_for_load_state("networkidle")
        assert owner.inner_text("[data-testid=stage-status-1]") == "已办结"
        assert owner.inner_text("[data-testid=current-stage]") == "工程建设许可"
        assert "有条件同意" in owner.inner_text("[data-testid=opinions-1]")
        # closed the same day it was accepted: no working day used, no filled bar
        assert owner.locator("[data-testid=gantt-1] .gantt-used").count() == 0
        # site.js placed each bar from its data-left/data-width (the CSP refuses a style="" attribute)
        placed = owner.eval_on_selector_all(".gantt-promised", PLACED)
        assert len(placed) == 4 and all(placed), placed
        assert owner.evaluate(FITS), "the project page is wider than the phone"
        phone.screenshot("project-owner-phone")
    assert desktop.errors == [] and phone.errors == []
