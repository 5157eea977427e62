"""In headless Chromium (issue 13 rule 8): the department head sees the commitment check due,
records it failed on the case page, and the approval shows revoked; the hall supervisor reads
the 否决报备 of a project case."""

import pytest

from onewindow.cases import services as cases
from onewindow.cases.models import Channel, Outcome
from onewindow.personas import FOOD_PERMIT, PASSWORD, published_item
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MATERIALS = [m for m in FOOD_PERMIT["materials"] if m["source"] == "applicant"]


def _submitted(world, item, **extra):
    version = item.current
    return cases.submit(version=version, applicant=world.alice_applicant, hall=world.hall, channel=Channel.WINDOW,
                        by=world.clerk, handed_in=[m.pk for m in version.materials.all()], **extra)  # fmt: skip


def test_the_head_records_a_failed_commitment_check_on_the_case_page(world, live_server, desktop):
    item = published_item(world, code="T-GGWS-0001", name="公共场所卫生许可", commitment_approval=True,
                          materials=MATERIALS)  # fmt: skip
    case = cases.approve_by_commitment(
        _submitted(world, item), by=world.clerk, commitment="承诺场所符合卫生要求"
    )
    log_in(desktop, live_server.url, "head_a", PASSWORD)
    page = desktop.page
    page.goto(live_server.url + "/staff/commitment-checks/")
    assert page.locator("[data-testid=check-row]").count() == 1 and case.number in page.inner_text("main")
    desktop.screenshot("commitment-checks-due")
    page.goto(live_server.url + f"/staff/cases/{case.number}/")
    form = page.locator("[data-testid=form-commitment-check]")
    form.locator("input[value=failed]").check()
    form.locator("textarea[name=reason]").fill("现场核查：经营场所面积不足，承诺不实")
    form.locator("button").click()
    page.wait_for_url(f"**/staff/cases/{case.number}/")
    assert page.inner_text("[data-testid=check-result]") == "承诺不实"
    assert "撤销审批" in page.inner_text("[data-testid=case-header]")
    desktop.screenshot("commitment-check-failed-case")
    case.refresh_from_db()
    assert case.outcome == Outcome.REVOKED and not desktop.errors


def test_the_supervisor_reads_the_veto_filing(world, live_server, desktop):
    item = published_item(world, code="T-JSGH-0001", name="建设工程规划许可证核发", materials=MATERIALS)
    case = cases.refuse(_submitted(world, item, project_code="2026-371400-47-01-000001"), by=world.clerk,
                        reason="项目用地不符合控制性详细规划", where_to_turn="德州市自然资源和规划局",
                        legal_basis="《中华人民共和国城乡规划法》第四十条")  # fmt: skip
    log_in(desktop, live_server.url, "supervisor", PASSWORD)
    page = desktop.page
    page.goto(live_server.url + "/staff/veto-filings/")
    row = page.locator("[data-testid=filing-row]")
    assert row.count() == 1 and case.number in row.inner_text() and "城乡规划法" in row.inner_text()
    desktop.screenshot("veto-filings")
    assert not desktop.errors
