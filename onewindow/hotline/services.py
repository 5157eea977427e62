"""12345 work orders (issue 18; RULES.md "Hotline"): `receive`, the one home where an order is
written, whatever the channel — the operator's workbench, the web form, Open311's POST
(hotline.open311). It checks the input, numbers the order, fixes its handling limit in working
days by type (*configurable*: TypeLimit; defaults below), appends the first audit event. The
steps after it (direct answer, dispatch, sign, transfer, objection, reply, close, callback,
reopen, merge) live in hotline.flow."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import Region, User
from onewindow.errors import DomainError
from onewindow.hotline.audit import append_event
from onewindow.hotline.models import Category, OrderChannel, OrderType, TypeLimit, WorkOrder
from onewindow.serials import next_serial
from onewindow.workdays import calendar

# RULES.md "Hotline": emergency the same day; consultation and help 3 working days; complaint and
# suggestion 13; a praise is passed on like a consultation (3, a project default). Callback: the
# next working day after closing.
DEFAULT_DAYS = {
    OrderType.EMERGENCY: 0,
    OrderType.CONSULTATION: 3,
    OrderType.HELP: 3,
    OrderType.COMPLAINT: 13,
    OrderType.SUGGESTION: 13,
    OrderType.PRAISE: 3,
}
DEFAULT_CALLBACK_DAYS = 1
TITLE_MAX, CONTENT_MAX, ADDRESS_MAX = 100, 4000, 200


def limits_of(order_type: str) -> tuple[int, int]:
    """(handling days, callback days) of an order type."""
    row = TypeLimit.objects.filter(type=order_type).values_list("handle_days", "callback_days").first()
    return row or (DEFAULT_DAYS[OrderType(order_type)], DEFAULT_CALLBACK_DAYS)


def due_of(received_on: dt.date, days: int) -> tuple[int, dt.date]:
    """The handling deadline: `days` working days after the day received (not counted); 0 (an
    emergency) that very day, even a rest day."""
    if days == 0:
        return calendar.seq(received_on), received_on
    due_seq = calendar.seq(received_on) + days
    return due_seq, calendar.date_of_seq(due_seq)


def _text(value, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    value = (value if isinstance(value, str) else "").strip()
    if "\x00" in value:
        raise DomainError("hotline.invalid_text", f"{label}含有不允许的字符。", details={"field": field})
    if required and not value:
        raise DomainError(f"hotline.{field}_required", f"请填写{label}。", details={"field": field})
    if len(value) > max_length:
        raise DomainError(
            f"hotline.{field}_too_long", f"{label}不能超过{max_length}字。", details={"field": field}
        )
    return value


def _coordinate(value, field: str, label: str, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise DomainError(
            "hotline.invalid_location", f"{label}格式不正确。", details={"field": field}
        ) from None
    if not number.is_finite() or abs(number) > bound:
        raise DomainError("hotline.invalid_location", f"{label}超出范围。", details={"field": field})
    return number


@transaction.atomic
def receive(*, region: Region, channel: str, type: str, category: Category, title: str, content: str,
            caller_name: str = "", caller_phone: str = "", caller_user: User | None = None, address: str = "",
            latitude=None, longitude=None, by: User | None = None, token: str | None = None) -> WorkOrder:  # fmt: skip
    """受理: a new work order, status accepted, its handling limit running from today."""
    if channel not in OrderChannel.values:
        raise DomainError("hotline.invalid_channel", "来源渠道不正确。", details={"field": "channel"})
    if type not in OrderType.values:
        raise DomainError("hotline.invalid_type", "工单类型不正确。", details={"field": "type"})
    if category is None or not category.is_active:
        raise DomainError("hotline.invalid_category", "请选择有效的工单分类。", details={"field": "category"})
    title = _text(title, "title", "标题", TITLE_MAX)
    content = _text(content, "content", "诉求内容", CONTENT_MAX)
    caller_name = _text(caller_name, "caller_name", "来电人", 50, required=False)
    caller_phone = _text(caller_phone, "caller_phone", "来电号码", 20, required=False)
    if caller_phone and not caller_phone.replace("-", "").isdigit():
        raise DomainError("hotline.invalid_phone", "来电号码格式不正确。", details={"field": "caller_phone"})
    address = _text(address, "address", "地址", ADDRESS_MAX, required=False)
    latitude = _coordinate(latitude, "latitude", "纬度", 90)
    longitude = _coordinate(longitude, "longitude", "经度", 180)
    now = clock.now()
    today = now.astimezone(clock.hall_tz()).date()
    days, _ = limits_of(type)
    due_seq, due_on = due_of(today, days)
    order = WorkOrder(
        number=f"RX{today.year}{next_serial(f'hotline-{today.year}'):07d}", region=region, channel=channel,
        type=type, category=category, title=title, content=content, caller_name=caller_name,
        caller_phone=caller_phone, caller_user=caller_user, address=address, latitude=latitude,
        longitude=longitude, received_at=now, received_on=today, received_by=by, handle_days=days,
        due_seq=due_seq, due_on=due_on, token=token,
    )  # fmt: skip
    order.save()
    append_event(order, by=by, action="receive", from_status="",
                 payload={"channel": channel, "type": type, "category": category.code, "due_on": due_on.isoformat()})  # fmt: skip
    order.save(update_fields=["event_count", "last_hash"])
    return order
