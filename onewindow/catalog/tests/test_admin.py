"""Hall admins edit drafts in the admin; the inlines refuse what the rules refuse."""

import pytest

from onewindow.catalog import services
from onewindow.catalog.models import ItemVersion, ServiceItem
from onewindow.personas import published_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world, as_user):
    world.hall_admin.is_staff = world.hall_admin.is_superuser = True
    world.hall_admin.save()
    return as_user(world.hall_admin)


def _form(draft, *, promised=5, steps=(("审查", 3), ("决定", 1)), key_tolerable=False):
    data = {f: getattr(draft, f) for f in services.ELEMENT_FIELDS}
    data = {k: ("on" if v is True else "" if v is False else v) for k, v in data.items() if v is not False}
    data["promised_limit_days"] = promised
    materials = list(draft.materials.all())
    data |= {"materials-TOTAL_FORMS": len(materials), "materials-INITIAL_FORMS": len(materials),
             "materials-MIN_NUM_FORMS": 0, "materials-MAX_NUM_FORMS": 1000}  # fmt: skip
    for i, m in enumerate(materials):
        data |= {f"materials-{i}-id": m.pk, f"materials-{i}-version": draft.pk, f"materials-{i}-order": m.order,
                 f"materials-{i}-name": m.name, f"materials-{i}-form": m.form, f"materials-{i}-copies": m.copies,
                 f"materials-{i}-condition": m.condition, f"materials-{i}-source": m.source,
                 f"materials-{i}-shared_by": m.shared_by_id or ""}  # fmt: skip
        for flag in ("required", "key", "tolerable"):
            if getattr(m, flag) or (key_tolerable and i == 0 and flag == "tolerable"):
                data[f"materials-{i}-{flag}"] = "on"
    existing = list(draft.steps.all())
    data |= {"steps-TOTAL_FORMS": len(steps), "steps-INITIAL_FORMS": len(existing), "steps-MIN_NUM_FORMS": 0,
             "steps-MAX_NUM_FORMS": 4}  # fmt: skip
    for i, (name, days) in enumerate(steps):
        if i < len(existing):
            data[f"steps-{i}-id"] = existing[i].pk
        data |= {f"steps-{i}-version": draft.pk, f"steps-{i}-order": i + 1, f"steps-{i}-name": name,
                 f"steps-{i}-role": "reviewer", f"steps-{i}-days": days}  # fmt: skip
    return data


def test_it_saves_a_valid_draft(world, admin_client):
    draft = services.start_draft(published_item(world), by=world.hall_admin)
    answer = admin_client.post(f"/admin/catalog/itemversion/{draft.pk}/change/", _form(draft, promised=4,
                                                                                        steps=(("审查", 3), ("决定", 1))))  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.promised_limit_days == 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"promised": 25}, "不得超过法定办结时限"),
        ({"steps": (("审查", 4), ("决定", 2))}, "超过承诺办结时限"),
        ({"key_tolerable": True}, "核心要件，不能设为可容缺"),
    ],
)
def test_it_refuses_a_broken_draft_and_saves_nothing(world, admin_client, kwargs, message):
    draft = services.start_draft(published_item(world), by=world.hall_admin)
    answer = admin_client.post(f"/admin/catalog/itemversion/{draft.pk}/change/", _form(draft, **kwargs))
    assert answer.status_code == 200 and message in answer.content.decode()
    draft.refresh_from_db()
    assert draft.promised_limit_days == 5
    assert [s.days for s in draft.steps.all()] == [3, 1]
    assert not draft.materials.filter(key=True, tolerable=True).exists()


def test_a_published_version_is_read_only(world, admin_client):
    version = published_item(world).current
    answer = admin_client.post(f"/admin/catalog/itemversion/{version.pk}/change/", _form(version, promised=3))
    assert answer.status_code == 403
    version.refresh_from_db()
    assert version.promised_limit_days == 5


def test_adding_an_item_makes_its_first_draft(world, admin_client):
    answer = admin_client.post("/admin/catalog/serviceitem/add/", {
        "code": "T-NEW-0001", "department": world.dept_a.pk, "name": "新事项", "type": "filing",
        "legal_limit_days": 5, "promised_limit_days": 2,
    })  # fmt: skip
    assert answer.status_code == 302
    version = ItemVersion.objects.get(item__code="T-NEW-0001")
    assert (version.number, version.state, version.created_by) == (1, "draft", world.hall_admin)
    duplicate = admin_client.post("/admin/catalog/serviceitem/add/", {
        "code": "T-NEW-0001", "department": world.dept_a.pk, "name": "x", "type": "filing",
        "legal_limit_days": 5, "promised_limit_days": 6,
    })  # fmt: skip
    assert duplicate.status_code == 200
    assert ServiceItem.objects.filter(code="T-NEW-0001").count() == 1
