"""A construction project runs all four stages: the lead department accepts each stage once,
the co-reviewers give their opinions in parallel, one never answers and is taken to agree at its
limit (silent consent, recorded against it and shown on the project page and in its record), a
simulated opinion is confirmed after acceptance, a disagreement holds the stage until resolved."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases.models import Case, Status
from onewindow.errors import Conflict, DomainError
from onewindow.projects import jobs, services
from onewindow.projects.models import Opinion, Project, SilentConsent, Stage
from onewindow.projects.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db
D = dt.date


def _opinion(project, order, department):
    return Opinion.objects.get(stage__project=project, stage__order=order, department=department)


def test_a_project_runs_all_four_stages_with_one_silent_consent(world, cast, project, as_user):
    # given a registered project: four stages, the first open
    assert [s.status for s in project.stages.order_by("order")] == ["open", "waiting", "waiting", "waiting"]
    assert project.promised_days == 5 + 6 + 4 + 5
    # when the owner applies online and department A (the lead) accepts stage 1 on Monday
    with clock.frozen(MONDAY):
        services.apply_stage(project, 1, by=cast.owner, form_data={"scale": "新建厂房3栋，建筑面积2万平方米"})
        stage = services.accept_stage(project, 1, by=world.reviewer_a)
    # then the stage's clock runs (5 working days), each co-reviewer's too (3 days)
    assert (stage.status, stage.accepted_on, stage.due_on) == (Stage.Status.IN_REVIEW, MONDAY, D(2026, 11, 9))
    assert _opinion(project, 1, cast.dept_d).due_on == D(2026, 11, 5)
    # and the lead department's item became a case carrying the project code
    child = Case.objects.get(project_code=project.code)
    assert child.status == Status.IN_REVIEW and child.department == world.dept_a
    # when B agrees and D says nothing until its limit (Thursday) has passed
    with clock.frozen(D(2026, 11, 3)):
        services.give_opinion(project, 1, by=world.reviewer_b, kind="agree")
    with clock.frozen(D(2026, 11, 5)):
        assert jobs.apply_silent_consent() == 0  # the limit day still belongs to D
        with pytest.raises(Conflict) as refused:
            services.close_stage(project, 1, by=world.reviewer_a)
        assert (
            refused.value.code == "project.opinions_pending" and "测试消防救援支队" in refused.value.message
        )
    with clock.frozen(D(2026, 11, 6)):
        assert jobs.apply_silent_consent() == 1
        assert jobs.apply_silent_consent() == 0  # idempotent
        silent = _opinion(project, 1, cast.dept_d)
        assert (silent.state, silent.kind) == (Opinion.State.SILENT, Opinion.Kind.AGREE)
        record = SilentConsent.objects.get()
        assert (record.department, record.recorded_on, record.due_on) == (
            cast.dept_d,
            D(2026, 11, 6),
            D(2026, 11, 5),
        )
        # then the late department can no longer answer, and the lead closes the stage
        with pytest.raises(Conflict):
            services.give_opinion(project, 1, by=cast.reviewer_d, kind="agree")
        services.close_stage(project, 1, by=world.reviewer_a, conclusion="同意，进入工程建设许可阶段")
        page = as_user(cast.owner).get(f"/projects/{project.code}/").content.decode()
        record_page = as_user(cast.reviewer_d).get(f"/staff/projects/silent-consents/{cast.dept_d.code}/")
    # the silent consent is on the project page and in department D's record
    assert "超时默认同意" in page and "测试消防救援支队" in page
    assert record_page.status_code == 200 and project.code in record_page.content.decode()
    # stage 2: D gave a simulated opinion (模拟审批) before the stage existed, confirms it later
    with clock.frozen(D(2026, 11, 9)):
        services.give_opinion(project, 2, by=cast.reviewer_d, kind="agree_with_conditions",
                              conditions="施工图须满足消防设计规范", simulated=True)  # fmt: skip
        services.accept_stage(project, 2, by=world.head_a, form_data={"scale": "同上"})
        services.give_opinion(project, 2, by=world.reviewer_b, kind="agree")
        with pytest.raises(Conflict) as refused:
            services.close_stage(project, 2, by=world.reviewer_a)
        assert refused.value.code == "project.opinions_pending"  # a simulation counts once confirmed
        services.confirm_opinion(project, 2, by=cast.reviewer_d)
        services.close_stage(project, 2, by=world.reviewer_a)
    # stage 3, led by B: D disagrees with reasons, which holds the stage until it is resolved
    with clock.frozen(D(2026, 11, 10)):
        services.accept_stage(project, 3, by=world.reviewer_b, form_data={"scale": "施工总承包已确定"})
        services.give_opinion(project, 3, by=world.reviewer_a, kind="agree")
        services.give_opinion(project, 3, by=cast.reviewer_d, kind="disagree", reasons="消防车道宽度不足4米")
        with pytest.raises(Conflict) as refused:
            services.close_stage(project, 3, by=world.reviewer_b)
        assert refused.value.code == "project.stage_disagreement"
        # the owner widened the fire lane; D revises its opinion
        services.give_opinion(project, 3, by=cast.reviewer_d, kind="agree")
        services.close_stage(project, 3, by=world.reviewer_b)
    # stage 4: everyone agrees; the project is complete
    with clock.frozen(D(2026, 11, 16)):
        services.accept_stage(project, 4, by=world.reviewer_a, form_data={"scale": "竣工"})
        services.give_opinion(project, 4, by=world.reviewer_b, kind="agree")
        services.give_opinion(project, 4, by=cast.reviewer_d, kind="agree")
        services.close_stage(project, 4, by=world.reviewer_a)
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED and project.completed_on == D(2026, 11, 16)
    assert list(project.stages.values_list("status", flat=True)) == ["closed"] * 4
    assert Case.objects.filter(project_code=project.code).count() == 3  # the stages A leads have its item


def test_disagree_without_reasons_is_refused_as_input(world, cast, project):
    with clock.frozen(MONDAY):
        services.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
        for reasons in ("", "   "):
            with pytest.raises(DomainError) as refused:
                services.give_opinion(project, 1, by=world.reviewer_b, kind="disagree", reasons=reasons)
            assert refused.value.code == "project.disagree_reason_required"
    assert _opinion(project, 1, world.dept_b).state == Opinion.State.PENDING  # nothing changed
