"""The supervisor opens the dashboard, sees the overdue case, exports the overdue table to Excel
(the file is opened with openpyxl) and downloads March's monthly report (read with pdftotext), on
a desktop and a phone; the portal's home links to the public figures."""

import re
import subprocess

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

    # The monthly report of March (the week's month) from the month picker, read back with pdftotext.
    page.fill("#report-month", "2026-03")
    with page.expect_download() as download:
        page.click("[data-testid=report-link]")
    assert download.value.suggested_filename == "stats-report-2026-03.pdf"
    report = tmp_path / "report.pdf"
    download.value.save_as(report)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-raw", str(report), "-"], capture_output=True,
                                             text=True, check=True).stdout)  # fmt: skip
    assert "2026年3月办件统计月度报告" in text and "即期办结率50.0%" in text  # 2 closed ÷ 4 accepted
    assert not desktop.errors, desktop.errors

    log_in(phone, live_server.url, "supervisor", PASSWORD)
    phone.page.goto(live_server.url + "/staff/stats/")
    phone.page.wait_for_load_state("networkidle")
    assert "S2" in phone.page.inner_text("[data-testid=table-overdue]")
    assert phone.page.evaluate(FITS), "the dashboard is wider than the phone"
    phone.screenshot("stats-dashboard-phone")
    assert phone.page.locator("[data-testid=report-link]").is_visible()
    phone.page.goto(live_server.url + "/")
    phone.page.click("[data-testid=figures-link]")  # 公开数据 from the portal's home
    phone.page.wait_for_load_state("networkidle")
    assert "各部门办件数据" in phone.page.inner_text("h1")
    phone.page.goto(live_server.url + "/figures/?month=2026-03")
    assert phone.page.evaluate(FITS), "the public figures are wider than the phone"
    phone.screenshot("stats-public-phone")
    assert not phone.errors, phone.errors
