"""网上预审 (issue 15 item 1): online submissions waiting for their written answer reach the
receiving hall's clerks and the item's department, lit by the art. 32 clock (5 working days)."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import pre_review, services
from onewindow.cases.models import Channel
from onewindow.personas import published_item

pytestmark = pytest.mark.django_db

D = dt.date
# 2026-11-02 is a Monday; 11-06 (Fri) is 4 working days on, 11-09 (Mon) 5, 11-10 (Tue) 6.


def online(world, version, day):
    with clock.frozen(day):
        return services.submit(version=version, applicant=world.alice_applicant, hall=world.hall,
                               channel=Channel.PORTAL, by=world.alice)  # fmt: skip


@pytest.fixture
def version(world):
    return published_item(world).current


def rows(user, **filters):
    return {c.number: c for c in pre_review.queue(user, **filters)}


def test_an_online_submission_reaches_the_clerk_and_its_department_lit_by_the_art32_clock(world, version):
    case = online(world, version, D(2026, 11, 2))
    seen = []
    for today, light, left in [(D(2026, 11, 2), "green", 5), (D(2026, 11, 6), "yellow", 1),
                               (D(2026, 11, 7), "yellow", 1), (D(2026, 11, 9), "red", 0),
                               (D(2026, 11, 10), "red", -1)]:  # fmt: skip
        with clock.frozen(today):
            for user in (world.clerk, world.reviewer_a):
                row = rows(user)[case.number]
                seen.append((today, user.username, row.light, row.days_left, row.answer_due))
                assert (row.light, row.days_left, row.answer_due) == (light, left, D(2026, 11, 9)), seen[-1]
            assert pre_review.counts(world.clerk)[light] == 1
    # Another department's staff and the applicant themself see none of it.
    assert case.number not in rows(world.reviewer_b) and case.number not in rows(world.alice)


def test_the_queue_holds_only_online_submissions_still_waiting(world, version):
    waiting = online(world, version, D(2026, 11, 2))
    answered = online(world, version, D(2026, 11, 2))
    with clock.frozen(D(2026, 11, 3)):
        services.refuse(
            answered, by=world.clerk, reason="不属于本机关职权范围", where_to_turn="德州市市场监督管理局"
        )
        walk_in = services.submit(version=version, applicant=world.alice_applicant, hall=world.hall,
                                  channel=Channel.WINDOW, by=world.clerk)  # fmt: skip
        assert set(rows(world.clerk)) == {waiting.number}
        assert walk_in.number not in rows(world.clerk)


def test_filter_and_order(world, version):
    first = online(world, version, D(2026, 11, 2))
    second = online(world, version, D(2026, 11, 5))
    with clock.frozen(D(2026, 11, 6)):
        assert [c.number for c in pre_review.queue(world.clerk)] == [first.number, second.number]
        assert [c.number for c in pre_review.queue(world.clerk, order="newest")] == [
            second.number,
            first.number,
        ]
        assert [c.number for c in pre_review.queue(world.clerk, light="yellow")] == [first.number]
        assert pre_review.queue(world.clerk, item="没有这个事项") == []
        assert len(pre_review.queue(world.clerk, item=version.name[:4])) == 2


def test_the_page_and_the_staff_home(world, version, as_user):
    case = online(world, version, D(2026, 11, 2))
    with clock.frozen(D(2026, 11, 9)):
        page = as_user(world.clerk).get("/staff/pre-review/")
        home = as_user(world.clerk).get("/staff/").content.decode()
        filtered = as_user(world.clerk).get("/staff/pre-review/?light=green").content.decode()
    html = page.content.decode()
    assert page.status_code == 200 and case.number in html and "今日到期" in html
    assert world.alice_applicant.name not in html  # the applicant masked (a person)
    assert "网上预审：1 件待答复" in home and 'href="/staff/pre-review/"' in home
    assert case.number not in filtered
    assert as_user(world.alice).get("/staff/pre-review/").status_code == 403
    assert as_user(world.supervisor).get("/staff/pre-review/").status_code == 403
