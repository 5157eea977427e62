"""Tickets and calls (issue: the hall floor). Each function runs in one transaction.

Call order (RULES of the issue): a priority ticket first, then the one waiting longest
(`queued_at`, which a transfer keeps), from the categories the window serves; the window's
category order breaks ties. Two windows calling at the same instant never get the same
ticket: PostgreSQL skips rows another transaction has locked (FOR UPDATE SKIP LOCKED);
SQLite serializes writers (IMMEDIATE transactions).

The hall floor (issue 13 rule 9): a window calls only once its called ticket is finished,
a no-show or transferred, and only its assigned clerks call there; the kiosk (`take_ticket`)
issues only in the hall's opening hours (queueing.hours) and takes no priority from a citizen:
老年人 comes from the ID number, an appointment's from its check-in code, the others from staff."""

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case as When_
from django.db.models import IntegerField, Q, Value, When

from onewindow import clock, pii
from onewindow.accounts.identity import age_on, birth_date, resident_id_error
from onewindow.accounts.models import Applicant, Hall, Role, User, Window
from onewindow.accounts.queries import has_role, staff_of
from onewindow.accounts.services import take_window
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.queueing import hours
from onewindow.queueing.models import (
    CallEvent,
    Category,
    Priority,
    Ticket,
    TicketCounter,
    WindowCategory,
    WindowPause,
)

MAX_RECALLS = 2  # after this many recalls a ticket that does not come is a no-show


def _next_seq(hall: Hall, category: Category, day: dt.date) -> int:
    table = TicketCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (hall_id, category_id, day, last) VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT (hall_id, category_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [hall.pk, category.pk, day.isoformat()],
        )
        return cursor.fetchone()[0]


@transaction.atomic
def issue_ticket(hall: Hall, category: Category, *, priority: str = "", id_number: str = "",
                 applicant: Applicant | None = None, queued_at: dt.datetime | None = None,
                 transferred_from: Ticket | None = None) -> Ticket:  # fmt: skip
    """取号 at the kiosk (optionally real-name) or from an appointment (priority `appointment`)."""
    if category.hall_id != hall.pk or not category.is_active:
        raise DomainError("queue.category", "该业务类别不在本中心办理。")
    if priority not in Priority.values:
        raise DomainError("queue.priority", "优先类型不正确。")
    id_number = (id_number or "").strip().upper()
    if id_number:
        error = resident_id_error(id_number, today=clock.today())
        if error:
            raise error
        applicant = (
            applicant
            or Applicant.objects.filter(
                id_number_digest=pii.digest("id_number", id_number), kind="natural"
            ).first()
        )
    now = clock.now()
    day = now.astimezone(clock.hall_tz()).date()
    seq = _next_seq(hall, category, day)
    return Ticket.objects.create(
        hall=hall, region_code=hall.region_id, category=category, day=day, number=f"{category.letter}{seq:03d}",
        priority=priority, issued_at=now, queued_at=queued_at or now, id_number=id_number, applicant=applicant,
        transferred_from=transferred_from,
    )  # fmt: skip


# 绿色通道 priorities staff may give; `appointment` comes only from a booking's check-in code.
STAFF_PRIORITIES = (Priority.ELDERLY, Priority.DISABLED, Priority.PREGNANT, Priority.KEY_PROJECT)
PRIORITY_STAFF_ROLES = (Role.CLERK, Role.AGENT, Role.HALL_ADMIN)


def may_set_priority(user: User, hall: Hall) -> bool:
    """Staff of the hall at the windows or the guidance desk (the kiosk's staff mode)."""
    if user.is_authenticated and user.is_superuser:
        return True
    staff = staff_of(user)
    return staff is not None and staff.hall_id == hall.pk and has_role(user, *PRIORITY_STAFF_ROLES)


def _check_staff_priority(priority: str, by: User | None, hall: Hall) -> None:
    if priority not in STAFF_PRIORITIES:
        raise DomainError("queue.priority", "优先类型不正确（预约优先请凭预约码签到）。")
    if by is None or not may_set_priority(by, hall):
        # issue 13 rule 9: a citizen cannot give their own ticket a priority.
        raise Forbidden(
            "queue.priority_by_staff",
            "绿色通道优先由工作人员核实后设置，不能自选；请出示证件，向导服台或窗口工作人员申请。",
        )


