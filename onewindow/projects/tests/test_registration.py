"""Registration (赋码): a legal person registers its project on the portal and gets the code;
the project takes the stages of the nearest hall configured for its path — four, or three for
land sold with a design scheme."""

import pytest

from onewindow import clock
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.projects import codes
from onewindow.projects.models import Opinion, Project, ProjectEvent, StageTemplate
from onewindow.projects.tests.conftest import MONDAY, register

pytestmark = pytest.mark.django_db


def test_the_owner_registers_on_the_portal_and_gets_the_code(world, cast, as_user):
    client = as_user(cast.owner)
    assert client.get("/my/projects/new/").status_code == 200
    with clock.frozen(MONDAY):
        answer = client.post("/my/projects/new/", {
            "name": "德州新能源装备产业园", "region": world.district.code, "investment_wan": "52000.50",
            "industry": "38", "approval_type": "ratification", "key_project": "on",
        })  # fmt: skip
    project = Project.objects.get()
    assert answer.url == f"/projects/{project.code}/"
    assert codes.code_error(project.code) is None and project.code.startswith("2026-371402-38-02-")
    assert (project.investment_fen, project.investment_wan) == (52_000_50 * 10_000, "52000.50")
    assert (project.owner, project.hall, project.key_project) == (cast.company, world.hall, True)
    page = client.get(answer.url).content.decode()
    assert project.code in page and "52000.50 万元" in page and "2. 工程建设许可" in page
    assert "食品经营许可（新办）" in page  # the stage's item, as the hall configured it


def test_a_project_copies_its_halls_stages_and_one_opinion_per_co_reviewer(world, cast, project):
    assert [(s.order, s.name, s.lead_department.code, s.limit_days) for s in project.stages.order_by("order")] == [
        (1, "立项用地规划许可", "T-A", 5), (2, "工程建设许可", "T-A", 6), (3, "施工许可", "T-B", 4),
        (4, "竣工验收", "T-A", 5)]  # fmt: skip
    assert Opinion.objects.filter(project=project).count() == 8
    # a later change of the templates does not move a running project
    StageTemplate.objects.filter(hall=world.hall).update(limit_days=30)
    assert list(project.stages.values_list("limit_days", flat=True)) == [5, 6, 4, 5]


def test_land_sold_with_a_design_scheme_merges_stages_one_and_two(world, cast):
    with clock.frozen(MONDAY):
        project = register(world, cast, merged_path=True)
    assert list(project.stages.order_by("order").values_list("name", flat=True)) == [
        "立项用地规划许可和工程建设许可", "施工许可", "竣工验收"]  # fmt: skip
    assert project.promised_days == 8 + 4 + 5


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"name": " "}, "project.text_required"),
        ({"region_code": "999999999999"}, "project.region"),
        ({"investment_fen": 0}, "project.investment"),
        ({"industry": "98"}, "project.industry"),
        ({"approval_type": "approved"}, "project.approval_type"),
        ({"approval_type": "approval"}, "project.approval_type_mismatch"),  # enterprise money is not 审批
        ({"government_invested": True}, "project.approval_type_mismatch"),  # government money is
    ],
)
def test_bad_registrations_are_refused_and_allocate_nothing(world, cast, overrides, reason):
    with clock.frozen(MONDAY), pytest.raises(DomainError) as refused:
        register(world, cast, **overrides)
    assert refused.value.code == reason
    assert not Project.objects.exists() and not ProjectEvent.objects.exists()


def test_only_a_legal_person_registers_and_only_for_itself(world, cast, as_user):
    with clock.frozen(MONDAY):
        with pytest.raises(DomainError) as refused:
            register(world, cast, owner=world.alice_applicant, by=world.alice)
        assert refused.value.code == "project.owner_not_legal_person"
        with pytest.raises(Forbidden):
            register(world, cast, by=world.alice)
    assert as_user(world.alice).get("/my/projects/new/").status_code == 403


def test_a_place_without_configured_stages_is_told_so(world, cast):
    StageTemplate.objects.all().delete()
    with clock.frozen(MONDAY), pytest.raises(Conflict) as refused:
        register(world, cast)
    assert refused.value.code == "project.no_stage_templates"


def test_the_nearest_configured_hall_takes_the_project(world, cast):
    from onewindow.accounts.models import Department
    from onewindow.projects.tests.conftest import make_templates

    b, d = (
        Department.objects.create(code=f"T-C{i}", name=f"测试区部门{i}", region=world.district)
        for i in (1, 2)
    )
    make_templates(world.other_hall, {"A": world.dept_c, "B": b, "D": d})
    with clock.frozen(MONDAY):
        assert register(world, cast).hall == world.other_hall  # the district hall, nearer than the city's
        assert register(world, cast, region_code=world.city.code).hall == world.hall
