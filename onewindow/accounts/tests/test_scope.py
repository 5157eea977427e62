"""A staff member acts only inside their department/hall scope."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("reviewer_a", True),
        ("head_a", True),
        ("supervisor", True),
        ("hall_admin", True),
        ("reviewer_b", False),
        ("clerk", False),
        ("alice", False),
        ("outsider", False),
    ],
)
def test_it_shows_department_a_staff_only_to_its_scope(world, as_user, persona, allowed):
    client = as_user(getattr(world, persona))
    api = client.get("/api/v1/departments/T-A/staff")
    page = client.get("/staff/departments/T-A/")
    if allowed:
        assert api.status_code == 200
        assert {row["name"] for row in api.json()["results"]} == {"罗布", "韩克"}
        assert api.json()["results"][0]["phone"].count("*") == 4
        assert page.status_code == 200 and "罗布" in page.content.decode()
    else:
        assert api.status_code == 403 and api.json()["code"] in (
            "accounts.department_out_of_scope",
            "auth.forbidden",
        )
        assert page.status_code == 403 and "罗布" not in page.content.decode()


def test_it_asks_anonymous_visitors_to_log_in(world, client):
    assert client.get("/api/v1/departments/T-A/staff").status_code == 401
    page = client.get("/staff/departments/T-A/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_it_keeps_a_supervisor_to_their_own_hall(world, as_user):
    answer = as_user(world.supervisor).get("/api/v1/departments/T-C/staff")
    assert answer.status_code == 403
