"""Hall-floor pages: the kiosk, a ticket's follow page, the window console, the wall display."""

import datetime as dt
import math

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from onewindow import clock, links, qr
from onewindow.accounts.models import Hall, Role, Window
from onewindow.accounts.permissions import public, requires
from onewindow.accounts.queries import staff_of
from onewindow.actions import dispatch
from onewindow.errors import DomainError, Forbidden, NotFound
from onewindow.queueing import advisor, appointments, figures, hours, queries, services
from onewindow.queueing.models import Category, Ticket
from onewindow.replicas import read_only_page


@public
@require_http_methods(["GET", "POST"])
def kiosk(request, hall_code: str):
    """取号机: touch-sized buttons by category; optional real name (老年人 priority from the ID
    number). Only staff of the hall see the 绿色通道 choice (staff mode); outside opening hours
    it says when the hall opens next, and appointments still check in."""
    hall = queries.hall_by_code(hall_code)
    categories = Category.objects.filter(hall=hall, is_active=True)
    staff_mode = services.may_set_priority(request.user, hall)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("appointment_code"):
                ticket = appointments.arrive(request.POST["appointment_code"], hall)
            else:
                category = get_object_or_404(categories, letter=request.POST.get("category", ""))
                priority = request.POST.get("priority", "") if staff_mode else ""
                ticket = services.take_ticket(hall, category, by=request.user, priority=priority,
                                              id_number=request.POST.get("id_number", ""))  # fmt: skip
        except DomainError as exc:
            error = exc
        else:
            return redirect("queueing:ticket", hall_code=hall.code, number=ticket.number)
    now = clock.now()
    is_open = hours.is_open(hall, now)
    upcoming = None if is_open else hours.next_opening(hall, now)
    context = {
        "hall": hall, "categories": categories, "error": error, "is_open": is_open,
        "next_opening": hours.describe(upcoming) if upcoming else None,
        "priorities": services.STAFF_PRIORITIES if staff_mode else (), "elderly_age": settings.ONEWINDOW_ELDERLY_AGE,
    }  # fmt: skip
    return render(request, "queueing/kiosk.html", context, status=400 if error else 200)


@public
def ticket_page(request, hall_code: str, number: str):
    """The ticket on the citizen's phone (the kiosk shows its QR): place in the queue, live."""
    hall = queries.hall_by_code(hall_code)
    ticket = queries.ticket_today(hall, number)
    ahead = services.ahead_of(ticket) if ticket.status == Ticket.Status.WAITING else 0
    wait = math.ceil(ahead * queries.average_service_minutes(ticket.category))
    url = links.public_url(reverse("queueing:ticket", args=[hall.code, number]))
    code = qr.data_uri(url)
    template = "queueing/_ticket_status.html" if request.headers.get("HX-Request") else "queueing/ticket.html"
    return render(
        request, template, {"hall": hall, "ticket": ticket, "ahead": ahead, "wait": wait, "qr": code}
    )


@public
@read_only_page
def display(request, hall_code: str):
    """The wall TV: full screen, polls a cheap state endpoint, speaks each call."""
    hall = queries.hall_by_code(hall_code)
    state = queries.display_state(hall, since=queries.latest_call_id(hall))
    return render(request, "queueing/display.html", {"hall": hall, "state": state})


@public
@read_only_page
def display_state(request, hall_code: str):
    """304 when no call happened since `since` (one indexed query), else the new board."""
    hall = queries.hall_by_code(hall_code)
    try:
        since = int(request.GET.get("since", "0"))
    except ValueError:
        since = 0
    if queries.latest_call_id(hall) <= since:
        return HttpResponseNotModified()
    return render(
        request, "queueing/_display_state.html", {"hall": hall, "state": queries.display_state(hall, since)}
    )


def _console_window(request) -> Window | None:
    """The window asked for, else the clerk's first; one not assigned to them is refused (403)."""
    windows = services.windows_of(request.user)
    chosen = request.GET.get("window") or request.POST.get("window")
    if not chosen:
        return windows.first()
    window = windows.filter(number=chosen).first()
    if window is None:
        staff = staff_of(request.user)
        raise Forbidden(
            "queue.not_your_window",
            f"您未被安排在{chosen}号窗口，只能在本人所在窗口叫号（窗口安排由大厅管理员在后台设置）。"
            if staff else "只能在本中心的窗口叫号。",
        )  # fmt: skip
    return window


