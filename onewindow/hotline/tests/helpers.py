"""Orders for the figures' and the report's tests: received through services.receive (the one
home of a new order), then moved along by setting fields directly — the flow's steps (dispatch,
reply, close, callback) are another module's (hotline.flow); these tests are about what the
figures read."""

import datetime as dt

from onewindow import clock
from onewindow.hotline import services
from onewindow.hotline.models import WorkOrder


def received(
    world, category, day: dt.date, *, phone="13912345678", n=1, type="consultation"
) -> list[WorkOrder]:
    orders = []
    for i in range(n):
        at = dt.datetime.combine(day, dt.time(9, 0), tzinfo=clock.hall_tz()) + dt.timedelta(minutes=i)
        with clock.frozen(at):
            orders.append(services.receive(
                region=world.hall.region, channel="phone", type=type,
                category=category, title="来电诉求", content="来电人反映的问题。", caller_phone=phone,
            ))  # fmt: skip
    return orders


def move(order: WorkOrder, **fields) -> WorkOrder:
    """Sets the fields the flow would have set (hotline.flow's steps are another module's)."""
    for name, value in fields.items():
        setattr(order, name, value)
    order.save(update_fields=list(fields))
    return order
