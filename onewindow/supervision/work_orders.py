"""催办 and 督办 of 12345 work orders (issue 18; RULES.md "Hotline": deadlines by type in working
days, lights and urging through supervision).

The light is the watch's (watches.BY_KEY["hotline"]: due_seq against handle_days — the same rule
the supervisor's 热线工单 tab shows). `sweep` finds, in one query, the open orders at yellow or red
that have not been urged at that light for the party they wait on: the lead department once
dispatched, the hotline office before. Each is then, in one transaction per batch:
- an Urge row (unique per order, light and department: a second run, or a concurrent one,
  inserts nothing and sends nothing; an order transferred to another department is urged there
  again, since that department has not been told);
- an event in the order's own audit chain (催办 / 督办, no change of status);
- the SMS through the notify outbox: at yellow to the lead department's reviewers (the office's
  operators before dispatch), at red to its head (the hall's supervisors before dispatch).
The over-time violation is the detectors' (热线工单超期, supervision.detectors). Orders are the
city's, not a hall's: the halls' SupervisionSettings switches do not apply to them."""

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from onewindow import clock
from onewindow.accounts.models import Role, Staff
from onewindow.cases.models import Light
from onewindow.hotline.audit import append_event
from onewindow.hotline.models import WorkOrder
from onewindow.notify.models import Event
from onewindow.notify.services import enqueue_many
from onewindow.supervision import watches
from onewindow.supervision.models import Urge
from onewindow.workdays import calendar

SUBJECT = "hotline"
BATCH = 200
KINDS = {Light.YELLOW: Urge.Kind.URGE, Light.RED: Urge.Kind.ESCALATE}
# Whom each light tells: (a dispatched order's department role, the role before dispatch).
TOLD = {
    Light.YELLOW: (Role.REVIEWER, Role.HOTLINE_OPERATOR),
    Light.RED: (Role.DEPARTMENT_HEAD, Role.SUPERVISOR),
}
EVENTS = {Light.YELLOW: Event.ORDER_URGED, Light.RED: Event.ORDER_ESCALATED}


def due_for_action(today: dt.date):
    """The orders to urge or escalate today: values (pk, light, lead_department_id), one query."""
    sent = Urge.objects.filter(work_order=OuterRef("pk"), light=OuterRef("light"))
    return (
        watches.watch(watches.BY_KEY["hotline"], watches.Scope(), today)
        .filter(light__in=(Light.YELLOW, Light.RED))
        .annotate(
            to_lead=Exists(sent.filter(department=OuterRef("lead_department"))),
            to_office=Exists(sent.filter(department__isnull=True)),
        )  # fmt: skip
        .exclude(
            Q(lead_department__isnull=False, to_lead=True) | Q(lead_department__isnull=True, to_office=True)
        )
    )


def sweep(today: dt.date | None = None) -> int:
    """催办 and 督办 of work orders due today; returns how many were recorded."""
    today = today or clock.today()
    # In order of pk: two sweeps at once wait on each other's rows in the same order (no deadlock).
    due = list(due_for_action(today).order_by("pk").values_list("pk", "light", "lead_department_id"))
    return sum(_act(due[i : i + BATCH], today) for i in range(0, len(due), BATCH))


def _recipients(department_ids: set[int]) -> dict[tuple[int | None, str], list[Staff]]:
    """Staff by (department, role): the departments' reviewers and heads, and (department None)
    the hotline operators and supervisors."""
    found = defaultdict(list)
    staff = (
        Staff.objects.filter(
            Q(department_id__in=department_ids, role__in=(Role.REVIEWER, Role.DEPARTMENT_HEAD))
            | Q(role__in=(Role.HOTLINE_OPERATOR, Role.SUPERVISOR)),
            is_active=True,
        )
        .select_related("hall")
        .order_by("pk")
    )
    for s in staff:
        department = s.department_id if s.role in (Role.REVIEWER, Role.DEPARTMENT_HEAD) else None
        found[(department, s.role)].append(s)
    return found


def _insert(order_id: int, light: str, department_id: int | None, at: dt.datetime) -> Urge | None:
    try:
        with transaction.atomic():
            return Urge.objects.create(work_order_id=order_id, department_id=department_id, light=light,
                                       kind=KINDS[light], at=at)  # fmt: skip
    except IntegrityError:  # another run got there first: nothing more to do
        return None


def _act(due: list[tuple[int, str, int | None]], today: dt.date) -> int:
    with transaction.atomic():
        now = clock.now()
        orders = (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("lead_department")
            .in_bulk([pk for pk, *_ in due])
        )
        staff = _recipients({d for _, _, d in due if d is not None})
        today_seq = calendar.seq(today)
        requests, urges, done = [], [], 0
        for pk, light, department_id in due:
            order = orders[pk]
            if order.lead_department_id != department_id:  # moved on since the query: the next run's
                continue
            urge = _insert(pk, light, department_id, now)
            if urge is None:
                continue
            done += 1
            who = order.lead_department.name if order.lead_department else "热线办（待派单）"
            remaining = max(0, order.due_seq - today_seq)
            state = (
                f"剩余{remaining}个工作日"
                if light == Light.YELLOW
                else f"已超过办理期限{order.due_on:%Y-%m-%d}"
            )
            append_event(order, by=None, action=KINDS[light], from_status=order.status, reason=f"{who}，{state}",
                         payload={"light": light, "department": order.lead_department.code if order.lead_department else ""})  # fmt: skip
            order.save(update_fields=["event_count", "last_hash"])
            department_role, office_role = TOLD[light]
            told = staff[(department_id, department_role)] if department_id else staff[(None, office_role)]
            context = {"number": order.number, "title": order.title, "due_on": order.due_on, "who": who,
                       "remaining": remaining}  # fmt: skip
            for s in told:
                requests.append({"phone": s.phone, "event": EVENTS[light], "context": context,
                                 "subject_kind": SUBJECT, "subject_key": order.number, "hall": s.hall,
                                 "key": f"hotline:{KINDS[light]}:{order.number}:{department_id or 0}:{s.pk}"})  # fmt: skip
                urges.append(urge)
        counted = defaultdict(int)
        for urge, message in zip(urges, enqueue_many(requests), strict=True):
            counted[urge.pk] += message is not None
        for pk, n in counted.items():
            if n:
                Urge.objects.filter(pk=pk).update(recipients=n)
    return done
