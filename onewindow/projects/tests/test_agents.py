"""The project agent (代办员): assigned by hall management, sees the whole project on one page,
acts for the owner on the portal only under the owner's recorded authorisation, and gets the
stage messages with the owner."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases.models import Case, Channel
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.notify.models import Message
from onewindow.projects import services
from onewindow.projects.models import Stage
from onewindow.projects.tests.conftest import COMPANY_PHONE, MONDAY

pytestmark = pytest.mark.django_db
SCALE = {"scale": "新建厂房3栋"}


def test_only_hall_management_assigns_an_agent_of_its_hall(world, cast, project):
    with clock.frozen(MONDAY):
        with pytest.raises(Forbidden):
            services.assign_agent(project, by=world.supervisor, agent=cast.agent)
        with pytest.raises(DomainError) as refused:
            services.assign_agent(project, by=world.hall_admin, agent=world.clerk)
        assert refused.value.code == "project.not_an_agent"
        services.assign_agent(project, by=world.hall_admin, agent=cast.agent)
    project.refresh_from_db()
    assert project.agent == cast.agent


def test_the_agent_applies_for_the_owner_only_when_authorised_for_that_stage(world, cast, project, as_user):
    with clock.frozen(MONDAY):
        services.assign_agent(project, by=world.hall_admin, agent=cast.agent)
        # without the owner's authorisation the agent cannot act for it
        with pytest.raises(Forbidden) as refused:
            services.apply_stage(project, 1, by=cast.agent, form_data=SCALE)
        assert refused.value.code == "project.agent_not_authorised"
        # the owner authorises stage 1 only, on the project page
        answer = as_user(cast.owner).post(f"/projects/{project.code}/authorise/",
                                          {"stage": "1", "valid_until": "2026-11-30"})  # fmt: skip
        assert answer.status_code == 302
        page = as_user(cast.agent).get(f"/projects/{project.code}/").content.decode()
        assert 'data-testid="form-apply-1"' in page
        answer = as_user(cast.agent).post(f"/projects/{project.code}/apply/", {"stage": "1", **SCALE})
        assert answer.status_code == 302
        stage = Stage.objects.get(project=project, order=1)
        assert (stage.status, stage.applied_by) == (Stage.Status.APPLIED, cast.agent)
        # and the lead's acceptance records the child case as an agent's application
        services.accept_stage(project, 1, by=world.reviewer_a)
    assert Case.objects.get(project_code=project.code).channel == Channel.AGENT


def test_an_expired_or_revoked_authorisation_no_longer_lets_the_agent_act(world, cast, project):
    with clock.frozen(MONDAY):
        services.assign_agent(project, by=world.hall_admin, agent=cast.agent)
        granted = services.authorise_agent(project, by=cast.owner, valid_until=dt.date(2026, 11, 3))
        with pytest.raises(Forbidden):  # not the owner
            services.authorise_agent(project, by=cast.agent, valid_until=dt.date(2026, 12, 31))
        with pytest.raises(DomainError):
            services.authorise_agent(project, by=cast.owner, valid_until=dt.date(2026, 11, 1))  # in the past
    with clock.frozen(dt.date(2026, 11, 4)):
        with pytest.raises(Forbidden):
            services.apply_stage(project, 1, by=cast.agent, form_data=SCALE)
        services.revoke_authorisation(granted, by=cast.owner)
        renewed = services.authorise_agent(project, by=cast.owner, valid_until=dt.date(2026, 12, 31))
        services.apply_stage(project, 1, by=cast.agent, form_data=SCALE)
        services.revoke_authorisation(renewed, by=cast.owner)
        with pytest.raises(Forbidden):
            services.apply_stage(project, 1, by=cast.agent, form_data=SCALE)


def test_a_new_agent_ends_the_previous_agents_authorisations(world, cast, project):
    with clock.frozen(MONDAY):
        services.assign_agent(project, by=world.hall_admin, agent=cast.agent)
        services.authorise_agent(project, by=cast.owner, valid_until=dt.date(2026, 12, 31))
        services.assign_agent(project, by=world.hall_admin, agent=cast.other_agent)
        assert not project.authorisations.filter(revoked_at__isnull=True).exists()
        with pytest.raises(Forbidden):
            services.apply_stage(project, 1, by=cast.other_agent, form_data=SCALE)


def test_no_authorisation_before_an_agent_is_assigned(cast, project):
    with clock.frozen(MONDAY), pytest.raises(Conflict):
        services.authorise_agent(project, by=cast.owner, valid_until=dt.date(2026, 12, 31))


def test_the_owner_and_the_agent_get_the_stage_messages(world, cast, project):
    with clock.frozen(MONDAY):
        services.assign_agent(project, by=world.hall_admin, agent=cast.agent)
        services.accept_stage(project, 1, by=world.reviewer_a, form_data=SCALE)
    stage_messages = Message.objects.filter(event="stage_accepted")
    assert sorted(stage_messages.values_list("phone", flat=True)) == sorted([COMPANY_PHONE, "13800000008"])
    assert all(project.code in m.text and "2026-11-09" in m.text for m in stage_messages)
    with clock.frozen(dt.date(2026, 11, 6)):
        for by in (world.reviewer_b, cast.reviewer_d):
            services.give_opinion(project, 1, by=by, kind="agree")
        services.close_stage(project, 1, by=world.reviewer_a)
    assert Message.objects.filter(event="stage_closed").count() == 2


def test_the_agent_sees_every_case_and_stage_of_the_project(world, cast, project, as_user):
    with clock.frozen(MONDAY):
        services.assign_agent(project, by=world.hall_admin, agent=cast.agent)
        services.accept_stage(project, 1, by=world.reviewer_a, form_data=SCALE)
    page = as_user(cast.agent).get(f"/projects/{project.code}/").content.decode()
    number = Case.objects.get(project_code=project.code).number
    assert number in page and all(f'data-testid="stage-{i}"' in page for i in range(1, 5))
    assert as_user(cast.agent).get(f"/staff/cases/{number}/").status_code == 200
