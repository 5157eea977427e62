"""The demo's 12345 orders (hotline.demo through seed_demo): taken and moved by the flow's own
steps, each chain whole, one past its limit in the supervision watch; a second run adds nothing."""

import pytest
from django.core.management import call_command

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.hotline.audit import chain_broken_at
from onewindow.hotline.models import WorkOrder
from onewindow.supervision import watches

pytestmark = pytest.mark.django_db


def test_the_demo_takes_three_calls_through_the_flow():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    orders = {o.title: o for o in WorkOrder.objects.all()}
    assert len(orders) == 3
    assert orders["暖气不热怎么办"].status == "closed" and orders["暖气不热怎么办"].direct_answer
    called = orders["小区路灯不亮"]
    assert (
        called.status == "called_back"
        and called.replied_on_time
        and called.result_satisfaction == "satisfied"
    )
    late = orders["楼道堆放杂物占用消防通道"]
    assert late.status == "dispatched" and late.due_on < clock.today()
    assert all(chain_broken_at(o) is None for o in orders.values())
    supervisor = User.objects.get(username="supervisor")
    kind = next(k for k in watches.KINDS if k.key == "hotline")
    red = watches.counts(kind, watches.scope_for(supervisor), clock.today())
    assert red["red"] == 1
