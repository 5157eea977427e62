"""12345 API under /api/v1/hotline/orders (API.md): create (POST → services.receive; the
Idempotency-Key honoured by the middleware), list (paged, filters named like the fields), read one
(with the actions the caller may take now and the suggested duplicates), and the steps POST
/hotline/orders/{number}/<action> answering the order. The caller's phone is masked (decision 18)."""

import datetime as dt

from ninja import Field, Router, Schema
from ninja import Status as HttpStatus
from ninja.pagination import paginate

from onewindow import pii
from onewindow.accounts.masking import mask_phone
from onewindow.accounts.models import Department
from onewindow.accounts.permissions import requires
from onewindow.accounts.queries import staff_of
from onewindow.errors import DomainError, Forbidden
from onewindow.hotline import flow, queries, services
from onewindow.hotline.models import (
    Assignment,
    Category,
    Objection,
    OrderStatus,
    Satisfaction,
    WorkOrder,
    WorkOrderEvent,
)
from onewindow.inputs import column
from onewindow.paging import Paged

router = Router(tags=["hotline"])


class OrderOut(Schema):
    number: str
    channel: str
    type: str
    type_display: str
    category: str
    category_name: str
    title: str
    content: str
    caller_name: str
    caller_phone: str = Field(description="已脱敏")
    address: str
    latitude: float | None
    longitude: float | None
    status: str
    status_display: str
    received_at: dt.datetime
    handle_days: int
    due_on: dt.date
    days_left: int | None
    direct_answer: bool
    lead_department: str | None
    reply: str
    replied_at: dt.datetime | None
    replied_on_time: bool | None
    closed_at: dt.datetime | None
    callback_due_on: dt.date | None
    process_satisfaction: str
    result_satisfaction: str
    transfer_count: int
    reopen_count: int
    merged_into: str | None
    duplicates: list[str] = Field(description="疑似重复工单编号（在办工单）")
    allowed_actions: list[str]


def out(o: WorkOrder, user) -> dict:
    return {
        "number": o.number, "channel": o.channel, "type": o.type, "type_display": o.get_type_display(),
        "category": o.category.code, "category_name": o.category.name, "title": o.title, "content": o.content,
        "caller_name": o.caller_name, "caller_phone": mask_phone(o.caller_phone), "address": o.address,
        "latitude": float(o.latitude) if o.latitude is not None else None,
        "longitude": float(o.longitude) if o.longitude is not None else None,
        "status": o.status, "status_display": o.get_status_display(), "received_at": o.received_at,
        "handle_days": o.handle_days, "due_on": o.due_on, "days_left": queries.days_left(o),
        "direct_answer": o.direct_answer, "lead_department": o.lead_department.code if o.lead_department_id else None,
        "reply": o.reply, "replied_at": o.replied_at, "replied_on_time": o.replied_on_time, "closed_at": o.closed_at,
        "callback_due_on": o.callback_due_on, "process_satisfaction": o.process_satisfaction,
        "result_satisfaction": o.result_satisfaction, "transfer_count": o.transfer_count,
        "reopen_count": o.reopen_count, "merged_into": o.merged_into.number if o.merged_into_id else None,
        "duplicates": [d.number for d in queries.duplicates_of(o)[:10]] if o.status in flow.TRANSITIONS["merge"][0] else [],
        "allowed_actions": flow.allowed_actions(o, user),
    }  # fmt: skip


class OrderIn(Schema):
    channel: column(WorkOrder, "channel") = Field(
        description="phone / web / app / mini_program / email / walk_in"
    )
    type: column(WorkOrder, "type") = Field(
        description="consultation / help / complaint / suggestion / praise / emergency"
    )
    category: column(Category, "code") = Field(description="分类编码")
    title: column(WorkOrder, "title", code="hotline.title_too_long")
    content: column(WorkOrder, "content", limit=flow.TEXT_MAX, code="hotline.content_too_long")
    caller_name: column(WorkOrder, "caller_name", code="hotline.caller_name_too_long") = ""
    caller_phone: column(WorkOrder, "caller_phone", code="hotline.invalid_phone") = ""
    address: column(WorkOrder, "address", code="hotline.address_too_long") = ""
    latitude: float | None = None
    longitude: float | None = None


def _office(request):
    if not flow.is_office(request.user):
        raise Forbidden("hotline.role", "只有热线话务员或热线办可以执行此操作。")


def _department(code: str) -> Department:
    found = Department.objects.filter(code=code).first() if code else None
    if found is None:
        raise DomainError("hotline.unknown_department", f"未找到编码为 {code[:40]} 的部门。")
    return found


def _done(request, order: WorkOrder) -> dict:
    return out(queries.order_for(request.user, order.number), request.user)


@router.post("/hotline/orders", response={201: OrderOut}, operation_id="hotline_create_order")
@requires()
def create_order(request, payload: OrderIn):
    """受理: a new work order taken by the hotline office (services.receive)."""
    _office(request)
    category = Category.objects.filter(code=payload.category).first()
    staff = staff_of(request.user)
    region = staff.hall.region if staff is not None else None
    if region is None:
        raise DomainError("hotline.no_region", "无法确定工单的所属区划。")
    order = services.receive(
        region=region, channel=payload.channel, type=payload.type, category=category, title=payload.title,
        content=payload.content, caller_name=payload.caller_name, caller_phone=payload.caller_phone,
        address=payload.address, latitude=payload.latitude, longitude=payload.longitude, by=request.user,
    )  # fmt: skip
    return HttpStatus(201, _done(request, order))


