"""The demo hall floor works under issue 13 rule 9: the demo clerk calls at window 01 (their
own), the kiosk is open in the hall's published hours, and the admin edits both."""

import datetime as dt

import pytest
from django.core.management import call_command

from onewindow import clock
from onewindow.accounts.models import Hall, HallOpeningHours, Staff, User
from onewindow.conftest import client_for
from onewindow.errors import DomainError
from onewindow.queueing import hours, services
from onewindow.queueing.models import Category, Ticket
from onewindow.web.demo import id_number

pytestmark = pytest.mark.django_db
MONDAY_10 = dt.datetime(2026, 11, 30, 10, 0, tzinfo=clock.hall_tz())


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return Hall.objects.get(code="371400-zwfw")


def test_the_demo_clerk_calls_the_elderly_first_at_window_01(demo, client):
    assert list(Staff.objects.get(user__username="clerk").windows.values_list("number", flat=True)) == ["01"]
    with clock.frozen(MONDAY_10):
        assert client.post("/queue/371400-zwfw/kiosk/", {"category": "A"}).status_code == 302
        elderly = {"category": "A", "id_number": id_number("37140219560101002")}
        assert client.post("/queue/371400-zwfw/kiosk/", elderly).status_code == 302
        clerk = client_for(User.objects.get(username="clerk"))
        assert clerk.get("/staff/queue/?window=02").status_code == 403
        clerk.post("/staff/queue/call-next/", {"window": "01"})
    called = Ticket.objects.get(status=Ticket.Status.CALLED)
    assert (called.number, called.priority, called.window.number) == ("A002", "elderly", "01")


def test_the_demo_hall_opens_as_it_publishes_its_hours(demo):
    assert "周一至周五 9:00—17:00" in demo.hours
    assert hours.is_open(demo, MONDAY_10) and hours.is_open(demo, MONDAY_10.replace(hour=12, minute=30))
    assert not hours.is_open(demo, MONDAY_10.replace(hour=17))
    assert not hours.is_open(demo, MONDAY_10 - dt.timedelta(days=2))  # Saturday: appointments only
    with clock.frozen(MONDAY_10.replace(hour=18)):
        error = pytest.raises(
            DomainError, services.take_ticket, demo, Category.objects.get(hall=demo, letter="A"), by=None
        )
    assert "2026年12月1日（周二）09:00" in error.value.message


def test_the_admin_edits_opening_hours_on_the_hall_and_windows_on_the_staff(demo, admin_client):
    page = admin_client.get(f"/admin/accounts/hall/{demo.pk}/change/").content.decode()
    assert "办公时间" in page and "opening_hours-0-opens" in page
    assert HallOpeningHours.objects.filter(hall=demo).count() == 5
    staff_list = admin_client.get("/admin/accounts/staff/?q=clerk").content.decode()
    assert "所在窗口" in staff_list
    clerk = Staff.objects.get(user__username="clerk")
    form = admin_client.get(f"/admin/accounts/staff/{clerk.pk}/change/").content.decode()
    assert 'name="windows"' in form
