"""受理窗口 (Case.window, issue 16): intake records the window the clerk stands at
(accounts.Staff.at_window) when a case is received or answered at the hall — on both of submit's
and accept's paths (fastsql on and off, decision 17) and for the other written answers. Online
applications and 视为受理 (art. 32) have none; an answer away from a window keeps the window the
case was received at."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import Staff
from onewindow.accounts.services import assign_windows, take_window
from onewindow.cases import jobs, services
from onewindow.cases.models import Case, Channel
from onewindow.errors import Forbidden
from onewindow.personas import all_required

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def _submit(world, food, *, channel=Channel.WINDOW, by=None, handed_in=None) -> Case:
    applicant = world.alice_applicant
    return services.submit(version=food.current, applicant=applicant, hall=world.hall, channel=channel,
                           by=by or world.clerk,
                           handed_in=all_required(food.current) if handed_in is None else handed_in)  # fmt: skip


def _stored(case: Case) -> int | None:
    return Case.objects.filter(pk=case.pk).values_list("window_id", flat=True).get()


@pytest.mark.parametrize("fast", [True, False], ids=["fastsql", "orm"])
def test_submit_and_accept_record_the_clerks_window(world, food, settings, fast):
    settings.ONEWINDOW_FASTSQL = fast
    assert world.clerk.staff.at_window_id == world.window_1.pk  # the clerk's only window
    with clock.frozen(MONDAY):
        case = _submit(world, food)
        assert _stored(case) == world.window_1.pk
        # The clerk moves to window 11 and accepts there: the answer's window is recorded.
        assign_windows(world.clerk.staff, [world.window_1, world.window_a])
        take_window(world.clerk, world.window_a)
        accepted = services.accept(case, by=world.clerk)
    assert accepted.window_id == _stored(case) == world.window_a.pk


@pytest.mark.parametrize("fast", [True, False], ids=["fastsql", "orm"])
def test_a_clerk_at_no_window_records_none_and_an_answer_away_keeps_the_window(world, food, settings, fast):
    settings.ONEWINDOW_FASTSQL = fast
    with clock.frozen(MONDAY):
        case = _submit(world, food)
        Staff.objects.filter(user=world.clerk).update(at_window=None)  # away from the counter
        world.clerk.staff.refresh_from_db()
        services.accept(case, by=world.clerk)
        assert _stored(case) == world.window_1.pk  # received at 01, answered away: still 01
        other = _submit(world, food)
    assert _stored(other) is None


def test_online_applications_and_art_32_acceptances_have_no_window(world, food, settings):
    with clock.frozen(MONDAY):
        online = services.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                                 channel=Channel.PORTAL, by=world.alice, handed_in=[],
                                 files={m: _file() for m in all_required(food.current)})  # fmt: skip
        assert _stored(online) is None
        services.accept(online, by=world.clerk)  # answered online by the clerk: still none
    assert _stored(online) is None
    with clock.frozen(MONDAY):
        waiting = _submit(world, food, handed_in=[])  # received at window 01, never answered
    assert _stored(waiting) == world.window_1.pk
    assert jobs.auto_accept_overdue_intake(MONDAY + dt.timedelta(days=14)) >= 1
    waiting.refresh_from_db()
    assert waiting.status == "in_review" and waiting.window_id is None  # 视为受理: no window's


def test_the_other_written_answers_record_the_window(world, food):
    with clock.frozen(MONDAY):
        take = [_submit(world, food, handed_in=[]) for _ in range(3)]
        Case.objects.filter(pk__in=[c.pk for c in take]).update(window=None)
        services.refuse(
            take[0], by=world.clerk, reason="不属于本机关职权范围", where_to_turn="市场监督管理局"
        )
        missing = [m.material_id for m in take[1].materials.all() if m.state == "missing"]
        services.request_supplement(take[1], by=world.clerk,
                                    items=[{"material": m, "note": "请提交原件"} for m in missing])  # fmt: skip
    assert _stored(take[0]) == _stored(take[1]) == world.window_1.pk
    assert _stored(take[2]) is None


def test_only_an_assigned_active_window_may_be_taken(world):
    with pytest.raises(Forbidden):
        take_window(world.clerk, world.window_a)  # not assigned
    with pytest.raises(Forbidden):
        take_window(world.reviewer_a, world.window_1)
    assert Staff.objects.get(user=world.clerk).at_window_id == world.window_1.pk


def test_assignment_keeps_the_current_window_or_the_only_one(world):
    staff = world.clerk.staff
    assign_windows(staff, [world.window_1, world.window_a])
    assert Staff.objects.get(pk=staff.pk).at_window_id == world.window_1.pk  # still assigned: kept
    assign_windows(staff, [world.window_a])
    assert Staff.objects.get(pk=staff.pk).at_window_id == world.window_a.pk  # the only one
    assign_windows(staff, [])
    assert Staff.objects.get(pk=staff.pk).at_window_id is None


def _file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def test_the_case_page_names_the_window(world, food, as_user):
    with clock.frozen(MONDAY):
        case = services.accept(_submit(world, food), by=world.clerk)
        html = as_user(world.clerk).get(f"/staff/cases/{case.number}/").content.decode()
    assert 'data-testid="window">01号窗口' in html
