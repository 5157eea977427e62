"""One hall rule (issue 14): which hall a submission belongs to, asked by the case API, the bundle
API and the pages alike (cases.services.submission_hall)."""

import pytest

from onewindow.accounts.models import Hall, Role, Staff, User
from onewindow.cases import services
from onewindow.cases.models import Case, Channel

pytestmark = pytest.mark.django_db


def test_the_hall_named_else_the_filers_own_else_the_departments_highest(world):
    dept = world.dept_a.pk
    assert (
        services.submission_hall(world.clerk, dept, channel=Channel.WINDOW, code="T-OTHER")
        == world.other_hall
    )
    assert services.submission_hall(world.clerk, dept, channel=Channel.WINDOW, code="NOPE") is None
    other = User.objects.create_user(username="clerk_other", password="x")
    Staff.objects.create(user=other, name="区中心窗口", role=Role.CLERK, hall=world.other_hall)
    assert services.submission_hall(other, dept, channel=Channel.WINDOW) == world.other_hall
    # online, even a staff member's own application goes to the hall stationing the department
    assert services.submission_hall(other, dept, channel=Channel.PORTAL) == world.hall
    assert services.submission_hall(world.alice, world.dept_c.pk, channel=Channel.PORTAL) == world.other_hall
    town = Hall.objects.create(
        code="T-TOWN", name="测试街道便民服务中心", kind=Hall.Kind.TOWN, region=world.district
    )
    town.departments.add(world.dept_a)
    assert (
        services.submission_hall(world.alice, dept, channel=Channel.PORTAL) == world.hall
    )  # the city's, not the town's


def test_the_api_files_an_online_application_at_that_hall(world, food, api):
    answer = api(world.alice).post("/cases", {"item": food.code})
    assert answer.status_code == 201
    assert Case.objects.get(number=answer.json()["number"]).hall == world.hall
