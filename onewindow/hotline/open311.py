"""Open311 GeoReport v2 over the hotline's work orders (issue 18 item 6; decision 41).

The spec (wiki.open311.org/GeoReport_v2) knows services and service requests: a service is an
active leaf of our category tree (service_code = Category.code), a service request is a work
order (service_request_id = WorkOrder.number). Our seven statuses map to the spec's two (open /
closed) with a Chinese status_notes saying where the order stands. A POST goes through
hotline.services.receive, the one home of a new order, with an accounts.ApiToken as api_key.

Nothing personal leaves through here: the caller's name and phone are stored on POST but never
returned, and a description has its mobile and ID numbers masked (accounts.masking's patterns)
— the content of a phone order was typed by an operator and may hold them."""

import datetime as dt
import re
import uuid
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db.models import OuterRef, Subquery

from onewindow import clock
from onewindow.accounts import services as accounts
from onewindow.accounts.models import Region
from onewindow.errors import DomainError
from onewindow.hotline import services
from onewindow.hotline.models import (
    Assignment,
    AssignmentRole,
    Category,
    OrderChannel,
    OrderStatus,
    OrderType,
    WorkOrder,
    WorkOrderEvent,
)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-03T00:00:00+08:00"  # the date this interface last changed shape
FORMATS = {"json": "application/json", "xml": "text/xml"}
OPEN = (OrderStatus.ACCEPTED, OrderStatus.DISPATCHED, OrderStatus.HANDLING, OrderStatus.REPLIED)
CLOSED = (OrderStatus.CLOSED, OrderStatus.CALLED_BACK, OrderStatus.MERGED)
MAX_REQUESTS = 1000  # the most one GET requests answers (the spec lets a server cap it)
MAX_IDS = 100  # service_request_id values in one GET
DEFAULT_DAYS = 90  # the spec's default range (and its longest span) for GET requests
# Open311 is for non-emergency location-based issues (potholes, street lights): a 求助 (help).
POST_TYPE = OrderType.HELP
POST_CHANNEL = OrderChannel.APP  # an Open311 client is an app (or a site) of a third party
NOTES_MAX = 200  # status_notes: the reply's first characters