def derived_priority(id_number: str) -> str:
    """老年人 from the ID number's birth date: ONEWINDOW_ELDERLY_AGE or older on the hall's today."""
    born = birth_date(id_number)
    if born is not None and age_on(born, clock.today()) >= settings.ONEWINDOW_ELDERLY_AGE:
        return Priority.ELDERLY
    return Priority.NONE


@transaction.atomic
def take_ticket(hall: Hall, category: Category, *, by: User | None, id_number: str = "",
                priority: str = "") -> Ticket:  # fmt: skip
    """取号 at the kiosk (or through the API): only in the hall's opening hours; a priority only
    from staff (the kiosk's staff mode) or from the data (老年人 by the ID number)."""
    if priority:
        _check_staff_priority(priority, by, hall)
    hours.require_open(hall)
    if not priority and id_number:
        priority = derived_priority(id_number)  # a wrong number is refused by issue_ticket
    return issue_ticket(hall, category, priority=priority, id_number=id_number)


@transaction.atomic
def set_priority(hall: Hall, number: str, priority: str, *, by: User) -> Ticket:
    """绿色通道: staff give a waiting ticket of today a priority after checking the person."""
    _check_staff_priority(priority, by, hall)
    ticket = (
        Ticket.objects.select_for_update()
        .filter(hall=hall, day=clock.today(), number=(number or "").strip().upper())
        .first()
    )
    if ticket is None:
        raise NotFound("queue.ticket_not_found", f"今天没有 {number} 号。")
    if ticket.status != Ticket.Status.WAITING:
        raise Conflict(
            "queue.ticket_state",
            f"{ticket.number} 号当前为“{ticket.get_status_display()}”，只能为等候中的号设置优先。",
        )
    Ticket.objects.filter(pk=ticket.pk).update(priority=priority)
    ticket.refresh_from_db()
    return ticket


# ---- the one queue order (issue 14) ---------------------------------------------------------
# Priority tickets (绿色通道, appointments) first, then by the time queued (a transfer keeps its
# time), then by the ticket's id. call_next serves by it and ahead_of counts by it.
QUEUE_ORDER = ("is_plain", "queued_at", "pk")
IS_PLAIN = When_(When(priority="", then=Value(1)), default=Value(0), output_field=IntegerField())


def in_queue_order(tickets, *then: str):
    """`tickets` in the queue order; `then`: a tie-break before the id (call_next: the window's
    order of its categories, for tickets queued at the same instant)."""
    *key, last = QUEUE_ORDER
    return tickets.annotate(is_plain=IS_PLAIN).order_by(*key, *then, last)


def before(ticket: Ticket) -> Q:
    """The tickets ahead of `ticket` in QUEUE_ORDER (the key compared field by field)."""
    mine = {"is_plain": 0 if ticket.priority else 1, "queued_at": ticket.queued_at, "pk": ticket.pk}
    ahead, same = Q(), {}
    for name in QUEUE_ORDER:
        ahead |= Q(**same, **{f"{name}__lt": mine[name]})
        same[name] = mine[name]
    return ahead


def ahead_of(ticket: Ticket) -> int:
    """People ahead in the ticket's category, in the queue order."""
    waiting = Ticket.objects.filter(hall=ticket.hall_id, day=ticket.day, category=ticket.category_id,
                                    status=Ticket.Status.WAITING)  # fmt: skip
    return waiting.annotate(is_plain=IS_PLAIN).filter(before(ticket)).count()


def _require_window_staff(by: User, window: Window) -> None:
    """A clerk (or agent) acts only at the windows the hall admin assigned them (Staff.windows;
    issue 13 rule 9); a superuser at any window."""
    if by.is_superuser:
        return
    staff = staff_of(by)
    if staff is None or staff.hall_id != window.hall_id or not has_role(by, Role.CLERK, Role.AGENT):
        raise Forbidden("queue.not_your_window", "只能在本中心的窗口叫号。")
    if not staff.windows.filter(pk=window.pk).exists():
        raise Forbidden(
            "queue.not_your_window",
            f"您未被安排在{window.number}号窗口，只能在本人所在窗口叫号（窗口安排由大厅管理员在后台设置）。",
        )


def _stand_at(by: User, window: Window) -> None:
    """Calling or serving at a window is standing at it: the intake the clerk answers next is
    recorded at this window (accounts.Staff.at_window → cases' Case.window)."""
    if staff_of(by) is not None:
        take_window(by, window)


