"""`manage.py verify_audit` reads every chain: a purchase whose draw record was altered in the
database, and a 12345 work order whose reply was, are named; the others verify."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from onewindow import clock
from onewindow.hotline import flow
from onewindow.hotline.models import WorkOrderEvent
from onewindow.hotline.tests.conftest import MONDAY as HOTLINE_MONDAY
from onewindow.hotline.tests.conftest import category, operator, receive  # noqa: F401 - fixtures
from onewindow.market import selection, services
from onewindow.market.models import PurchaseEvent
from onewindow.market.tests.conftest import DEADLINE

pytestmark = pytest.mark.django_db


def test_a_tampered_draw_and_a_tampered_work_order_are_named(market, post, new_agency, register, operator, receive,  # noqa: F811
                                                             world, capsys):  # fmt: skip
    drawn, untouched = post(), post(title="另一个测绘项目")
    for i in (1, 2, 3):
        register(drawn, new_agency(i))
    with clock.frozen(DEADLINE + services.CLOSE_GRACE):
        selection.close(drawn)
    order = receive()
    with clock.frozen(HOTLINE_MONDAY):
        flow.answer_directly(order, by=operator, answer="请联系物业服务中心。")
    call_command("verify_audit")
    assert "留痕完整" in capsys.readouterr().out

    draw = PurchaseEvent.objects.get(purchase=drawn, action="draw")
    answer = WorkOrderEvent.objects.get(order=order, action="answer_directly")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {PurchaseEvent._meta.db_table} SET payload = %s WHERE id = %s",
                       ['{"result": ["someone else"]}', draw.pk])  # fmt: skip
        cursor.execute(
            f"UPDATE {WorkOrderEvent._meta.db_table} SET reason = %s WHERE id = %s", ["改过", answer.pk]
        )
    with pytest.raises(CommandError):
        call_command("verify_audit")
    out = capsys.readouterr().out
    assert (
        f"中介超市{drawn.number}: 第{draw.seq}条事件起" in out
        and f"热线工单{order.number}: 第{answer.seq}条" in out
    )
    assert untouched.number not in out
