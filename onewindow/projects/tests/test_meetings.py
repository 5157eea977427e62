"""Joint meetings: the lead department calls one joint survey instead of a visit by each
department; each invited department records whether it came and its opinion — which may also be
its stage opinion."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.projects import meetings, services
from onewindow.projects.models import MeetingAttendance, Opinion
from onewindow.projects.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db
THURSDAY = dt.date(2026, 11, 5)


@pytest.fixture
def survey(world, cast, project):
    with clock.frozen(MONDAY):
        services.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
        return meetings.schedule_meeting(project, 1, by=world.reviewer_a, kind="joint_survey", on=THURSDAY,
                                         place="项目现场（德城区新华街道）", departments=[world.dept_b, cast.dept_d])  # fmt: skip


def test_one_meeting_records_each_departments_attendance_and_opinion(world, cast, project, survey, as_user):
    with clock.frozen(THURSDAY):
        meetings.record_attendance(survey, by=world.reviewer_b, attended=True, opinion="现场与规划条件一致",
                                   stage_opinion={"kind": "agree"})  # fmt: skip
        meetings.record_attendance(survey, by=cast.reviewer_d, attended=False)
    rows = {a.department_id: a for a in MeetingAttendance.objects.filter(meeting=survey)}
    assert (rows[world.dept_b.pk].attended, rows[cast.dept_d.pk].attended) == (True, False)
    b = Opinion.objects.get(stage__project=project, stage__order=1, department=world.dept_b)
    assert (b.state, b.kind) == ("given", "agree")  # the meeting replaced a separate written round
    page = as_user(cast.owner).get(f"/projects/{project.code}/").content.decode()
    assert "联合踏勘" in page and "现场与规划条件一致" in page


def test_the_rules_of_a_meeting(world, cast, project, survey):
    with clock.frozen(MONDAY):
        with pytest.raises(Conflict):  # not held yet
            meetings.record_attendance(survey, by=world.reviewer_b, attended=True, opinion="同意")
        with pytest.raises(Forbidden):  # only the lead calls a meeting
            meetings.schedule_meeting(project, 1, by=world.reviewer_b, kind="joint_survey", on=THURSDAY,
                                      place="现场", departments=[world.dept_b])  # fmt: skip
        with pytest.raises(DomainError):  # a department from another hall
            meetings.schedule_meeting(project, 1, by=world.reviewer_a, kind="joint_survey", on=THURSDAY,
                                      place="现场", departments=[world.dept_c])  # fmt: skip
        with pytest.raises(DomainError):  # in the past
            meetings.schedule_meeting(project, 1, by=world.reviewer_a, kind="joint_drawing_review",
                                      on=dt.date(2026, 10, 30), place="现场", departments=[world.dept_b])  # fmt: skip
    with clock.frozen(THURSDAY):
        with pytest.raises(NotFound):  # department A was not invited
            meetings.record_attendance(survey, by=world.head_a, attended=True, opinion="同意")
        with pytest.raises(DomainError):  # a department that came says what it found
            meetings.record_attendance(survey, by=world.reviewer_b, attended=True, opinion="")
        with pytest.raises(DomainError):  # the stage opinion keeps its rules: disagree needs reasons
            meetings.record_attendance(survey, by=cast.reviewer_d, attended=True, opinion="消防通道不足",
                                       stage_opinion={"kind": "disagree"})  # fmt: skip
    assert not MeetingAttendance.objects.filter(meeting=survey, recorded_at__isnull=False).exists()