def windows_of(user: User):
    """The windows a person may call at: their assigned ones; a superuser every window."""
    if user.is_superuser:
        return Window.objects.filter(is_active=True, queue_categories__isnull=False).distinct()
    staff = staff_of(user)
    if staff is None:
        return Window.objects.none()
    return staff.windows.filter(hall=staff.hall_id, is_active=True)


OPEN = (Ticket.Status.CALLED, Ticket.Status.SERVING)  # called and not yet finished or marked


# ---- what the console may do now: one check for the services and the console (issue 14) -----


def window_refusal(window: Window, action: str) -> DomainError | None:
    """Why the window's state does not allow `action` ("call_next", "pause", "resume") now."""
    paused = WindowPause.objects.filter(window=window, ended_at__isnull=True).exists()
    if action == "pause":
        return Conflict("queue.already_paused", "窗口已暂停。") if paused else None
    if action == "resume":
        return None if paused else Conflict("queue.not_paused", "窗口未暂停。")
    if paused:
        return Conflict("queue.window_paused", "窗口暂停服务中，请先恢复。")
    current = (
        Ticket.objects.filter(window=window, day=clock.today(), status__in=OPEN).order_by("called_at").first()
    )
    if current is not None:
        # issue 13 rule 9: finish (办结), mark (过号) or transfer the called ticket first.
        return Conflict(
            "queue.window_busy",
            f"{current.number} 号仍为“{current.get_status_display()}”，请先办结、过号或转移后再叫下一位。",
            details={"number": current.number},
        )
    if not WindowCategory.objects.filter(window=window).exists():
        return Conflict("queue.no_categories", "该窗口未配置叫号业务类别。")
    return None


TICKET_STATUSES = {
    "recall": (Ticket.Status.CALLED,),
    "start": (Ticket.Status.CALLED,),
    "no_show": (Ticket.Status.CALLED,),
    "finish": (Ticket.Status.SERVING, Ticket.Status.CALLED),
    "transfer": (Ticket.Status.CALLED, Ticket.Status.SERVING),
}


def ticket_refusal(ticket: Ticket, action: str) -> DomainError | None:
    """Why the called ticket's state does not allow `action` now."""
    if ticket.status not in TICKET_STATUSES[action]:
        return Conflict(
            "queue.ticket_state", f"{ticket.number} 号当前为“{ticket.get_status_display()}”，不能进行此操作。"
        )
    if action == "recall" and ticket.recalls >= MAX_RECALLS:
        return Conflict("queue.recall_limit", f"已重呼{MAX_RECALLS}次，请按过号处理。")
    if action == "no_show" and ticket.recalls < MAX_RECALLS:
        return Conflict("queue.recall_first", f"请先重呼（已重呼{ticket.recalls}次，共需{MAX_RECALLS}次）。")
    return None


def allowed_actions(window: Window, by: User) -> list[str]:
    """The window's actions `by` may take now (the console shows exactly these)."""
    try:
        _require_window_staff(by, window)
    except Forbidden:
        return []
    return [a for a in ("call_next", "pause", "resume") if window_refusal(window, a) is None]


def ticket_actions(ticket: Ticket) -> list[str]:
    """A called ticket's actions at its window now (the console's buttons for it)."""
    return [a for a in TICKET_STATUSES if ticket_refusal(ticket, a) is None]


def _raise(refused: DomainError | None) -> None:
    if refused is not None:
        raise refused


@transaction.atomic
def call_next(window: Window, *, by: User) -> Ticket | None:
    """叫号: the next ticket for this window, or None when its queue is empty."""
    _require_window_staff(by, window)
    # One call at a time per window: the lock orders two concurrent calls here (PostgreSQL;
    # SQLite's IMMEDIATE transactions serialize them), so the second sees the first's ticket.
    Window.objects.select_for_update().filter(pk=window.pk).first()
    _raise(window_refusal(window, "call_next"))
    _stand_at(by, window)  # the staff row's lock after the window's, in every call
    today = clock.today()
    order = list(
        WindowCategory.objects.filter(window=window).order_by("order").values_list("category_id", flat=True)
    )
    rank = When_(
        *[When(category_id=c, then=Value(i)) for i, c in enumerate(order)], output_field=IntegerField()
    )
    waiting = (
        Ticket.objects.filter(
            hall_id=window.hall_id, day=today, status=Ticket.Status.WAITING, category_id__in=order
        )
        .exclude(Q(target_window__isnull=False) & ~Q(target_window=window.pk))
        .annotate(rank=rank)
    )
    candidates = in_queue_order(waiting, "rank")
    ticket = candidates.select_related("category").select_for_update(skip_locked=True, of=("self",)).first()
    if ticket is None:
        return None
    now = clock.now()
    Ticket.objects.filter(pk=ticket.pk).update(
        status=Ticket.Status.CALLED, window=window, clerk=by, called_at=now
    )
    CallEvent.objects.create(hall_id=window.hall_id, ticket=ticket, window=window, at=now)
    ticket.status, ticket.window, ticket.clerk, ticket.called_at = Ticket.Status.CALLED, window, by, now
    return ticket


