"""hotline.services.receive: the one home of a new work order — its number, its limit in working
days by type (the defaults of RULES.md "Hotline", or the configured TypeLimit), its first audit
event; bad input refused with a code and nothing written."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.errors import DomainError
from onewindow.hotline import services
from onewindow.hotline.audit import chain_broken_at
from onewindow.hotline.models import Category, TypeLimit, WorkOrder

pytestmark = pytest.mark.django_db
THURSDAY = dt.datetime(2026, 9, 24, 10, 0, tzinfo=clock.hall_tz())  # before the National Day holiday


@pytest.fixture
def category():
    return Category.objects.create(code="CJ01", name="物业管理")


def receive(world, category, **kw):
    fields = {"region": world.hall.region, "channel": "phone", "type": "consultation", "category": category,
              "title": "小区电梯停运", "content": "3号楼电梯停运两天无人维修。", "caller_phone": "13912345678"}  # fmt: skip
    fields.update(kw)
    with clock.frozen(THURSDAY):
        return services.receive(**fields)


@pytest.mark.parametrize("order_type, due", [
    ("emergency", dt.date(2026, 9, 24)),  # the same day
    ("consultation", dt.date(2026, 9, 30)),  # Fri 25 is 中秋节: Mon 28, Tue 29, Wed 30
    ("complaint", dt.date(2026, 10, 20)),  # 13 working days across the National Day holiday
])  # fmt: skip
def test_the_limit_counts_working_days_by_type(world, category, order_type, due):
    order = receive(world, category, type=order_type)
    assert order.due_on == due and order.status == "accepted" and order.number.startswith("RX2026")
    assert (
        list(order.events.values_list("action", flat=True)) == ["receive"] and chain_broken_at(order) is None
    )


def test_a_configured_limit_replaces_the_default(world, category):
    TypeLimit.objects.create(type="consultation", handle_days=1)
    assert receive(world, category).due_on == dt.date(2026, 9, 28)  # over 中秋节 (Fri 25)


@pytest.mark.parametrize("kw, code", [
    ({"type": "gossip"}, "hotline.invalid_type"),
    ({"channel": "fax"}, "hotline.invalid_channel"),
    ({"title": " "}, "hotline.title_required"),
    ({"title": "长" * 101}, "hotline.title_too_long"),
    ({"content": "a\x00b"}, "hotline.invalid_text"),
    ({"caller_phone": "1391234x"}, "hotline.invalid_phone"),
    ({"latitude": "91"}, "hotline.invalid_location"),
    ({"longitude": "NaN"}, "hotline.invalid_location"),
    ({"latitude": "north"}, "hotline.invalid_location"),
])  # fmt: skip
def test_bad_input_is_refused_and_writes_nothing(world, category, kw, code):
    with pytest.raises(DomainError) as refused:
        receive(world, category, **kw)
    assert refused.value.code == code and WorkOrder.objects.count() == 0
