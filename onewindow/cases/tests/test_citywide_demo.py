"""The 同城通办 demo: 德城区政务服务中心 has received a city item and the city hall a 德城区 item;
each waits in the deciding department's 我的待办, and seeding again makes nothing more."""

import pytest
from django.core.management import call_command

from onewindow.accounts.models import Department, Staff
from onewindow.cases import demo_citywide as demo
from onewindow.cases import queries, services
from onewindow.cases.models import Case

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_case_each_way_across_the_citys_halls():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert demo.seed() == 0  # idempotent
    county = Case.objects.get(form_data__demo="citywide:county-receives-city-item")
    city = Case.objects.get(form_data__demo="citywide:city-receives-county-item")
    assert (county.hall.code, county.department.code) == ("371402-zwfw", "371400-xzsp")
    assert (city.hall.code, city.department.code) == ("371400-zwfw", "371402-xzsp")
    assert services.decided_elsewhere(county).code == "371400-zwfw"
    assert services.decided_elsewhere(city).code == "371402-zwfw"
    sp, dc = (Department.objects.get(code=c) for c in ("371400-xzsp", "371402-xzsp"))
    assert county.number in [c.number for c in queries.inbox(sp.pk)]
    assert [c.number for c in queries.inbox(dc.pk)] == [city.number]
    clerk_dc = Staff.objects.get(user__username="clerk_dc")
    assert clerk_dc.hall.code == "371402-zwfw" and clerk_dc.windows.exists()
    assert county.number in [c.number for c in queries.received_here(clerk_dc.user)]
