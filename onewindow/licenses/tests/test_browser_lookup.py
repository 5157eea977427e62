"""In headless Chromium: 证照共享查询 answers the department that issued the holder's license and
tells another department's reviewer only "未找到" (decision 18)."""

import pytest

from onewindow.licenses import services
from onewindow.payments.tests.fixtures import decided
from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _look_up(desktop, base, username, number):
    desktop.page.context.clear_cookies()
    log_in(desktop, base, username, PASSWORD)
    desktop.page.goto(base + "/staff/licenses/")
    desktop.page.fill("input[name=identifier]", number)
    desktop.page.click("text=查询有效证照")
    desktop.page.wait_for_load_state("networkidle")
    return desktop.page.inner_text("main")


def test_only_the_department_with_a_need_finds_the_holder(world, free, live_server, desktop):
    services.issue_license(decided(world, free), by=world.head_a)  # department A issued Alice's license
    number = world.alice_applicant.id_number
    stranger = _look_up(desktop, live_server.url, "reviewer_b", number)
    desktop.screenshot("lookup-other-department")
    assert "未找到该证件号码的持证人" in stranger and "艾丽" not in stranger
    issuer = _look_up(desktop, live_server.url, "reviewer_a", number)
    desktop.screenshot("lookup-issuing-department")
    assert "艾丽 的有效证照" in issuer
