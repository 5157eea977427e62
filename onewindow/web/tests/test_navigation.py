"""Every link of the staff navigation opens for each role it is shown to, and a role sees only
its own links."""

import pytest

pytestmark = pytest.mark.django_db

PERSONAS = ["clerk", "reviewer_a", "head_a", "supervisor", "hall_admin"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_staff_link_opens_for_the_roles_it_is_shown_to(world, as_user, persona):
    client = as_user(getattr(world, persona))
    home = client.get("/staff/")
    assert home.status_code == 200
    links = home.context["staff_links"]
    assert links, persona
    for link in links:
        assert link["url"] in home.content.decode()  # on the workbench home as a card
        answer = client.get(link["url"])
        assert answer.status_code == 200, (persona, link["label"], answer.status_code)


def test_a_role_sees_only_its_links(world, as_user):
    labels = {p: [link["label"] for link in as_user(getattr(world, p)).get("/staff/").context["staff_links"]]
              for p in ("clerk", "reviewer_a", "supervisor")}  # fmt: skip
    assert "办件受理" in labels["clerk"] and "我的待办" not in labels["clerk"]
    assert "我的待办" in labels["reviewer_a"] and "办件受理" not in labels["reviewer_a"]
    assert "短信发送" in labels["supervisor"] and "缴款通知" not in labels["supervisor"]


def test_an_applicant_has_no_staff_links(world, as_user):
    page = as_user(world.alice).get("/my/")
    assert page.status_code == 200
    assert "staff_links" not in page.context