@requires(Role.CLERK, Role.AGENT)
def console(request):
    """The clerk's calling console: only the windows they are assigned to."""
    window = _console_window(request)
    context = {"window": window, "windows": services.windows_of(request.user),
               "priorities": services.STAFF_PRIORITIES}  # fmt: skip
    if window is not None:
        # The buttons are what the services would allow now (issue 14: one check for both).
        tickets = queries.window_tickets(window)
        for t in tickets:
            t.actions = services.ticket_actions(t)
        context |= {"tickets": tickets, "waiting": queries.waiting_counts(window.hall),
                    "actions": services.allowed_actions(window, request.user),
                    "categories": Category.objects.filter(hall=window.hall, is_active=True),
                    "paused": window.pauses.filter(ended_at__isnull=True).first()}  # fmt: skip
    return render(request, "queueing/console.html", context)


@requires(Role.HALL_ADMIN, Role.SUPERVISOR)
def figures_page(request):
    """排队统计 and the staffing advisor for next week (Erlang C)."""
    staff = staff_of(request.user)
    hall = (
        staff.hall if staff else Hall.objects.order_by("kind", "code").first()
    )  # a superuser: the city hall
    today = clock.today()
    by = request.GET.get("by", "category") if request.GET.get("by") in figures.GROUPS else "category"
    start_day = today - dt.timedelta(days=6)
    rows = [r | {"label": str(r[by])} for r in figures.summary(hall, start_day, today, by=by)]
    plan = [r | {"weekday_name": "周" + "一二三四五六日"[r["weekday"]]}
            for r in advisor.plan_next_week(hall, today) if r["windows_needed"]]  # fmt: skip
    return render(request, "queueing/figures.html", {
        "hall": hall, "rows": rows, "by": by, "start_day": start_day, "today": today,
        "hourly": figures.hourly_arrivals(hall, today), "plan": plan,
    })  # fmt: skip


def _number(post) -> str:
    return post.get("number", "")


# One entry per button of the console: (window, by, post) → the one service it names.
ACTIONS = {
    "call-next": lambda w, by, p: services.call_next(w, by=by),
    "pause": lambda w, by, p: services.pause(w, by=by, reason=p.get("reason", "")),
    "resume": lambda w, by, p: services.resume(w, by=by),
    "recall": lambda w, by, p: services.recall(w, _number(p), by=by),
    "start": lambda w, by, p: services.start(w, _number(p), by=by),
    "finish": lambda w, by, p: services.finish(w, _number(p), by=by, case_numbers=p.get("cases", "").split()),
    "no-show": lambda w, by, p: services.no_show(w, _number(p), by=by),
    "priority": lambda w, by, p: services.set_priority(w.hall, _number(p), p.get("priority", ""), by=by),
    "transfer": lambda w, by, p: services.transfer(
        w, _number(p), by=by, category=Category.objects.filter(hall=w.hall, letter=p.get("category")).first()
    ),
}


def _refused(request, back: str, exc: DomainError):
    if isinstance(exc, Forbidden):
        raise exc  # not this clerk's window: a 403 page, not a message
    messages.error(request, exc.message)
    return redirect(back)


def _done(request, back: str, action: str, result):
    if action == "call-next" and result is None:
        messages.warning(request, "当前没有等候的号。")
    elif action == "priority":
        messages.success(request, f"已为 {_number(request.POST).upper()} 号设置绿色通道优先。")
    return redirect(back)


@requires(Role.CLERK, Role.AGENT)
@require_POST
def console_action(request, action: str):
    window = _console_window(request)
    back = f"{reverse('queueing:console')}?window={window.number if window else ''}"
    if window is None:
        return redirect(back)
    return dispatch(
        request, ACTIONS, action, window, unknown=NotFound("queue.unknown_action", "没有这项叫号操作。"),
        refused=lambda exc: _refused(request, back, exc), done=lambda result: _done(request, back, action, result),
    )  # fmt: skip
