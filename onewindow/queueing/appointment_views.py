"""预约 pages of the portal: choose a category and a day, book a free slot, see and cancel
one's bookings. Thin views over onewindow.queueing.appointments; refusals are shown inline."""

import datetime as dt

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from onewindow import clock, inputs
from onewindow.accounts.models import Hall
from onewindow.accounts.permissions import public, requires
from onewindow.errors import DomainError
from onewindow.queueing import appointments
from onewindow.queueing.models import Appointment, Category


def _day(value: str | None) -> dt.date:
    return inputs.parse_date(value, "day", "日期", prefix="queue") if value else clock.today()


@public  # anyone may see the free slots; booking (POST) asks for a login
@require_http_methods(["GET", "POST"])
def appointments_page(request, hall_code: str):
    hall = get_object_or_404(Hall, code=hall_code)
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    params = request.POST if request.method == "POST" else request.GET
    categories = Category.objects.filter(hall=hall, is_active=True)
    category = (
        categories.filter(pk=params.get("category")).first() if params.get("category", "").isdigit() else None
    )
    booked, error, day, day_slots, days = None, None, clock.today(), [], []
    try:
        day = _day(params.get("day"))
        if request.method == "POST" and category is not None:
            start = dt.time.fromisoformat(params.get("start", ""))
            booked = appointments.book(request.user, hall, category, day, start)
    except DomainError as exc:
        error = exc
    except ValueError:
        error = DomainError("queue.no_slot", "请选择一个时段。")
    if category is not None and (error is None or error.code != "queue.date"):
        try:
            day_slots = appointments.slots(hall, category, day)  # still shown after a refusal
        except DomainError as exc:
            error = error or exc
    if category is not None:
        days = appointments.open_days(hall, category, clock.today())
    context = {"hall": hall, "categories": categories, "category": category, "day": day, "slots": day_slots,
               "days": days, "booked": booked, "error": error,
               "last_day": appointments.last_day(clock.today())}  # fmt: skip
    return render(request, "queueing/appointments.html", context, status=error.status if error else 200)


@requires()
@require_http_methods(["GET", "POST"])
def my_appointments(request):
    error = cancelled = None
    if request.method == "POST":
        mine = get_object_or_404(Appointment, pk=request.POST.get("appointment", "0"), user=request.user)
        try:
            cancelled = appointments.cancel(mine, by=request.user)
        except DomainError as exc:
            error = exc
    rows = (
        Appointment.objects.filter(user=request.user)
        .select_related("hall", "category")
        .order_by("-day", "-start")
    )
    context = {"appointments": rows[:50], "error": error, "cancelled": cancelled}
    return render(request, "queueing/appointments_mine.html", context, status=error.status if error else 200)
