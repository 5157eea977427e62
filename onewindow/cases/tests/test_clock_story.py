"""食品经营许可 (promised 5 working days) across National Day 2026: the issue's story."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import services
from onewindow.cases.models import Channel, Status
from onewindow.personas import all_required, published_item

pytestmark = pytest.mark.django_db
D = dt.date


def _submit(world, item):
    return services.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                           channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(item.current))  # fmt: skip


def _through_review(world, case):
    return services.review(case, by=world.reviewer_a, opinion="经审查，符合条件")


@pytest.mark.parametrize(("closed", "on_time"), [(D(2026, 10, 15), True), (D(2026, 10, 16), False)])
def test_accepted_on_sept_30_suspended_two_days_closed_on_or_after_due(world, closed, on_time):
    item = published_item(world)
    with clock.frozen(D(2026, 9, 30)):
        case = services.accept(_submit(world, item), by=world.clerk)
    assert (case.accepted_on, case.due_on) == (D(2026, 9, 30), D(2026, 10, 13))
    with clock.frozen(D(2026, 10, 8)):
        case = services.suspend(case, by=world.reviewer_a, kind="on_site_survey", reason="现场核查经营场所",
                                expected_days=2)  # fmt: skip
        assert case.status == Status.SUSPENDED
    with clock.frozen(D(2026, 10, 12)):  # 10-09 and Saturday 10-10 (adjusted working day), then Monday
        case = services.resume(case, by=world.reviewer_a)
    assert case.extra_days == 3
    # resume on the second working day after the start: two days of survey
    with clock.frozen(D(2026, 9, 30)):
        other = services.accept(_submit(world, item), by=world.clerk)
    with clock.frozen(D(2026, 10, 8)):
        services.suspend(
            other, by=world.reviewer_a, kind="on_site_survey", reason="现场核查", expected_days=2
        )
    with clock.frozen(D(2026, 10, 10)):
        other = services.resume(other, by=world.reviewer_a)
    assert (other.extra_days, other.due_on) == (2, D(2026, 10, 15))
    with clock.frozen(closed):
        _through_review(world, other)
        other = services.decide(other, by=world.head_a, approve=True)
    assert other.status == Status.CLOSED and other.outcome == "approved"
    assert other.on_time is on_time


def test_the_light_turns_yellow_then_red(world):
    from onewindow.cases import queries

    item = published_item(world)
    with clock.frozen(D(2026, 11, 2)):
        case = services.accept(_submit(world, item), by=world.clerk)  # due Monday 11-09
    lights = {}
    for day in (D(2026, 11, 3), D(2026, 11, 6), D(2026, 11, 9), D(2026, 11, 10)):
        lights[day] = queries.with_light(type(case).objects.filter(pk=case.pk), day).get().light
    assert lights == {D(2026, 11, 3): "green", D(2026, 11, 6): "yellow", D(2026, 11, 9): "yellow",
                      D(2026, 11, 10): "red"}  # fmt: skip


def test_a_suspended_case_keeps_the_light_it_had(world):
    from onewindow.cases import queries

    item = published_item(world)
    with clock.frozen(D(2026, 11, 2)):
        case = services.accept(_submit(world, item), by=world.clerk)
    with clock.frozen(D(2026, 11, 6)):
        services.suspend(case, by=world.reviewer_a, kind="expert_review", reason="专家评审")
    assert queries.with_light(type(case).objects.filter(pk=case.pk), D(2026, 11, 20)).get().light == "yellow"


def test_an_extension_moves_the_deadline_once(world):
    from onewindow.errors import DomainError

    item = published_item(world)
    with clock.frozen(D(2026, 11, 2)):
        case = services.accept(_submit(world, item), by=world.clerk)
        with pytest.raises(DomainError) as err:
            services.extend(case, by=world.reviewer_a, days=5, reason="情况复杂")
        assert err.value.status == 403
        with pytest.raises(DomainError) as err:
            services.extend(case, by=world.head_a, days=11, reason="情况复杂")
        assert err.value.code == "case.extension_days"
        case = services.extend(case, by=world.head_a, days=5, reason="情况复杂，经负责人批准")
        assert case.due_on == D(2026, 11, 16)
        with pytest.raises(DomainError) as err:
            services.extend(case, by=world.head_a, days=1, reason="再延")
        assert err.value.code == "case.already_extended"


def test_the_calendar_changing_moves_open_deadlines_and_records_it(world):
    from onewindow.web import calendar_changes

    item = published_item(world)
    with clock.frozen(D(2026, 12, 28)):
        case = services.accept(_submit(world, item), by=world.clerk)
    assert case.due_on == D(2027, 1, 5)  # provisional 2027: only 01-01 off
    calendar_changes.publish_official_year(2027, holidays=["2027-01-01~2027-01-03 元旦", "2027-01-04 元旦调休"],
                                           adjusted_workdays=[], by=world.hall_admin)  # fmt: skip
    case.refresh_from_db()
    assert case.due_on == D(2027, 1, 6)
    event = case.events.order_by("-seq").first()
    assert (event.action, event.payload) == ("recompute_deadline", {"from": "2027-01-05", "to": "2027-01-06"})
