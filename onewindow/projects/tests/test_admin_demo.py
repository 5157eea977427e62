"""Hall management configures the stages in the admin (a co-reviewer's limit within the stage's);
projects are read there, never edited; the demo seed is idempotent."""

import pytest

from onewindow import clock
from onewindow.accounts.models import Hall, User
from onewindow.catalog import demo as catalog_demo
from onewindow.catalog import services as catalog
from onewindow.projects import codes, demo
from onewindow.projects.models import Project, StageTemplate
from onewindow.projects.tests.conftest import MONDAY
from onewindow.web import demo as web_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    return client


def test_stage_templates_are_configured_in_the_admin(world, cast, admin_client):
    template = StageTemplate.objects.get(hall=world.hall, path="standard", order=1)
    url = f"/admin/projects/stagetemplate/{template.pk}/change/"
    assert admin_client.get("/admin/projects/stagetemplate/").status_code == 200
    assert admin_client.get(url).status_code == 200
    reviewers = list(template.reviewers.all())
    form = {
        "hall": world.hall.pk, "path": "standard", "order": 1, "name": "立项用地规划许可", "limit_days": 5,
        "lead_department": world.dept_a.pk, "reviewers-TOTAL_FORMS": 2, "reviewers-INITIAL_FORMS": 2,
        "reviewers-MIN_NUM_FORMS": 0, "reviewers-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for i, r in enumerate(reviewers):
        form |= {f"reviewers-{i}-id": r.pk, f"reviewers-{i}-template": template.pk,
                 f"reviewers-{i}-department": r.department_id, f"reviewers-{i}-limit_days": 3}  # fmt: skip
    form["reviewers-1-limit_days"] = 9  # beyond the stage's 5
    refused = admin_client.post(url, form)
    assert refused.status_code == 200 and "不能超过阶段时限" in refused.content.decode()
    form["reviewers-1-limit_days"] = 4
    form["limit_days"] = 7
    assert admin_client.post(url, form).status_code == 302
    template.refresh_from_db()
    assert template.limit_days == 7 and sorted(template.reviewers.values_list("limit_days", flat=True)) == [
        3,
        4,
    ]


def test_projects_are_read_only_in_the_admin(world, cast, project, admin_client):
    assert project.code in admin_client.get("/admin/projects/project/").content.decode()
    assert admin_client.get("/admin/projects/project/add/").status_code == 403


def test_the_demo_seed_is_idempotent():
    with clock.frozen(MONDAY):
        web_demo.seed()
        catalog.load_demo(catalog_demo.load())
        hall = Hall.objects.get(code="371400-zwfw")
        first = demo.seed(hall)
        second = demo.seed(hall)
    assert (first["templates"], second["templates"]) == (7, 0)
    assert first["project"] == second["project"] and codes.code_error(first["project"]) is None
    project = Project.objects.get()
    assert project.key_project and project.agent.username == "agent"
    assert [s.name for s in project.stages.order_by("order")] == [
        "立项用地规划许可",
        "工程建设许可",
        "施工许可",
        "竣工验收",
    ]
    assert project.stages.get(order=1).status == "applied"
    assert project.promised_days == 40
