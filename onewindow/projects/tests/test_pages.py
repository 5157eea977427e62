"""The project page's forms as people use them: the lead accepts once (tolerantly when a
tolerable material is missing), co-reviewers answer from their inbox, the lead calls a joint
survey and closes the stage; the Gantt-like bars and the timeline tell the story."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases.models import Case
from onewindow.projects import queries, services
from onewindow.projects.models import Stage
from onewindow.projects.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db


def _post(client, project, action, **data):
    return client.post(f"/projects/{project.code}/{action}/", data)


def test_tolerant_acceptance_only_for_tolerable_materials(world, cast, project, as_user):
    lead = as_user(world.reviewer_a)
    with clock.frozen(MONDAY):
        refused = _post(lead, project, "accept", stage="1", scale="新建厂房", tolerated="食品经营许可申请书",
                        supply_by="2026-11-20")  # fmt: skip
        assert refused.status_code == 400 and "不可容缺" in refused.content.decode()
        assert Stage.objects.get(project=project, order=1).status == "open" and not Case.objects.exists()
        answer = _post(lead, project, "accept", stage="1", scale="新建厂房", tolerated="食品安全管理制度",
                       supply_by="2026-11-20")  # fmt: skip
    assert answer.status_code == 302
    case = Case.objects.get(project_code=project.code)
    assert case.status == "in_review" and case.tolerance_due_on == dt.date(2026, 11, 20)


def test_co_reviewers_answer_from_the_inbox_and_the_lead_closes(world, cast, project, as_user):
    with clock.frozen(MONDAY):
        services.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
    with clock.frozen(dt.date(2026, 11, 3)):
        b = as_user(world.reviewer_b)
        inbox = b.get("/staff/projects/opinions/").content.decode()
        assert project.code in inbox and inbox.count('data-testid="owed-row"') == 1
        bad = _post(b, project, "opinion", stage="1", kind="disagree", reasons="", back="inbox")
        assert bad.status_code == 400 and "不同意须写明理由" in bad.content.decode()
        assert (
            _post(b, project, "opinion", stage="1", kind="agree", back="inbox").url
            == "/staff/projects/opinions/"
        )
        d = _post(as_user(cast.reviewer_d), project, "opinion", stage="1", kind="agree_with_conditions",
                  conditions="按消防意见修改总平面图")  # fmt: skip
        assert d.status_code == 302
        lead_inbox = as_user(world.reviewer_a).get("/staff/projects/opinions/").content.decode()
        assert "意见已齐，可办结" in lead_inbox
        assert (
            _post(as_user(world.reviewer_a), project, "close", stage="1", conclusion="同意").status_code
            == 302
        )
        page = as_user(cast.owner).get(f"/projects/{project.code}/").content.decode()
    assert "有条件同意：按消防意见修改总平面图" in page and "已用 1 / 承诺 5 个工作日" in page
    assert (
        'data-testid="stage-status-1">已办结' in page and 'data-testid="current-stage">工程建设许可' in page
    )


def test_a_joint_survey_from_the_page(world, cast, project, as_user):
    lead = as_user(world.reviewer_a)
    with clock.frozen(MONDAY):
        services.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
        answer = lead.post(f"/projects/{project.code}/meeting/", {"stage": "1", "kind": "joint_survey",
                           "on": "2026-11-04", "place": "项目现场", "departments": ["T-B", "T-D"]})  # fmt: skip
        assert answer.status_code == 302
    with clock.frozen(dt.date(2026, 11, 4)):
        page = as_user(world.reviewer_b).get(f"/projects/{project.code}/").content.decode()
        assert 'data-testid="form-attendance"' in page
        meeting = Stage.objects.get(project=project, order=1).meetings.get()
        answer = as_user(world.reviewer_b).post(f"/projects/{project.code}/attendance/", {
            "meeting": meeting.pk, "attended": "yes", "opinion": "现场踏勘无异议", "kind": "agree"})  # fmt: skip
    assert answer.status_code == 302
    assert project.stages.get(order=1).opinions.get(department=world.dept_b).kind == "agree"


def test_the_gantt_bars_follow_the_working_days(world, cast, project):
    with clock.frozen(MONDAY):
        services.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
    with clock.frozen(dt.date(2026, 11, 12)):  # eight working days later: over stage 1's five
        stages = list(project.stages.order_by("order"))
        bars = queries.gantt(stages, queries.today_seq())
    first, second = bars[0], bars[1]
    assert (first.used_days, first.over, first.planned) == (8, True, False)
    assert first.left == 0 and first.used > first.promised
    assert second.planned and second.left == pytest.approx(first.used)  # planned from today on
    assert all(0 <= b.left and b.left + max(b.promised, b.used) <= 100.01 for b in bars)


def test_the_timeline_and_the_list(world, cast, project, as_user):
    with clock.frozen(MONDAY):
        services.assign_agent(project, by=world.hall_admin, agent=cast.agent)
    page = as_user(world.hall_admin).get(f"/projects/{project.code}/").content.decode()
    assert "项目赋码" in page and "指派代办员" in page and 'data-testid="form-assign-agent"' in page
    listed = as_user(cast.owner).get("/projects/", {"q": "产业园"}).content.decode()
    assert project.code in listed and 'data-testid="register-link"' in listed
    assert as_user(cast.owner).post(f"/projects/{project.code}/nonsense/").status_code == 404


def test_the_project_page_is_a_fixed_number_of_queries(
    world, cast, project, as_user, django_assert_max_num_queries
):
    with clock.frozen(MONDAY):
        services.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
        client = as_user(world.reviewer_b)
        client.get(f"/projects/{project.code}/")
        with django_assert_max_num_queries(12):  # 3 for the session and the user, 9 for the page
            assert client.get(f"/projects/{project.code}/").status_code == 200


def test_nonsense_from_a_form_or_a_client_is_an_answer_not_a_crash(world, cast, project, as_user):
    owner, lead = as_user(cast.owner), as_user(world.reviewer_a)
    assert _post(owner, project, "revoke", authorisation="abc").status_code == 404
    assert _post(lead, project, "attendance", meeting="1; drop").status_code == 404
    assert _post(lead, project, "accept", stage="x", scale="厂房").status_code == 400
    assert _post(lead, project, "accept", stage="9", scale="厂房").status_code == 404
    assert _post(lead, project, "meeting", stage="1", on="明天", place="现场").status_code == 400
    api = f"/api/v1/projects/{project.code}/stages/1/apply"
    answer = owner.post(
        api, {"form_data": {"scale": "厂房", "rooms": [1, 2]}}, content_type="application/json"
    )
    assert answer.status_code == 400 and answer.json()["code"] == "project.form"
    assert Stage.objects.get(project=project, order=1).status == "open"
