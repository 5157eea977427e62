"""Queue API for kiosks, window terminals, wall displays and apps: /api/v1/tickets."""

import datetime as dt
import math

from django.http import HttpResponseNotModified
from ninja import Field, Router, Schema
from ninja import Status as HttpStatus

from onewindow.accounts.models import Hall, Role, Window
from onewindow.accounts.permissions import public, requires
from onewindow.errors import Conflict, DomainError, NotFound
from onewindow.inputs import bounded, column
from onewindow.queueing import queries, services
from onewindow.queueing.models import Category, Ticket

router = Router(tags=["queueing"])


class TicketIn(Schema):
    hall: column(Hall, "code")
    category: column(Category, "letter") = Field(..., description="业务类别字母，如 A")
    priority: column(Ticket, "priority") = Field(
        "", description="绿色通道优先，仅工作人员可设置；老年人由身份证号自动认定"
    )
    id_number: column(Ticket, "id_number") = ""


class PriorityIn(Schema):
    priority: column(Ticket, "priority") = Field(
        ..., description="elderly / disabled / pregnant / key_project"
    )


class TicketOut(Schema):
    number: str
    hall: str
    category: str
    category_name: str
    priority: str
    status: str
    status_display: str
    ahead: int
    estimated_wait_minutes: int
    window: str | None
    issued_at: dt.datetime
    called_at: dt.datetime | None


class QueueWindowIn(Schema):
    hall: column(Hall, "code")
    window: column(Window, "number")


class FinishIn(QueueWindowIn):
    # Case numbers, bounded like Case.number (30): queueing does not import cases (.importlinter).
    cases: list[bounded(30, "办件编号")] = Field(default_factory=list)


class TransferIn(QueueWindowIn):
    category: column(Category, "letter") | None = None
    to_window: column(Window, "number") | None = None


class CallOut(Schema):
    id: int
    number: str
    window: str
    recall: bool
    at: dt.datetime


class DisplayOut(Schema):
    last_id: int
    calls: list[CallOut]
    windows: dict[str, str]
    announce: list[str]


def _out(ticket: Ticket, hall_code: str) -> dict:
    waiting = ticket.status == Ticket.Status.WAITING
    ahead = services.ahead_of(ticket) if waiting else 0
    return {
        "number": ticket.number, "hall": hall_code, "category": ticket.category.letter,
        "category_name": ticket.category.name, "priority": ticket.priority, "status": ticket.status,
        "status_display": ticket.get_status_display(), "ahead": ahead,
        "estimated_wait_minutes": math.ceil(ahead * queries.average_service_minutes(ticket.category)) if waiting else 0,
        "window": ticket.window.number if ticket.window_id else None, "issued_at": ticket.issued_at,
        "called_at": ticket.called_at,
    }  # fmt: skip


def _window(hall_code: str, number: str) -> Window:
    window = Window.objects.filter(hall__code=hall_code, number=number).select_related("hall").first()
    if window is None:
        raise NotFound("queue.window_not_found", f"未找到 {number} 号窗口。")
    return window


@router.post("", response={201: TicketOut}, operation_id="queueing_issue_ticket")
@requires()
def issue(request, payload: TicketIn):
    """取号 from a kiosk or an app (authenticated device or person), in the hall's opening hours
    (else 409 queue.hall_closed). A priority from anyone but the hall's staff: 403
    queue.priority_by_staff."""
    hall = queries.hall_by_code(payload.hall)
    category = Category.objects.filter(hall=hall, letter=payload.category, is_active=True).first()
    if category is None:
        raise DomainError("queue.category", f"本中心没有“{payload.category}”类业务。")
    ticket = services.take_ticket(
        hall, category, by=request.user, priority=payload.priority, id_number=payload.id_number
    )
    return HttpStatus(201, _out(ticket, hall.code))


@router.post("/call-next", response=TicketOut, operation_id="queueing_call_next")
@requires(Role.CLERK, Role.AGENT)
def call_next(request, payload: QueueWindowIn):
    window = _window(payload.hall, payload.window)
    ticket = services.call_next(window, by=request.user)
    if ticket is None:
        raise Conflict("queue.empty", "当前没有等候的号。")
    return _out(ticket, payload.hall)


@router.post("/{hall}/{number}/priority", response=TicketOut, operation_id="queueing_set_priority")
@requires(*services.PRIORITY_STAFF_ROLES)
def set_priority(request, hall: str, number: str, payload: PriorityIn):
    """绿色通道: staff give a waiting ticket a priority."""
    found = queries.hall_by_code(hall)
    return _out(services.set_priority(found, number, payload.priority, by=request.user), found.code)


@router.get("/{hall}/display", response=DisplayOut, auth=None, operation_id="queueing_display")
@public
def display(request, hall: str, since: int = 0):
    """The wall display's state; 304 when no call happened after `since`."""
    found = queries.hall_by_code(hall)
    if queries.latest_call_id(found) <= since:
        return HttpResponseNotModified()
    state = queries.display_state(found, since)
    return {
        "last_id": state["last_id"], "windows": dict(state["windows"]), "announce": state["announce"],
        "calls": [{"id": c.pk, "number": c.ticket.number, "window": c.window.number, "recall": c.recall, "at": c.at}
                  for c in state["recent"]],
    }  # fmt: skip


@router.get("/{hall}/{number}", response=TicketOut, auth=None, operation_id="queueing_get_ticket")
@public
def get_ticket(request, hall: str, number: str):
    """A ticket of today and its place in the queue (the follow page's data)."""
    found = queries.hall_by_code(hall)
    return _out(queries.ticket_today(found, number), found.code)


def _action(name: str, run, schema=QueueWindowIn):
    @router.post(
        f"/{{hall}}/{{number}}/{name}", response=TicketOut, operation_id=f"queueing_{name.replace('-', '_')}"
    )
    @requires(Role.CLERK, Role.AGENT)
    def view(request, hall: str, number: str, payload: schema):
        if payload.hall != hall:
            raise DomainError("queue.hall_mismatch", "请求中的中心编码不一致。")
        window = _window(hall, payload.window)
        return _out(run(window, number, request.user, payload), hall)

    view.__name__ = f"ticket_{name.replace('-', '_')}"
    return view


_action("recall", lambda w, n, u, p: services.recall(w, n, by=u))
_action("start", lambda w, n, u, p: services.start(w, n, by=u))
_action("no-show", lambda w, n, u, p: services.no_show(w, n, by=u))
_action("finish", lambda w, n, u, p: services.finish(w, n, by=u, case_numbers=p.cases), FinishIn)
_action(
    "transfer",
    lambda w, n, u, p: services.transfer(
        w, n, by=u,
        category=Category.objects.filter(hall=w.hall, letter=p.category).first() if p.category else None,
        to_window=_window(w.hall.code, p.to_window) if p.to_window else None,
    ),
    TransferIn,
)  # fmt: skip
