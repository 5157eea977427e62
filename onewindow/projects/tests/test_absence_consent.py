"""Issue 13 rule 8 (d), 缺席默认 (Dezhou: 超时默认和缺席默认): a co-reviewer absent from a joint
meeting counts as agreeing, recorded against it like silent consent. The lead department records
the meeting held and who came."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.projects import jobs, meetings, services
from onewindow.projects.models import MeetingAttendance, Opinion, SilentConsent
from onewindow.projects.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db
TUESDAY, WEDNESDAY = dt.date(2026, 11, 3), dt.date(2026, 11, 4)


@pytest.fixture
def survey(world, cast, project):
    """Stage 1 accepted Mon 2026-11-02 by A; B and D co-review (3 working days: due Thu 11-05);
    a joint survey called for Wed 11-04 with B and D."""
    with clock.frozen(MONDAY):
        services.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
        return meetings.schedule_meeting(project, 1, by=world.reviewer_a, kind="joint_survey", on=WEDNESDAY,
                                         place="项目现场", departments=[world.dept_b, cast.dept_d])  # fmt: skip


def _opinion(project, department):
    return Opinion.objects.get(stage__project=project, stage__order=1, department=department)


def test_an_absent_co_reviewer_without_an_opinion_is_taken_to_agree(world, cast, project, survey, as_user):
    # given B gave its written opinion on Tuesday; D has none
    with clock.frozen(TUESDAY):
        services.give_opinion(
            project, 1, by=world.reviewer_b, kind="agree_with_conditions", conditions="设置围挡"
        )
    # when the lead records the survey held on Wednesday, and nobody came
    with clock.frozen(WEDNESDAY):
        with pytest.raises(Forbidden):  # only the lead records it
            meetings.record_meeting_held(survey, by=world.reviewer_b, attended=[world.dept_b.pk])
        [record] = meetings.record_meeting_held(survey, by=world.reviewer_a, attended=[])
    # then D, absent with no opinion, agrees by absence — recorded against it like silent consent
    d = _opinion(project, cast.dept_d)
    assert (d.state, d.kind, d.given_by, d.is_in) == ("absent", "agree", None, True)
    assert (record.department, record.cause, record.meeting, record.opinion) == (
        cast.dept_d,
        "absent",
        survey,
        d,
    )
    assert (record.recorded_on, record.due_on) == (WEDNESDAY, dt.date(2026, 11, 5))
    # and B keeps the opinion it gave, though absent
    b = _opinion(project, world.dept_b)
    assert (b.state, b.kind, b.conditions) == ("given", "agree_with_conditions", "设置围挡")
    attendance = dict(
        MeetingAttendance.objects.filter(meeting=survey).values_list("department_id", "attended")
    )
    assert attendance == {world.dept_b.pk: False, cast.dept_d.pk: False}
    # and D can no longer give an opinion; the record is made once
    with clock.frozen(WEDNESDAY):
        with pytest.raises(Conflict) as taken:
            services.give_opinion(project, 1, by=cast.reviewer_d, kind="disagree", reasons="消防通道不足")
        assert "缺席默认同意" in taken.value.message
        with pytest.raises(Conflict):
            meetings.record_meeting_held(survey, by=world.reviewer_a, attended=[])
    # and the silent-consent job finds nothing left to take; the stage can close
    with clock.frozen(dt.date(2026, 11, 6)):
        assert jobs.apply_silent_consent() == 0
        services.close_stage(project, 1, by=world.reviewer_a)
    assert SilentConsent.objects.filter(department=cast.dept_d).count() == 1
    # and the department's record and the project's timeline say why
    page = as_user(world.supervisor).get(f"/staff/projects/silent-consents/{cast.dept_d.code}/")
    assert "缺席默认" in page.content.decode() and "联合踏勘" in page.content.decode()
    timeline = as_user(world.reviewer_a).get(f"/projects/{project.code}/").content.decode()
    assert "缺席默认同意" in timeline and "未出席联合踏勘（2026-11-04）" in timeline


def test_who_came_is_not_taken_and_a_departments_own_record_stands(world, cast, project, survey):
    with clock.frozen(WEDNESDAY):
        meetings.record_attendance(survey, by=world.reviewer_b, attended=True, opinion="现场与规划条件一致")
        with pytest.raises(DomainError):  # B recorded itself present
            meetings.record_meeting_held(survey, by=world.reviewer_a, attended=[cast.dept_d.pk])
        assert (
            meetings.record_meeting_held(
                survey, by=world.reviewer_a, attended=[world.dept_b.pk, cast.dept_d.pk]
            )
            == []
        )
    assert (
        _opinion(project, world.dept_b).state == "pending"
        and _opinion(project, cast.dept_d).state == "pending"
    )
    assert not SilentConsent.objects.exists()


def test_the_lead_records_the_meeting_on_the_project_page(world, cast, project, survey, as_user):
    with clock.frozen(WEDNESDAY):
        page = as_user(world.reviewer_a).get(f"/projects/{project.code}/").content.decode()
        assert 'data-testid="form-meeting-held"' in page
        done = as_user(world.reviewer_a).post(f"/projects/{project.code}/meeting-held/",
                                              {"meeting": survey.pk, "attended": [world.dept_b.pk]})  # fmt: skip
    assert done.status_code == 302
    assert (
        _opinion(project, cast.dept_d).state == "absent"
        and _opinion(project, world.dept_b).state == "pending"
    )