_MASK = [(re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), lambda m: m[0][:3] + "****" + m[0][-4:]),
         (re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"), lambda m: m[0][:4] + "*" * 10 + m[0][-4:])]  # fmt: skip
# XML 1.0 forbids these characters even escaped; text with them is stripped of them, not refused.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Open311Error(DomainError):
    """An error the spec's way: [{"code": <HTTP status>, "description": ...}]."""


def _bad(message: str, status: int = 400) -> Open311Error:
    return Open311Error(f"open311.{status}", message, status=status)


def _param(value, name: str, max_length: int = 200) -> str:
    value = value or ""
    if "\x00" in value:
        raise _bad(f"参数 {name} 含有不允许的字符。")
    if len(value) > max_length:
        raise _bad(f"参数 {name} 过长。")
    return value.strip()


def _iso(at: dt.datetime | None) -> str | None:
    return at.astimezone(clock.hall_tz()).isoformat(timespec="seconds") if at else None


# --- discovery and services ------------------------------------------------------------------


def discovery(base_url: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": "12345 政务服务便民热线",
        "key_service": "接口密钥（api_key）即本平台的接口令牌，请向政务服务中心管理办申请。",
        "endpoints": [{"specification": SPECIFICATION, "url": base_url, "changeset": CHANGESET,
                       "type": "production", "formats": list(FORMATS.values())}],
    }  # fmt: skip


def _tree() -> dict[int, Category]:
    """The whole tree (a small table: some hundred rows), for the services' paths and leaves."""
    return {c.pk: c for c in Category.objects.all()}


def _leaves(tree: dict[int, Category]) -> list[Category]:
    """Active categories without an active child, under active parents: what a request is about."""
    with_children = {c.parent_id for c in tree.values() if c.is_active}

    def reachable(c):
        while c is not None:
            if not c.is_active:
                return False
            c = tree.get(c.parent_id)
        return True

    return [c for c in tree.values() if c.pk not in with_children and reachable(c)]


def _path(c: Category, tree) -> list[str]:
    names = []
    while c is not None:
        names.append(c.name)
        c = tree.get(c.parent_id)
    return names[::-1]


def _service(c: Category, tree) -> dict:
    path = _path(c, tree)
    parent = tree.get(c.parent_id)
    return {"service_code": c.code, "service_name": c.name, "description": " › ".join(path),
            "metadata": False, "type": "realtime", "keywords": ",".join(path),
            "group": parent.name if parent else ""}  # fmt: skip


def service_list() -> list[dict]:
    tree = _tree()
    leaves = sorted(_leaves(tree), key=lambda c: (c.order, c.code))
    return [_service(c, tree) for c in leaves]


def _leaf(code: str) -> Category:
    code = _param(code, "service_code", 20)
    tree = _tree()
    for c in _leaves(tree):
        if c.code == code:
            return c
    raise _bad(f"没有服务编码为 {code} 的服务。", 404)


def service_definition(code: str) -> dict:
    # No service of ours asks for extra attributes (metadata false): the spec's shape, empty.
    return {"service_code": _leaf(code).code, "attributes": []}


# --- service requests ------------------------------------------------------------------------


def _status_notes(order: WorkOrder, agency: str | None) -> str:
    match order.status:
        case OrderStatus.ACCEPTED:
            return "已受理，等待派单。"
        case OrderStatus.DISPATCHED:
            return f"已派单至{agency or '承办部门'}办理。"
        case OrderStatus.HANDLING:
            return f"{agency or '承办部门'}正在办理。"
        case OrderStatus.REPLIED:
            return f"{agency or '承办部门'}已答复，等待办结。"
        case OrderStatus.MERGED:
            return f"已合并至工单{order.merged_into.number}。" if order.merged_into_id else "已合并。"
    reply = _masked(order.reply.strip())
    if not reply:
        return "已办结。"
    return reply if len(reply) <= NOTES_MAX else reply[:NOTES_MAX] + "…"


def _masked(text: str) -> str:
    for pattern, mask in _MASK:
        text = pattern.sub(mask, text)
    return text


def _request(order: WorkOrder, agency: str | None) -> dict:
    open_ = order.status in OPEN
    expected = (dt.datetime.combine(order.due_on, dt.time(23, 59, 59), clock.hall_tz())
                if open_ and order.due_on else None)  # fmt: skip
    return {
        "service_request_id": order.number,
        "status": "open" if open_ else "closed",
        "status_notes": _status_notes(order, agency),
        "service_name": order.category.name,
        "service_code": order.category.code,
        "description": _masked(order.content),
        "agency_responsible": agency or "",
        "service_notice": "",
        "requested_datetime": _iso(order.received_at),
        "updated_datetime": _iso(order.updated_at or order.received_at),
        "expected_datetime": _iso(expected),
        "address": order.address,
        "address_id": "",
        "zipcode": "",
        "lat": float(order.latitude) if order.latitude is not None else None,
        "long": float(order.longitude) if order.longitude is not None else None,
        "media_url": "",
    }


def _present(orders, limit: int | None = None) -> list[dict]:
    """Requests of a queryset: three queries whatever its size (orders with category and merged-into
    number and last event time; the active lead departments)."""
    last_event = WorkOrderEvent.objects.filter(order=OuterRef("pk"), seq=OuterRef("event_count")).values("at")
    rows = list(
        orders.select_related("category", "merged_into")
        .only("number", "status", "content", "reply", "address", "latitude", "longitude", "received_at",
              "due_on", "merged_into__number", "category__code", "category__name")
        .annotate(updated_at=Subquery(last_event[:1]))[:limit]
    )  # fmt: skip
    agencies = dict(
        Assignment.objects.filter(order__in=[o.pk for o in rows], role=AssignmentRole.LEAD, ended_at=None)
        .values_list("order_id", "department__name")
    )  # fmt: skip
    return [_request(o, agencies.get(o.pk)) for o in rows]


def _when(value: str, name: str) -> dt.datetime | None:
    value = _param(value, name, 40)
    if not value:
        return None
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _bad(f"参数 {name} 不是 ISO 8601 时间（例如 2026-09-01T00:00:00+08:00）。") from None
    # A year near 1 or 9999 would overflow the 90-day arithmetic and the conversion to UTC.
    if not 1900 <= at.year <= 2999:
        raise _bad(f"参数 {name} 超出范围。")
    # The spec wants an offset; a time without one is read as hall time (Asia/Shanghai).
    return clock.in_hall(at)


def _codes(value: str, name: str, max_length: int) -> list[str]:
    codes = [c.strip() for c in _param(value, name, 4000).split(",") if c.strip()]
    if len(codes) > MAX_IDS or any(len(c) > max_length for c in codes):
        raise _bad(f"参数 {name} 不正确。")
    return codes


def find_requests(params) -> list[dict]:
    """GET requests: by service_request_id (a comma list, which overrides every other filter), or
    by service_code, status and the requested_datetime range (default: the last 90 days; at most
    90 days), newest first, at most 1000."""
    ids = _codes(params.get("service_request_id"), "service_request_id", 30)
    if ids:
        return _present(WorkOrder.objects.filter(number__in=ids).order_by("-received_at", "-pk"))
    orders = WorkOrder.objects.all()
    codes = _codes(params.get("service_code"), "service_code", 20)
    if codes:
        orders = orders.filter(category__code__in=codes)
    statuses = {s.lower() for s in _codes(params.get("status"), "status", 10)}
    if statuses - {"open", "closed"}:
        raise _bad("参数 status 只能是 open 或 closed。")
    if statuses == {"open"}:
        orders = orders.filter(status__in=OPEN)
    elif statuses == {"closed"}:
        orders = orders.filter(status__in=CLOSED)
    start, end = _when(params.get("start_date"), "start_date"), _when(params.get("end_date"), "end_date")
    span = dt.timedelta(days=DEFAULT_DAYS)
    if start is None and end is None:
        end = clock.now()
    if start is None:
        start = end - span
    elif end is None:
        end = start + span
    if end < start:
        raise _bad("end_date 不能早于 start_date。")
    if end - start > span:
        raise _bad(f"查询时间范围不能超过{DEFAULT_DAYS}天。")
    orders = orders.filter(received_at__gte=start, received_at__lte=end)
    return _present(orders.order_by("-received_at", "-pk"), MAX_REQUESTS)


def request_by_id(number: str) -> list[dict]:
    number = _param(number, "service_request_id", 30)
    found = _present(WorkOrder.objects.filter(number=number))
    if not found:
        raise _bad(f"没有编号为 {number} 的服务请求。", 404)
    return found


def request_by_token(token: str) -> list[dict]:
    token = _param(token, "token_id", 36)
    number = WorkOrder.objects.filter(token=token).values_list("number", flat=True).first() if token else None
    if number is None:
        raise _bad("没有这个令牌对应的服务请求。", 404)
    return [{"service_request_id": number, "token": token}]


# --- POST a request --------------------------------------------------------------------------


def post_region() -> Region:
    """Where an order from Open311 belongs: ONEWINDOW_OPEN311_REGION, else the first city (市) of
    the region table — the hotline is the city's (decision 41)."""
    code = settings.ONEWINDOW_OPEN311_REGION
    regions = Region.objects.filter(code=code) if code else Region.objects.filter(level=Region.Level.CITY)
    region = regions.order_by("code").first()
    if region is None:
        raise _bad("未配置受理区划，暂不能提交服务请求。", 503)
    return region


def submit(data) -> list[dict]:
    """POST requests: a work order through services.receive (channel app, type help), with a
    token (a uuid) too so that `tokens/{token}` answers. Synchronous: the id is in the answer."""
    key = _param(data.get("api_key"), "api_key", 200)
    user = accounts.user_for_token(key) if key else None
    if user is None:
        raise _bad("缺少或无效的 api_key。", 403)
    category = _leaf(data.get("service_code"))
    lat, long_ = _param(data.get("lat"), "lat", 40), _param(data.get("long"), "long", 40)
    address = _param(data.get("address_string"), "address_string", 2000)
    if not address and not (lat and long_):
        raise _bad("请提供位置：lat 与 long，或 address_string。")
    if bool(lat) != bool(long_):
        raise _bad("lat 与 long 须同时提供。")
    description = _param(data.get("description"), "description", 20000)
    first, last = _param(data.get("first_name"), "first_name"), _param(data.get("last_name"), "last_name")
    phone = _param(data.get("phone"), "phone", 40).replace(" ", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    # email and media_url: no column of ours takes them, and the content is shown back as the
    # description — so they are not stored (decision 41). device_id and account_id likewise.
    _param(data.get("email"), "email"), _param(data.get("media_url"), "media_url", 2000)
    title = (description.splitlines()[0] if description else "") or category.name
    try:
        order = services.receive(
            region=post_region(), channel=POST_CHANNEL, type=POST_TYPE, category=category,
            title=title[: services.TITLE_MAX], content=description or category.name,
            caller_name=f"{last}{first}", caller_phone=phone, address=address, latitude=lat or None,
            longitude=long_ or None, by=user, token=str(uuid.uuid4()),
        )  # fmt: skip
    except Open311Error:
        raise
    except DomainError as error:
        raise _bad(error.message, 404 if error.status == 404 else 400) from None
    notice = f"已受理，工单编号{order.number}，请于{order.due_on:%Y年%m月%d日}前留意办理结果。"
    return [{"service_request_id": order.number, "service_notice": notice, "account_id": None}]


# --- formats ---------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int | Decimal):
        return str(value)
    return _NOT_XML.sub("", str(value))


# The element of each item of a list, by the list's name (the spec's XML).
_ITEM = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
         "formats": "format", "attributes": "attribute", "values": "value"}  # fmt: skip


def _element(parent: ET.Element, name: str, value) -> None:
    child = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _element(child, key, item)
    elif isinstance(value, list):
        for item in value:
            _element(child, _ITEM[name], item)
    else:
        child.text = _text(value)


def to_xml(root: str, value) -> bytes:
    """The spec's XML: `<services><service>…`, `<service_requests><request>…`, `<errors><error>…`."""
    holder = ET.Element("_")
    _element(holder, root, value)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(holder[0], encoding="utf-8",
                                                                     xml_declaration=False)  # fmt: skip


def error_body(error: DomainError) -> list[dict]:
    return [{"code": error.status, "description": error.message}]
