"""`manage.py seed_demo` builds the demo hall of 德州市, and running it twice changes nothing."""

import pytest
from django.core.management import call_command

from onewindow.accounts import identity
from onewindow.accounts.models import Applicant, Department, Hall, Region, Role, Staff, Window

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (Region, Department, Hall, Window, Staff, Applicant)]


def test_it_seeds_a_real_looking_hall_idempotently():
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    city_hall = Hall.objects.get(code="371400-zwfw")
    assert Region.objects.get(code="371400000000").name == "德州市"
    assert Region.objects.filter(parent_id="371400000000").count() >= 2
    assert city_hall.departments.count() >= 12
    assert city_hall.windows.count() >= 20
    assert city_hall.windows.filter(kind=Window.Kind.COMPREHENSIVE).exists()
    assert set(Staff.objects.values_list("role", flat=True)) == set(Role.values)
    for applicant in Applicant.objects.all():
        if applicant.kind == Applicant.Kind.NATURAL:
            assert identity.resident_id_error(applicant.id_number) is None
        else:
            assert identity.credit_code_error(applicant.credit_code) is None
