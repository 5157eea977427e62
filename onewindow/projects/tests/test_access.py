"""Who sees a project: its owner, the departments that lead or co-review a stage of it, its
assigned agent and hall management — everyone else gets 404, as if it did not exist. Acting
needs the right department and role (403 otherwise)."""

import pytest

from onewindow import clock
from onewindow.accounts.models import Department, Role
from onewindow.errors import Forbidden
from onewindow.personas import new_staff
from onewindow.projects import services
from onewindow.projects.tests.conftest import COMPANY_PHONE, COMPANY_REPRESENTATIVE, MONDAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger_department(world):
    """A department of the hall with no part in the project."""
    dept_e = Department.objects.create(code="T-E", name="测试交通局", region=world.city)
    world.hall.departments.add(dept_e)
    return new_staff("reviewer_e", "易航", Role.REVIEWER, world.hall, dept_e, phone="13800000010")


def test_the_parties_see_the_project_page_and_its_api(world, cast, project, as_user):
    with clock.frozen(MONDAY):
        services.assign_agent(project, by=world.hall_admin, agent=cast.agent)
    for user in (cast.owner, world.reviewer_a, world.head_a, world.reviewer_b, cast.reviewer_d, cast.agent,
                 world.supervisor, world.hall_admin):  # fmt: skip
        assert as_user(user).get(f"/projects/{project.code}/").status_code == 200, user
        assert as_user(user).get(f"/api/v1/projects/{project.code}").status_code == 200, user
        assert project.code in as_user(user).get("/projects/").content.decode(), user


def test_everyone_else_gets_404(world, cast, project, as_user, stranger_department):
    for user in (stranger_department, cast.other_agent, world.clerk, world.outsider, world.alice):
        assert as_user(user).get(f"/projects/{project.code}/").status_code == 404, user
        assert as_user(user).get(f"/api/v1/projects/{project.code}").status_code == 404, user
        answer = as_user(user).post(f"/projects/{project.code}/accept/", {"stage": "1", "scale": "x"})
        assert answer.status_code == 404, user
        assert project.code not in as_user(user).get("/projects/").content.decode(), user
    assert as_user(None).get(f"/projects/{project.code}/").status_code == 302  # to the login page
    assert as_user(None).get(f"/api/v1/projects/{project.code}").status_code == 401


def test_only_the_lead_department_accepts_and_only_a_co_reviewer_gives_its_opinion(
    world, cast, project, as_user
):
    with clock.frozen(MONDAY):
        for user in (world.reviewer_b, cast.owner, world.hall_admin):
            with pytest.raises(Forbidden):
                services.accept_stage(project, 1, by=user, form_data={"scale": "新建厂房"})
        services.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
        with pytest.raises(Forbidden) as refused:
            services.give_opinion(project, 1, by=world.reviewer_a, kind="agree")  # the lead is no co-reviewer
        assert refused.value.code == "project.not_a_reviewer"
        answer = as_user(world.reviewer_b).post(
            f"/api/v1/projects/{project.code}/stages/1/opinion",
            {"kind": "agree", "department": cast.dept_d.code},
            content_type="application/json",
        )  # B cannot answer for D
        assert answer.status_code == 403
        with pytest.raises(Forbidden):
            services.close_stage(project, 1, by=world.reviewer_b)


def test_departments_read_the_owner_masked(world, cast, project, as_user):
    page = as_user(world.reviewer_b).get(f"/projects/{project.code}/").content.decode()
    assert COMPANY_PHONE not in page and COMPANY_REPRESENTATIVE not in page
    assert "139****0001" in page and "德州鲁建科技有限公司" in page
    own = as_user(cast.owner).get(f"/projects/{project.code}/").content.decode()
    assert COMPANY_REPRESENTATIVE in own and COMPANY_PHONE not in own and "139****0001" in own


def test_a_department_record_is_for_the_department_and_hall_management(
    world, cast, as_user, stranger_department
):
    url = f"/staff/projects/silent-consents/{cast.dept_d.code}/"
    assert as_user(cast.reviewer_d).get(url).status_code == 200
    assert as_user(world.supervisor).get(url).status_code == 200
    assert as_user(world.reviewer_b).get(url).status_code == 404
    assert as_user(cast.owner).get(url).status_code == 403
