"""Read side of the queue: the wall display's state, a ticket's place, the window console."""

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F

from onewindow import clock
from onewindow.accounts.models import Hall, Window
from onewindow.errors import NotFound
from onewindow.queueing.models import CallEvent, Category, Ticket

DEFAULT_SERVICE_MINUTES = 5


def hall_by_code(code: str) -> Hall:
    hall = Hall.objects.filter(code=code).first()
    if hall is None:
        raise NotFound("queue.hall_not_found", "未找到该政务服务中心。")
    return hall


def latest_call_id(hall: Hall) -> int:
    return CallEvent.objects.filter(hall=hall).order_by("-pk").values_list("pk", flat=True).first() or 0


def call_sentence(call: CallEvent) -> str:
    """What the hall says of a call: spoken by the display and shown as its large text."""
    return f"请{call.ticket.number}号到{call.window.number}号窗口办理"


def display_state(hall: Hall, since: int) -> dict:
    """The last calls, each window's current number, the current call's sentence (shown large,
    issue 23) and the calls after `since` to speak."""
    today = clock.today()
    recent = list(
        CallEvent.objects.filter(hall=hall, at__date__gte=today)
        .select_related("ticket", "window")
        .order_by("-pk")[:12]
    )
    current = {}
    for call in recent:
        current.setdefault(call.window.number, call.ticket.number)
    new_calls = [c for c in reversed(recent) if c.pk > since]
    return {
        "last_id": recent[0].pk if recent else since,
        "recent": recent[:8],
        "windows": sorted(current.items()),
        "now": call_sentence(recent[0]) if recent else "",
        "announce": [call_sentence(c) for c in new_calls],
    }


def average_service_minutes(category: Category) -> float:
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    avg = Ticket.objects.filter(category=category, day=clock.today(), status=Ticket.Status.DONE).aggregate(
        avg=Avg(duration)
    )["avg"]
    return avg.total_seconds() / 60 if avg else DEFAULT_SERVICE_MINUTES


def ticket_today(hall: Hall, number: str) -> Ticket:
    ticket = (
        Ticket.objects.filter(hall=hall, day=clock.today(), number=number).select_related("category").first()
    )
    if ticket is None:
        raise NotFound("queue.ticket_not_found", f"今天没有 {number} 号。")
    return ticket


def waiting_counts(hall: Hall) -> dict[str, int]:
    rows = (
        Ticket.objects.filter(hall=hall, day=clock.today(), status=Ticket.Status.WAITING)
        .values("category__letter")
        .annotate(n=Count("pk"))
    )
    return {r["category__letter"]: r["n"] for r in rows}


def window_tickets(window: Window) -> list[Ticket]:
    return list(
        Ticket.objects.filter(window=window, day=clock.today(),
                              status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING]).order_by("called_at")
    )  # fmt: skip
