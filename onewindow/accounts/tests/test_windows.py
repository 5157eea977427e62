"""Hall management sets up windows: a window serves only departments stationed in its hall."""

import pytest

from onewindow.accounts.admin import StaffForm, WindowForm
from onewindow.accounts.models import Role, Window

pytestmark = pytest.mark.django_db


def _post(client, **fields):
    body = {
        "hall": "T-HALL",
        "number": "12",
        "name": "住建窗口",
        "kind": "departmental",
        "departments": ["T-B"],
        **fields,
    }
    return client.post("/api/v1/windows", body, content_type="application/json")


def test_it_creates_a_departmental_window(world, as_user):
    answer = _post(as_user(world.hall_admin))
    assert answer.status_code == 201
    assert answer.json()["departments"] == ["T-B"]


def test_it_refuses_a_window_for_another_halls_department(world, as_user):
    answer = _post(as_user(world.hall_admin), departments=["T-C"])
    assert answer.status_code == 400
    assert answer.json()["code"] == "accounts.department_not_in_hall"
    assert "测试区民政局" in answer.json()["message"]
    assert not Window.objects.filter(number="12").exists()


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"departments": ["NOPE"]}, 400, "accounts.unknown_department"),
        ({"departments": []}, 400, "accounts.window_needs_department"),
        ({"kind": "comprehensive"}, 400, "accounts.comprehensive_window_departments"),
        ({"number": "01"}, 409, "accounts.window_exists"),
        ({"hall": "T-OTHER", "departments": ["T-C"]}, 404, "accounts.hall_not_found"),
    ],
)
def test_it_refuses_inconsistent_windows(world, as_user, fields, status, code):
    before = Window.objects.count()
    answer = _post(as_user(world.hall_admin), **fields)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert Window.objects.count() == before


@pytest.mark.parametrize("persona", ["clerk", "reviewer_a", "supervisor"])
def test_it_lets_only_hall_admins_create_windows(world, as_user, persona):
    answer = _post(as_user(getattr(world, persona)))
    assert answer.status_code == 403
    assert not Window.objects.filter(number="12").exists()


def test_it_refuses_the_same_in_the_admin_form(world):
    form = WindowForm(
        data={
            "hall": world.hall.pk,
            "number": "13",
            "name": "x",
            "kind": "departmental",
            "departments": [world.dept_c.pk],
            "is_active": True,
        }
    )
    assert not form.is_valid()
    assert "未进驻" in str(form.errors["departments"])


def test_it_refuses_staff_of_a_department_not_in_their_hall(world):
    form = StaffForm(
        data={
            "user": world.outsider.pk,
            "name": "x",
            "role": Role.REVIEWER,
            "hall": world.hall.pk,
            "department": world.dept_c.pk,
            "is_active": True,
        }
    )
    assert not form.is_valid()
    assert "未进驻" in str(form.errors["department"])
