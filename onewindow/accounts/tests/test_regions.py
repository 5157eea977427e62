"""The region tree: 12-digit statistical codes, each one level below its parent."""

import pytest

from onewindow.accounts import services
from onewindow.accounts.admin import RegionForm
from onewindow.accounts.models import Region
from onewindow.errors import DomainError

pytestmark = pytest.mark.django_db


def test_it_adds_a_town_under_a_district(world):
    town = services.create_region("371402001000", "新湖街道", "371402000000")
    assert town.level == Region.Level.TOWN and town.parent == world.district
    assert services.create_region("371402001000", "新湖街道", "371402000000") == town  # idempotent


@pytest.mark.parametrize(
    ("code", "parent", "error"),
    [
        ("3714020010", "371402000000", "accounts.region_code_format"),
        ("371402001000", "371499000000", "accounts.unknown_region"),
    ],
)
def test_it_refuses_bad_codes_and_unknown_parents(world, code, parent, error):
    with pytest.raises(DomainError) as err:
        services.create_region(code, "某街道", parent)
    assert err.value.code == error
    assert not Region.objects.filter(code=code).exists()


def test_it_refuses_a_code_taken_by_another_name(world):
    with pytest.raises(DomainError) as err:
        services.create_region("371402000000", "别的区", "371400000000")
    assert err.value.code == "accounts.region_exists"


def test_it_derives_the_level_in_the_admin_form(world):
    form = RegionForm(data={"code": "371402002000", "name": "新华街道", "parent": world.district.code})
    assert form.is_valid(), form.errors
    assert form.save().level == Region.Level.TOWN
    bad = RegionForm(data={"code": "37140200200", "name": "x", "parent": world.district.code})
    assert not bad.is_valid() and "12位数字" in str(bad.errors)