def _ticket_at(window: Window, number: str, by: User, action: str) -> Ticket:
    _require_window_staff(by, window)
    ticket = (
        Ticket.objects.select_for_update()
        .filter(hall_id=window.hall_id, day=clock.today(), number=number, window=window)
        .first()
    )
    if ticket is None:
        raise NotFound("queue.ticket_not_found", f"本窗口今天没有 {number} 号。")
    _raise(ticket_refusal(ticket, action))
    return ticket


@transaction.atomic
def recall(window: Window, number: str, *, by: User) -> Ticket:
    ticket = _ticket_at(window, number, by, "recall")
    Ticket.objects.filter(pk=ticket.pk).update(recalls=ticket.recalls + 1)
    CallEvent.objects.create(
        hall_id=window.hall_id, ticket=ticket, window=window, at=clock.now(), recall=True
    )
    ticket.refresh_from_db()
    return ticket


@transaction.atomic
def no_show(window: Window, number: str, *, by: User) -> Ticket:
    ticket = _ticket_at(window, number, by, "no_show")
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.NO_SHOW, finished_at=clock.now())
    ticket.refresh_from_db()
    return ticket


@transaction.atomic
def start(window: Window, number: str, *, by: User) -> Ticket:
    ticket = _ticket_at(window, number, by, "start")
    _stand_at(by, window)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.SERVING, started_at=clock.now())
    ticket.refresh_from_db()
    return ticket


@transaction.atomic
def finish(window: Window, number: str, *, by: User, case_numbers: list[str] = ()) -> Ticket:
    """办结 at the window, linked to the cases created during the service."""
    ticket = _ticket_at(window, number, by, "finish")
    now = clock.now()
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.DONE, finished_at=now,
                                               started_at=ticket.started_at or now,
                                               case_numbers=sorted(set(case_numbers)))  # fmt: skip
    ticket.refresh_from_db()
    return ticket


@transaction.atomic
def transfer(window: Window, number: str, *, by: User, category: Category | None = None,
             to_window: Window | None = None) -> Ticket:  # fmt: skip
    """转移 to another category or window, keeping the original waiting time (queued_at)."""
    ticket = _ticket_at(window, number, by, "transfer")
    if category is None and to_window is None:
        raise DomainError("queue.transfer_target", "请选择转入的业务类别或窗口。")
    if to_window is not None and to_window.hall_id != window.hall_id:
        raise DomainError("queue.transfer_target", "只能转到本中心的窗口。")
    target_category = category or ticket.category
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.TRANSFERRED, finished_at=clock.now())
    return _requeue(ticket, target_category, to_window)


def _requeue(ticket: Ticket, category: Category, to_window: Window | None) -> Ticket:
    new = issue_ticket(ticket.hall, category, priority=ticket.priority, applicant=ticket.applicant,
                       queued_at=ticket.queued_at, transferred_from=ticket)  # fmt: skip
    if to_window is not None:
        Ticket.objects.filter(pk=new.pk).update(target_window=to_window)
        new.refresh_from_db()
    return new


@transaction.atomic
def pause(window: Window, *, by: User, reason: str) -> WindowPause:
    _require_window_staff(by, window)
    if not (reason or "").strip():
        raise DomainError("queue.pause_reason", "请填写暂停原因。")
    _raise(window_refusal(window, "pause"))
    return WindowPause.objects.create(window=window, clerk=by, reason=reason.strip(), started_at=clock.now())


@transaction.atomic
def resume(window: Window, *, by: User) -> None:
    _require_window_staff(by, window)
    if WindowPause.objects.filter(window=window, ended_at__isnull=True).update(ended_at=clock.now()) == 0:
        raise Conflict("queue.not_paused", "窗口未暂停。")
