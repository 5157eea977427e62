"""`manage.py seed_demo` builds the demo hall of 德州市, and running it twice changes nothing."""

import pytest
from django.core.management import call_command

from onewindow import pii
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


def test_the_whole_demo_tells_every_license_story_and_the_bench_applicant_holds_its_business_license():
    """The stories of each module's demo do not shadow each other: the notices' demo closes food
    permits of 鲁味餐饮 before the licenses' demo runs, and 鲁味餐饮's 营业执照 must still be issued —
    the intake benches submit its food permits and take the 营业执照 by 证照共享."""
    from onewindow.licenses.models import License

    call_command("seed_demo")
    call_command("seed_demo")
    assert sorted(License.objects.values_list("name", "holder_name")) == [
        ("营业执照", "德州鲁味餐饮管理有限公司"),
        ("营业执照（个体工商户）", "张伟"),
        ("食品经营许可证", "德州鲁味餐饮管理有限公司"),
    ]


def test_the_demo_has_a_window_citizen_to_claim_online():
    """王秀兰 (issue 15 item 4): registered at a window with a mobile phone, no portal login, and an
    accepted window case that her claim will bring into 我的办件."""
    from onewindow.cases.models import Case
    from onewindow.web import demo

    call_command("seed_demo")
    call_command("seed_demo")
    walk_in = Applicant.objects.get(id_number_digest=pii.digest("id_number", demo.WALK_IN["id_number"]))
    assert walk_in.user is None and walk_in.phone == demo.WALK_IN["phone"]
    assert list(Case.objects.filter(applicant=walk_in).values_list("channel", "status")) == [
        ("window", "in_review")
    ]