@router.get("/hotline/orders", response=list[OrderOut], operation_id="hotline_list_orders")
@paginate(Paged)
@requires()
def list_orders(
    request, status: str = "", department: str = "", overdue: bool = False, caller_phone: str = ""
):
    """The orders the caller may see: the office every order, a department's staff theirs."""
    if status and status not in OrderStatus.values:
        raise DomainError("hotline.status", "状态参数不正确。")
    orders = queries.visible_orders(request.user).select_related("category", "lead_department", "merged_into")
    if status:
        orders = orders.filter(status=status)
    if department:
        orders = orders.filter(lead_department__code=department)
    if caller_phone:
        orders = orders.filter(caller_phone_digest=pii.digest("phone", caller_phone))
    if overdue:
        orders = orders.filter(pk__in=queries.office_list(request.user, overdue_only=True).values("pk"))
    return [out(o, request.user) for o in orders.order_by("-received_at", "-pk")[:1000]]


@router.get("/hotline/orders/{number}", response=OrderOut, operation_id="hotline_get_order")
@requires()
def get_order(request, number: str):
    return out(queries.order_for(request.user, number), request.user)


class HotlineAnswerIn(Schema):
    answer: column(WorkOrder, "reply", limit=flow.TEXT_MAX, code="hotline.answer_too_long")


class DispatchIn(Schema):
    lead: column(Department, "code") = Field(description="主办部门编码")
    assisting: list[column(Department, "code")] = Field(default_factory=list, description="协办部门编码")
    note: column(WorkOrderEvent, "reason", limit=flow.TEXT_MAX, code="hotline.note_too_long") = ""


class HotlineTransferIn(Schema):
    department: column(Department, "code")
    reason: column(Assignment, "end_reason", code="hotline.reason_too_long")


class HotlineReasonIn(Schema):
    reason: column(Objection, "reason", limit=flow.TEXT_MAX, code="hotline.reason_too_long")


class HotlineDecideIn(Schema):
    objection: int
    upheld: bool
    reason: column(Objection, "decision_reason", limit=flow.TEXT_MAX, code="hotline.reason_too_long")


class ReplyIn(Schema):
    text: column(WorkOrder, "reply", limit=flow.TEXT_MAX, code="hotline.reply_too_long")


class HotlineCallbackIn(Schema):
    process: column(WorkOrder, "process_satisfaction") = Field(description=" / ".join(Satisfaction.values))
    result: column(WorkOrder, "result_satisfaction") = Field(description=" / ".join(Satisfaction.values))
    note: column(WorkOrder, "callback_note", limit=flow.TEXT_MAX, code="hotline.note_too_long") = ""


class MergeIn(Schema):
    into: column(WorkOrder, "number") = Field(description="并入的工单编号（疑似重复工单之一）")
    note: column(WorkOrderEvent, "reason", limit=flow.TEXT_MAX, code="hotline.note_too_long") = ""


def _step(name: str, schema, run):
    """One POST /hotline/orders/{number}/<name>: the order as the caller sees it, then `run`."""

    if schema is None:

        def view(request, number: str):
            return _done(request, run(queries.order_for(request.user, number), request.user, None))

    else:

        def view(request, number: str, payload: schema):
            return _done(request, run(queries.order_for(request.user, number), request.user, payload))

    view.__name__ = f"hotline_{name}"
    router.post(f"/hotline/orders/{{number}}/{name}", response=OrderOut, operation_id=f"hotline_{name}")(
        requires()(view)
    )


_step("answer_directly", HotlineAnswerIn, lambda o, by, p: flow.answer_directly(o, by=by, answer=p.answer))
_step("dispatch", DispatchIn, lambda o, by, p: flow.dispatch(o, by=by, lead=_department(p.lead),
                                                             assisting=[_department(c) for c in p.assisting], note=p.note))  # fmt: skip
_step("sign", None, lambda o, by, p: flow.sign(o, by=by))
_step(
    "transfer",
    HotlineTransferIn,
    lambda o, by, p: flow.transfer(o, by=by, to=_department(p.department), reason=p.reason),
)
_step("object", HotlineReasonIn, lambda o, by, p: flow.object_to(o, by=by, reason=p.reason) and o)
_step("decide_objection", HotlineDecideIn, lambda o, by, p: flow.decide_objection(
    o, by=by, objection=Objection.objects.filter(order=o, pk=p.objection).first(), upheld=p.upheld, reason=p.reason))  # fmt: skip
_step("reply", ReplyIn, lambda o, by, p: flow.reply(o, by=by, text=p.text))
_step("close", None, lambda o, by, p: flow.close(o, by=by))
_step(
    "callback",
    HotlineCallbackIn,
    lambda o, by, p: flow.callback(o, by=by, process=p.process, result=p.result, note=p.note),
)
_step("reopen", HotlineReasonIn, lambda o, by, p: flow.reopen(o, by=by, reason=p.reason))
_step("merge", MergeIn, lambda o, by, p: flow.merge(o, by=by, into=WorkOrder.objects.filter(number=p.into).first(),
                                                    note=p.note))  # fmt: skip
