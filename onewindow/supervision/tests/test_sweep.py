"""Acceptance line 1 (issue 16): with the clock moved, a case goes green → yellow (urge sent once,
even if the job runs twice) → red (escalation sent once, violation recorded); a suspended case
keeps its light frozen and is not urged."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import Hall
from onewindow.cases import queries as case_queries
from onewindow.cases import services as cases
from onewindow.cases.models import Case, SupervisionSettings
from onewindow.notify.models import Event, Message
from onewindow.ops import periodic
from onewindow.supervision import services
from onewindow.supervision.models import Urge, Violation

pytestmark = pytest.mark.django_db
D = dt.date


def _sweep(day):
    with clock.frozen(day):
        return services.sweep()


def _messages(case, event):
    return list(Message.objects.filter(subject_kind="case", subject_key=case.number, event=event))


def test_green_then_yellow_urged_once_then_red_escalated_once_with_a_violation(world, accept):
    case = accept(D(2026, 11, 2))  # due Monday 11-09
    assert case.due_on == D(2026, 11, 9)
    assert _sweep(D(2026, 11, 3)) == 0  # green
    assert not Urge.objects.exists()

    assert _sweep(D(2026, 11, 6)) == 1  # yellow: 1 working day left ≤ max(1, 20% of 5)
    assert _sweep(D(2026, 11, 6)) == 0  # the job runs twice: nothing twice
    assert _sweep(D(2026, 11, 9)) == 0  # still yellow
    urged = _messages(case, Event.URGED)
    assert [m.phone for m in urged] == ["13800000002"]  # reviewer_a, the department's handler
    assert "催办" in urged[0].text and case.number in urged[0].text
    assert not _messages(case, Event.ESCALATED) and not Violation.objects.exists()

    assert _sweep(D(2026, 11, 10)) == 1  # red: overdue
    assert _sweep(D(2026, 11, 11)) == 0
    escalated = _messages(case, Event.ESCALATED)
    assert [m.phone for m in escalated] == ["13800000003"]  # head_a
    assert len(_messages(case, Event.URGED)) == 1
    assert list(Urge.objects.filter(case=case).order_by("at").values_list("kind", "light")) == [
        ("urge", "yellow"), ("escalate", "red")]  # fmt: skip
    violation = Violation.objects.get()
    assert (violation.kind, violation.case_id, violation.department_id, violation.status) == (
        "over_time", case.pk, world.dept_a.pk, "open")  # fmt: skip
    assert violation.found_on == D(2026, 11, 10) and violation.event_seq == case.event_count


def test_the_periodic_job_list_runs_the_sweep(world, accept):
    accept(D(2026, 11, 2))
    with clock.frozen(D(2026, 11, 10)):
        assert periodic.run_jobs()["supervision"] == 1
        assert periodic.run_jobs()["supervision"] == 0


def test_a_suspended_case_keeps_its_light_frozen_and_is_not_urged(world, accept):
    case = accept(D(2026, 11, 2))
    with clock.frozen(D(2026, 11, 4)):  # green when 特别程序 starts
        cases.suspend(case, by=world.reviewer_a, kind="expert_review", reason="专家评审")
    for day in (D(2026, 11, 6), D(2026, 11, 10), D(2026, 11, 30)):
        light = case_queries.with_light(Case.objects.filter(pk=case.pk), day).get().light
        assert light == "green"
        assert _sweep(day) == 0
    assert not Urge.objects.exists() and not Message.objects.filter(event__in=[Event.URGED, Event.ESCALATED])


def test_a_case_suspended_at_yellow_shows_yellow_and_is_not_escalated(world, accept):
    case = accept(D(2026, 11, 2))
    with clock.frozen(D(2026, 11, 6)):
        cases.suspend(case, by=world.reviewer_a, kind="expert_review", reason="专家评审")
    assert _sweep(D(2026, 11, 20)) == 0
    assert case_queries.with_light(Case.objects.filter(pk=case.pk), D(2026, 11, 20)).get().light == "yellow"
    assert not Violation.objects.exists()


def test_a_hall_may_turn_urging_off_and_keep_escalation(world, accept):
    SupervisionSettings.objects.create(hall=world.hall, urge=False)
    case = accept(D(2026, 11, 2))
    assert _sweep(D(2026, 11, 6)) == 0
    assert _sweep(D(2026, 11, 10)) == 1
    assert not _messages(case, Event.URGED) and len(_messages(case, Event.ESCALATED)) == 1


def test_a_closed_case_is_not_urged(world, accept):
    case = accept(D(2026, 11, 2))
    with clock.frozen(D(2026, 11, 5)):
        case = cases.review(case, by=world.reviewer_a, opinion="符合条件")
        cases.decide(case, by=world.head_a, approve=True)
    assert _sweep(D(2026, 11, 6)) == 0 and _sweep(D(2026, 11, 10)) == 0


def test_one_halls_sweep_urges_that_halls_cases_only(world, accept):
    """sweep(hall_id=…): a province's sweep sharded by hall (decision 48) urges each case once,
    whichever hall's sweep reaches it first, and never another hall's."""
    ours = accept(D(2026, 11, 2))
    theirs = accept(D(2026, 11, 2))
    other = Hall.objects.create(
        code="bench-other", name="另一中心", kind=Hall.Kind.COUNTY, region=world.hall.region
    )
    Case.objects.filter(pk=theirs.pk).update(hall=other)
    with clock.frozen(D(2026, 11, 6)):  # both yellow
        assert services.sweep(hall_id=world.hall.pk) == 1
        assert list(Urge.objects.values_list("case_id", flat=True)) == [ours.pk]
        assert services.sweep(hall_id=world.hall.pk) == 0
        assert services.sweep(hall_id=other.pk) == 1
        assert services.sweep() == 0
    assert sorted(Urge.objects.values_list("case_id", flat=True)) == sorted([ours.pk, theirs.pk])
