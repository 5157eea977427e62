"""A department head proposes, a hall admin publishes; a case keeps its version for life."""

import pytest

from onewindow.accounts.models import Role, Staff
from onewindow.catalog import queries, services
from onewindow.catalog.models import ItemVersion
from onewindow.errors import DomainError
from onewindow.personas import new_staff, published_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_admin(world):
    return new_staff("hall_admin_2", "艾伦", Role.HALL_ADMIN, world.hall)


def test_it_publishes_a_new_version_through_two_people(world):
    item = published_item(world)
    # given a new draft with a shorter promised limit
    draft = services.start_draft(item, by=world.hall_admin)
    assert draft.number == 2 and draft.materials.count() == 3 and draft.steps.count() == 2
    services.save_draft(
        draft,
        by=world.hall_admin,
        elements={"promised_limit_days": 4},
        steps=[{"name": "审查", "role": "reviewer", "days": 3}],
    )
    # when the department head proposes and the admin publishes
    services.propose(draft, by=world.head_a)
    published = services.publish(draft, by=world.hall_admin)
    # then version 2 is current and version 1 superseded but readable
    item.refresh_from_db()
    assert item.current == published and published.state == ItemVersion.State.PUBLISHED
    assert queries.item_version(item.code).promised_limit_days == 4
    assert queries.item_version(item.code, 1).state == ItemVersion.State.SUPERSEDED
    assert queries.item_version(item.code, 1).promised_limit_days == 5


def test_it_refuses_publishing_by_the_proposer(world):
    draft = services.start_draft(published_item(world), by=world.hall_admin)
    services.propose(draft, by=world.hall_admin)
    with pytest.raises(DomainError) as err:
        services.publish(draft, by=world.hall_admin)
    assert err.value.code == "catalog.same_person"
    draft.refresh_from_db()
    assert draft.state == ItemVersion.State.PROPOSED


def test_a_second_admin_may_publish_what_the_first_proposed(world, second_admin):
    draft = services.start_draft(published_item(world), by=world.hall_admin)
    services.propose(draft, by=world.hall_admin)
    assert services.publish(draft, by=second_admin).state == ItemVersion.State.PUBLISHED


@pytest.mark.parametrize("persona", ["reviewer_a", "clerk", "reviewer_b"])
def test_it_refuses_proposals_from_outside_the_department_head_role(world, persona):
    draft = services.start_draft(published_item(world), by=world.hall_admin)
    with pytest.raises(DomainError) as err:
        services.propose(draft, by=getattr(world, persona))
    assert err.value.status == 403


def test_a_head_of_another_department_may_not_propose(world):
    Staff.objects.filter(user=world.reviewer_b).update(role=Role.DEPARTMENT_HEAD)
    world.reviewer_b.refresh_from_db()
    draft = services.start_draft(published_item(world), by=world.hall_admin)
    with pytest.raises(DomainError) as err:
        services.propose(draft, by=world.reviewer_b)
    assert err.value.code == "catalog.propose_not_allowed"


def test_an_old_cases_version_stays_visible_after_a_new_one_and_after_withdrawal(world, second_admin):
    item = published_item(world)
    # a case accepted today is bound to the current version (the cases issue stores it)
    case_version = services.version_for_new_case(item.code)
    draft = services.start_draft(item, by=world.hall_admin)
    services.save_draft(draft, by=world.hall_admin, elements={"name": "食品经营许可（新办）2027版"})
    services.propose(draft, by=world.head_a)
    services.publish(draft, by=second_admin)
    kept = ItemVersion.objects.get(pk=case_version.pk)
    assert kept.name == "食品经营许可（新办）" and kept.materials.count() == 3
    assert services.version_for_new_case(item.code).number == 2
    services.withdraw(item, by=world.hall_admin)
    assert queries.item_version(item.code, 1).name == "食品经营许可（新办）"
    assert queries.item_version(item.code).state == ItemVersion.State.WITHDRAWN
    with pytest.raises(DomainError) as err:
        services.version_for_new_case(item.code)
    assert err.value.code == "catalog.withdrawn"


def test_only_one_open_draft_per_item(world):
    item = published_item(world)
    services.start_draft(item, by=world.hall_admin)
    with pytest.raises(DomainError) as err:
        services.start_draft(item, by=world.hall_admin)
    assert err.value.code == "catalog.draft_exists"


def test_the_staff_page_proposes_and_publishes(world, as_user, second_admin):
    draft = services.start_draft(published_item(world), by=world.hall_admin)
    url = f"/staff/catalog/{draft.item.code}/v{draft.number}/"
    assert "提交发布" in as_user(world.head_a).get("/staff/catalog/").content.decode()
    assert as_user(world.head_a).post(url + "propose/").status_code == 302
    refused = as_user(world.head_a).post(url + "publish/")
    assert refused.status_code == 403
    assert as_user(world.hall_admin).post(url + "publish/").status_code == 302
    draft.refresh_from_db()
    assert draft.state == ItemVersion.State.PUBLISHED
