"""Saving an item checks the catalog's rules; a broken rule saves nothing."""

import pytest

from onewindow.catalog import services
from onewindow.catalog.admin import ItemVersionForm
from onewindow.catalog.models import ItemVersion, Material, ServiceItem
from onewindow.errors import DomainError
from onewindow.personas import FOOD_PERMIT, published_item

pytestmark = pytest.mark.django_db

ELEMENTS = {k: FOOD_PERMIT[k] for k in ("name", "type", "legal_limit_days", "promised_limit_days", "on_the_spot",
                                       "result_type", "license_type")}  # fmt: skip


def _create(world, by=None, code="T-NEW-0001", elements=None, materials=(), steps=()):
    return services.create_item(
        code=code,
        department=world.dept_a,
        by=by or world.hall_admin,
        elements=ELEMENTS | (elements or {}),
        materials=list(materials),
        steps=list(steps),
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"elements": {"promised_limit_days": 25}}, "catalog.promised_exceeds_legal"),
        ({"steps": [{"name": "审查", "role": "reviewer", "days": 4}, {"name": "决定", "role": "department_head", "days": 2}]},
         "catalog.steps_exceed_promised"),
        ({"steps": [{"name": f"环节{i}", "role": "reviewer", "days": 1} for i in range(5)]}, "catalog.too_many_steps"),
        ({"materials": [{"name": "申请书", "form": "original", "copies": 1, "required": True, "key": True,
                         "tolerable": True, "source": "applicant"}]}, "catalog.key_material_not_tolerable"),
        ({"elements": {"promised_limit_days": 0}}, "catalog.on_the_spot_limit"),
        ({"elements": {"fee_fen": 2000, "fee_basis": ""}}, "catalog.fee_basis_required"),
    ],
)  # fmt: skip
def test_it_refuses_a_broken_rule_and_saves_nothing(world, kwargs, code):
    with pytest.raises(DomainError) as err:
        _create(world, **kwargs)
    assert err.value.code == code and err.value.message
    assert not ServiceItem.objects.filter(code="T-NEW-0001").exists()
    assert not ItemVersion.objects.exists() and not Material.objects.exists()


def test_it_refuses_a_duplicate_code(world):
    published_item(world)
    with pytest.raises(DomainError) as err:
        _create(world, code=FOOD_PERMIT["code"])
    assert err.value.code == "catalog.code_taken"
    assert ServiceItem.objects.count() == 1


def test_it_refuses_to_change_a_draft_into_a_broken_one(world):
    draft = _create(world)
    with pytest.raises(DomainError) as err:
        services.save_draft(draft, by=world.hall_admin, elements={"promised_limit_days": 30})
    assert err.value.code == "catalog.promised_exceeds_legal"
    draft.refresh_from_db()
    assert draft.promised_limit_days == 5


def test_it_lets_only_hall_admins_edit(world):
    with pytest.raises(DomainError) as err:
        _create(world, by=world.head_a)
    assert err.value.code == "catalog.admin_only" and err.value.status == 403


def test_the_database_itself_refuses_a_tolerable_key_material(world):
    version = published_item(world).current
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Material.objects.create(version=version, name="x", key=True, tolerable=True)


def test_the_admin_form_shows_the_rule_on_the_field(world):
    form = ItemVersionForm(data=ELEMENTS | {"level": "city", "visits": 1, "online_depth": 3, "fee_fen": 0,
                                            "promised_limit_days": 21})  # fmt: skip
    assert not form.is_valid()
    assert "不得超过法定办结时限" in str(form.errors["promised_limit_days"])
