"""Issue 13 rule 6 in the browser: Alice reads her deadline as 暂定 on her phone until the
official schedule is entered; then the moved date, without the mark."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.personas import PASSWORD, all_required, published_item
from onewindow.web import calendar_changes
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = dt.date


def test_alice_reads_her_deadline_as_provisional_until_the_schedule_is_entered(world, live_server, phone):
    item = published_item(world)
    with clock.frozen(D(2026, 12, 28)):
        case = cases.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                            channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
        case = cases.accept(case, by=world.clerk)
    page = phone.page
    with clock.frozen(D(2026, 12, 31)):
        log_in(phone, live_server.url, "alice", PASSWORD)
        page.goto(f"{live_server.url}/my/cases/{case.number}/")
        page.wait_for_load_state("networkidle")
        mark = page.locator("[data-testid=provisional-date]")
        assert mark.inner_text() == "（暂定）" and "放假安排尚未公布" in mark.get_attribute("title")
        assert "2027-01-05（暂定）" in page.inner_text("main")
        phone.screenshot("calendar-provisional-deadline")
        calendar_changes.publish_official_year(2027, holidays=["2027-01-01~2027-01-03 元旦", "2027-01-04~2027-01-08 元旦"],
                                               adjusted_workdays=[], by=world.hall_admin)  # fmt: skip
        page.reload()
        page.wait_for_load_state("networkidle")
        assert "2027-01-12" in page.inner_text("main")
        assert page.locator("[data-testid=provisional-date]").count() == 0
        phone.screenshot("calendar-official-deadline")
    assert phone.errors == []
