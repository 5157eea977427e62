import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.hotline import services
from onewindow.hotline.models import Category
from onewindow.personas import new_staff

# Monday 2026-10-12, after the National Day holiday.
MONDAY = dt.datetime(2026, 10, 12, 10, 0, tzinfo=clock.hall_tz())


@pytest.fixture
def operator(world):
    return new_staff("operator", "欧宝", Role.HOTLINE_OPERATOR, world.hall, phone="13800000009")


@pytest.fixture
def category(world):
    return Category.objects.create(code="CJ01", name="物业管理", department=world.dept_b)


@pytest.fixture
def receive(world, operator, category):
    def make(at=MONDAY, **kw):
        fields = {"region": world.hall.region, "channel": "phone", "type": "consultation", "category": category,
                  "title": "小区电梯停运", "content": "3号楼电梯停运两天无人维修。", "caller_name": "张三",
                  "caller_phone": "13912345678", "address": "德城区新华路1号", "by": operator}  # fmt: skip
        fields.update(kw)
        with clock.frozen(at):
            return services.receive(**fields)

    return make
