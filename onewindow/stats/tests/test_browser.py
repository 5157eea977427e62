"""The supervisor opens the dashboard, sees the overdue case, exports the overdue table to Excel
(the file is opened with openpyxl), on a desktop and a phone."""

import pytest
from openpyxl import load_workbook

from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_the_supervisor_sees_the_overdue_case_and_exports_it_to_excel(
    world, week, live_server, desktop, phone, tmp_path
):
    log_in(desktop, live_server.url, "supervisor", PASSWORD)
    page = desktop.page
    page.click("header >> text=统计分析")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("[data-testid=lights-red]") == "1"
    overdue = page.inner_text("[data-testid=table-overdue]")
    assert "S2" in overdue and "B1" not in overdue
    assert page.locator("#trend-chart").count() == 1
    desktop.screenshot("stats-dashboard-desktop")
    with page.expect_download() as download:
        page.click("[data-testid=export-overdue]")
    path = tmp_path / "overdue.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]] == [
        "办件编号",
        "事项",
        "办理部门",
        "受理日期",
        "办结期限",
        "超期（工作日）",
        "状态",
    ]
    assert [c.value for c in sheet[2]][:3] == ["S2", "食品经营许可（新办）", world.dept_a.name]
    assert sheet.max_row == 2
    assert not desktop.errors, desktop.errors

    log_in(phone, live_server.url, "supervisor", PASSWORD)
    phone.page.goto(live_server.url + "/staff/stats/")
    phone.page.wait_for_load_state("networkidle")
    assert "S2" in phone.page.inner_text("[data-testid=table-overdue]")
    assert phone.page.evaluate(FITS), "the dashboard is wider than the phone"
    phone.screenshot("stats-dashboard-phone")
    phone.page.goto(live_server.url + "/figures/?month=2026-03")
    assert phone.page.evaluate(FITS), "the public figures are wider than the phone"
    phone.screenshot("stats-public-phone")
    assert not phone.errors, phone.errors
