"""12345 work orders: the read side shared by the pages, the API and the steps — who sees which
orders (one rule, `visible_orders`), the lists by status with their lights, a caller's history,
the duplicate suggestions, the days left. Set-based: each list is one query."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from onewindow import clock, pii
from onewindow.accounts.models import DEPARTMENT_ROLES, Role, User
from onewindow.accounts.queries import staff_of
from onewindow.cases import clock_rules
from onewindow.errors import NotFound
from onewindow.hotline.models import ORDER_OPEN, Assignment, OrderStatus, WorkOrder, WorkOrderEvent
from onewindow.workdays import calendar

# Who sees every order: the hotline office (flow.HOTLINE_OFFICE, repeated here so the read side
# does not import the steps).
OFFICE_ROLES = (Role.HOTLINE_OPERATOR, Role.HALL_ADMIN, Role.SUPERVISOR)
STAFF_ROLES = (*OFFICE_ROLES, *DEPARTMENT_ROLES)

# 疑似重复 (RULES.md "Hotline": duplicates are merged): another order of the same caller phone, or
# of the same category at the same address, received within DUPLICATE_WINDOW_DAYS calendar days
# either side — a project default (decision 0040): a week covers a caller ringing again about
# the same thing before the 3-working-day answer, and a neighbour reporting the same broken lift.
DUPLICATE_WINDOW_DAYS = 7


def visible_orders(user: User) -> QuerySet[WorkOrder]:
    """The one visibility rule: the hotline office (operators, hall management) every order — the
    12345 center is the city's one; a department's staff the orders their department was ever
    dispatched to (lead or assisting, ended or not: it keeps its history); a superuser all."""
    if not user.is_authenticated:
        return WorkOrder.objects.none()
    if user.is_superuser:
        return WorkOrder.objects.all()
    staff = staff_of(user)
    if staff is None:
        return WorkOrder.objects.none()
    if staff.role in OFFICE_ROLES:
        return WorkOrder.objects.all()
    if staff.role in DEPARTMENT_ROLES:
        return WorkOrder.objects.filter(
            Exists(Assignment.objects.filter(order=OuterRef("pk"), department_id=staff.department_id))
        )
    return WorkOrder.objects.none()


def order_for(user: User, number: str) -> WorkOrder:
    """The order, if `user` may see it; else 404 (never telling that it exists)."""
    order = (
        visible_orders(user)
        .select_related("category", "lead_department", "received_by", "replied_by", "merged_into", "region")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise NotFound("hotline.not_found", "未找到该工单。")
    return order


def with_duplicates(orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Each open order annotated `has_duplicates` (one EXISTS per row, on the caller-history
    index and the day/category index) — the workbench's hint."""
    window = dt.timedelta(days=DUPLICATE_WINDOW_DAYS)
    same = WorkOrder.objects.exclude(pk=OuterRef("pk")).exclude(status=OrderStatus.MERGED).filter(
        received_at__gte=OuterRef("received_at") - window, received_at__lte=OuterRef("received_at") + window,
    ).filter(
        (Q(caller_phone_digest=OuterRef("caller_phone_digest")) & ~Q(caller_phone_digest=""))
        | (Q(category=OuterRef("category")) & Q(address=OuterRef("address")) & ~Q(address=""))
    )  # fmt: skip
    return orders.annotate(has_duplicates=Exists(same))


def duplicates_of(order: WorkOrder) -> QuerySet[WorkOrder]:
    """The suggested duplicates of an order: same caller phone, or same category and same address,
    received within DUPLICATE_WINDOW_DAYS either side; not merged themselves; newest first. One
    query. Merging is the operator's to confirm (flow.merge)."""
    match = Q()
    if order.caller_phone:
        match |= Q(caller_phone_digest=pii.digest("phone", order.caller_phone))
    if order.address:
        match |= Q(category_id=order.category_id, address=order.address)
    if not match:
        return WorkOrder.objects.none()
    window = dt.timedelta(days=DUPLICATE_WINDOW_DAYS)
    return (
        WorkOrder.objects.filter(match)
        .filter(received_at__gte=order.received_at - window, received_at__lte=order.received_at + window)
        .exclude(pk=order.pk)
        .exclude(status=OrderStatus.MERGED)
        .select_related("category")
        .order_by("-received_at", "-pk")
    )


def lighted(
    orders: QuerySet[WorkOrder], today: dt.date | None = None
) -> list[tuple[WorkOrder, int | None, str]]:
    """(order, working days left, light) for a page's rows: the light rule of RULES.md
    "Supervision" (clock_rules.deadline_light, as the supervision watch computes it in SQL)."""
    today_seq = calendar.seq(today or clock.today())
    rows = []
    for order in orders:
        left = days_left(order, today_seq=today_seq)
        light = clock_rules.light(order.due_seq, order.handle_days, today_seq) if left is not None else ""
        rows.append((order, left, light))
    return rows


def days_left(order: WorkOrder, today: dt.date | None = None, *, today_seq: int | None = None) -> int | None:
    """Working days left to reply (negative: overdue); None once the order is out of the clock."""
    if order.status not in ORDER_OPEN:
        return None
    return order.due_seq - (today_seq if today_seq is not None else calendar.seq(today or clock.today()))


def office_list(
    user: User, *, status: str = "", overdue_only: bool = False, q: str = ""
) -> QuerySet[WorkOrder]:
    """The workbench's list: by status (default the open ones), overdue, number/title/phone."""
    orders = visible_orders(user).select_related("category", "lead_department")
    if status:
        orders = orders.filter(status=status)
    else:
        orders = orders.filter(status__in=ORDER_OPEN)
    if overdue_only:
        orders = orders.filter(status__in=ORDER_OPEN, due_seq__lt=calendar.seq(clock.today()))
    q = (q or "").strip()
    if q:
        orders = orders.filter(
            Q(number=q) | Q(caller_phone_digest=pii.digest("phone", q)) | Q(title__contains=q)
        )
    return with_duplicates(orders).order_by("due_seq", "received_at") if not status or status in ORDER_OPEN else (
        orders.order_by("-received_at"))  # fmt: skip


def department_list(department_id: int, *, status: str = "") -> QuerySet[WorkOrder]:
    """A department's orders to work on: where it is the active lead (dispatched, handling) or an
    active assisting department; most urgent first."""
    active = Assignment.objects.filter(order=OuterRef("pk"), department_id=department_id, ended_at=None)
    orders = WorkOrder.objects.filter(Exists(active)).select_related("category", "lead_department")
    orders = orders.filter(status=status) if status else orders.filter(status__in=(OrderStatus.DISPATCHED,
                                                                                   OrderStatus.HANDLING))  # fmt: skip
    return orders.order_by("due_seq", "received_at")


def events_of(order: WorkOrder) -> QuerySet[WorkOrderEvent]:
    return order.events.select_related("actor").order_by("seq")
