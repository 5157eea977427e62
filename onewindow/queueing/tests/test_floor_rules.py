"""Issue 13 rule 9, the hall floor: one open call per window, a clerk calls only at their own
window, no self-declared priority, and tickets only in opening hours.

The persona hall opens Mon–Fri 09:00–12:00 and 13:00–17:00 (hall time). Thursday 2026-11-26
10:00 is inside; 2026-10-01…07 is the National Day holiday and Saturday 2026-10-10 a 调休
working day.
"""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import HallOpeningHours
from onewindow.errors import DomainError
from onewindow.queueing import hours, services
from onewindow.queueing.models import Priority, Ticket
from onewindow.web.demo import id_number

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.hall_tz())


THURSDAY = dt.date(2026, 11, 26)
BORN_60_YEARS_AGO_TODAY = id_number("37140219661126002")  # 60 on 2026-11-26
BORN_60_YEARS_AGO_TOMORROW = id_number("37140219661127002")  # still 59 on 2026-11-26


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as info:
        call()
    return info.value


@pytest.fixture
def thursday_morning():
    with clock.frozen(at(THURSDAY, 10)):
        yield


@pytest.mark.usefixtures("thursday_morning")
class TestOneOpenCallPerWindow:
    """a) 叫号 at a window that still has a called ticket open asks to finish or mark it first."""

    def test_calling_again_before_finishing_is_refused_and_changes_nothing(self, world, queue):
        for _ in range(2):
            services.issue_ticket(world.hall, queue["A"])
        first = services.call_next(world.window_1, by=world.clerk)
        error = refused(lambda: services.call_next(world.window_1, by=world.clerk))
        assert (error.code, error.status) == ("queue.window_busy", 409)
        assert "A001 号仍为“已叫号”" in error.message and "办结" in error.message and "过号" in error.message
        assert Ticket.objects.get(number="A002").status == Ticket.Status.WAITING
        services.start(world.window_1, first.number, by=world.clerk)
        error = refused(lambda: services.call_next(world.window_1, by=world.clerk))
        assert error.code == "queue.window_busy" and "办理中" in error.message
        services.finish(world.window_1, first.number, by=world.clerk)
        assert services.call_next(world.window_1, by=world.clerk).number == "A002"

    def test_a_no_show_or_a_transfer_also_frees_the_window(self, world, queue):
        for _ in range(3):
            services.issue_ticket(world.hall, queue["A"])
        first = services.call_next(world.window_1, by=world.clerk)
        for _ in range(services.MAX_RECALLS):
            services.recall(world.window_1, first.number, by=world.clerk)
        services.no_show(world.window_1, first.number, by=world.clerk)
        second = services.call_next(world.window_1, by=world.clerk)
        services.transfer(world.window_1, second.number, by=world.clerk, category=queue["B"])
        assert services.call_next(world.window_1, by=world.clerk).number == "A003"

    def test_yesterdays_forgotten_call_does_not_block_today(self, world, queue):
        with clock.frozen(at(THURSDAY - dt.timedelta(days=1), 16)):
            services.issue_ticket(world.hall, queue["A"])
            services.call_next(world.window_1, by=world.clerk)
        services.issue_ticket(world.hall, queue["A"])
        assert services.call_next(world.window_1, by=world.clerk).number == "A001"

    def test_the_console_says_so(self, world, queue, as_user):
        for _ in range(2):
            services.issue_ticket(world.hall, queue["A"])
        clerk = as_user(world.clerk)
        clerk.post("/staff/queue/call-next/", {"window": "01"})
        page = clerk.post("/staff/queue/call-next/", {"window": "01"}, follow=True).content.decode()
        assert "A001 号仍为“已叫号”，请先办结、过号或转移后再叫下一位" in page
        assert Ticket.objects.filter(status=Ticket.Status.CALLED).count() == 1

    def test_the_api_answers_409_with_the_code(self, world, queue, api):
        services.issue_ticket(world.hall, queue["A"])
        services.issue_ticket(world.hall, queue["A"])
        clerk = api(world.clerk)
        assert clerk.post("/tickets/call-next", {"hall": "T-HALL", "window": "01"}).status_code == 200
        again = clerk.post("/tickets/call-next", {"hall": "T-HALL", "window": "01"})
        assert again.status_code == 409 and again.json()["code"] == "queue.window_busy"


@pytest.mark.usefixtures("thursday_morning")
class TestOwnWindowOnly:
    """b) A clerk calls only at the windows the admin assigned them (Staff.windows)."""

    def test_another_window_is_refused_in_the_service(self, world, queue):
        services.issue_ticket(world.hall, queue["B"])
        error = refused(lambda: services.call_next(world.window_a, by=world.clerk))  # 11: not Carol's
        assert (error.code, error.status) == ("queue.not_your_window", 403) and "11号窗口" in error.message
        assert Ticket.objects.get().status == Ticket.Status.WAITING
        world.clerk.staff.windows.add(world.window_a)  # the admin assigns window 11 as well
        assert services.call_next(world.window_a, by=world.clerk).number == "B001"

    def test_the_console_offers_only_their_windows_and_refuses_another_with_403(self, world, queue, as_user):
        services.issue_ticket(world.hall, queue["B"])
        clerk = as_user(world.clerk)
        page = clerk.get("/staff/queue/").content.decode()
        assert 'value="01"' in page and 'value="11"' not in page
        assert clerk.get("/staff/queue/?window=11").status_code == 403
        answer = clerk.post("/staff/queue/call-next/", {"window": "11"})
        assert answer.status_code == 403 and "只能在本人所在窗口叫号" in answer.content.decode()
        assert Ticket.objects.get().status == Ticket.Status.WAITING

    def test_the_api_refuses_another_window_with_the_code(self, world, queue, api):
        services.issue_ticket(world.hall, queue["B"])
        answer = api(world.clerk).post("/tickets/call-next", {"hall": "T-HALL", "window": "11"})
        assert answer.status_code == 403 and answer.json()["code"] == "queue.not_your_window"

    def test_a_clerk_without_a_window_is_told_to_ask_the_admin(self, world, queue, as_user):
        world.clerk.staff.windows.clear()
        page = as_user(world.clerk).get("/staff/queue/").content.decode()
        assert "您尚未被安排窗口" in page and "叫下一位" not in page


@pytest.mark.usefixtures("thursday_morning")
class TestNoSelfDeclaredPriority:
    """c) 绿色通道 priorities come from staff or from data, never from the citizen."""

    def test_the_public_kiosk_offers_no_priority_and_ignores_one_posted(self, world, queue, client):
        page = client.get("/queue/T-HALL/kiosk/").content.decode()
        assert 'name="priority"' not in page and "年满60周岁的老年人实名取号自动进入绿色通道" in page
        client.post("/queue/T-HALL/kiosk/", {"category": "A", "priority": "disabled"})
        assert Ticket.objects.get().priority == Priority.NONE

    def test_the_api_refuses_a_citizens_priority_with_the_code(self, world, queue, api):
        answer = api(world.alice).post(
            "/tickets", {"hall": "T-HALL", "category": "A", "priority": "pregnant"}
        )
        assert answer.status_code == 403 and answer.json()["code"] == "queue.priority_by_staff"
        assert not Ticket.objects.exists()

    def test_an_id_number_of_someone_60_today_makes_an_elderly_ticket(self, world, queue, client, api):
        client.post("/queue/T-HALL/kiosk/", {"category": "A", "id_number": BORN_60_YEARS_AGO_TOMORROW})
        client.post("/queue/T-HALL/kiosk/", {"category": "A", "id_number": BORN_60_YEARS_AGO_TODAY})
        assert dict(Ticket.objects.values_list("number", "priority")) == {"A001": "", "A002": "elderly"}
        through_api = api(world.alice).post("/tickets", {"hall": "T-HALL", "category": "B",
                                                         "id_number": BORN_60_YEARS_AGO_TODAY})  # fmt: skip
        assert through_api.json()["priority"] == "elderly"

    def test_the_age_is_a_setting(self, world, queue, settings):
        settings.ONEWINDOW_ELDERLY_AGE = 65
        ticket = services.take_ticket(world.hall, queue["A"], by=None, id_number=BORN_60_YEARS_AGO_TODAY)
        assert ticket.priority == Priority.NONE

    def test_staff_at_the_kiosk_in_staff_mode_give_a_priority(self, world, queue, as_user):
        clerk = as_user(world.clerk)
        assert 'data-testid="staff-priorities"' in clerk.get("/queue/T-HALL/kiosk/").content.decode()
        clerk.post("/queue/T-HALL/kiosk/", {"category": "A", "priority": "disabled"})
        assert Ticket.objects.get().priority == Priority.DISABLED
        error = refused(
            lambda: services.take_ticket(
                world.hall, queue["A"], by=world.clerk, priority=Priority.APPOINTMENT
            )
        )
        assert error.code == "queue.priority"  # only a booking's check-in code gives `appointment`
        error = refused(
            lambda: services.take_ticket(world.other_hall, queue["A"], by=world.clerk, priority="disabled")
        )
        assert error.code == "queue.priority_by_staff"  # staff of another hall

    def test_staff_set_a_waiting_tickets_priority_and_it_is_called_first(self, world, queue, as_user, api):
        services.take_ticket(world.hall, queue["A"], by=None)
        services.take_ticket(world.hall, queue["A"], by=None)
        refusal = api(world.alice).post("/tickets/T-HALL/A002/priority", {"priority": "pregnant"})
        assert refusal.status_code == 403
        set_by_api = api(world.hall_admin).post("/tickets/T-HALL/A002/priority", {"priority": "pregnant"})
        assert set_by_api.status_code == 200 and set_by_api.json()["priority"] == "pregnant"
        assert services.call_next(world.window_1, by=world.clerk).number == "A002"
        clerk = as_user(world.clerk)
        page = clerk.post("/staff/queue/priority/", {"window": "01", "number": "A002", "priority": "disabled"},
                          follow=True).content.decode()  # fmt: skip
        assert "只能为等候中的号设置优先" in page


class TestOpeningHours:
    """d) The kiosk issues tickets only in the hall's opening hours, by the working-day calendar."""

    @pytest.mark.parametrize(
        "moment, expected",
        [
            (at(THURSDAY, 9), True),
            (at(THURSDAY, 11, 59), True),
            (at(THURSDAY, 12), False),  # lunch
            (at(THURSDAY, 16, 59), True),
            (at(THURSDAY, 17), False),
            (at(dt.date(2026, 11, 28), 10), False),  # an ordinary Saturday
            (at(dt.date(2026, 10, 5), 10), False),  # Monday in the National Day holiday
            (at(dt.date(2026, 10, 10), 10), True),  # Saturday, 调休上班: open like a weekday
        ],
    )
    def test_open_or_closed(self, world, moment, expected):
        assert hours.is_open(world.hall, moment) is expected

    @pytest.mark.parametrize(
        "moment, upcoming",
        [
            (at(THURSDAY, 12, 30), "2026年11月26日（周四）13:00"),
            (at(THURSDAY, 17), "2026年11月27日（周五）09:00"),
            (at(dt.date(2026, 11, 27), 18), "2026年11月30日（周一）09:00"),
            (at(dt.date(2026, 10, 1), 8), "2026年10月8日（周四）09:00"),
        ],
    )
    def test_outside_hours_the_kiosk_refuses_and_names_the_next_opening(self, world, queue, moment, upcoming):
        with clock.frozen(moment):
            error = refused(lambda: services.take_ticket(world.hall, queue["A"], by=None))
        assert (error.code, error.status) == ("queue.hall_closed", 409)
        assert f"下次开放：{upcoming}" in error.message
        assert not Ticket.objects.exists()

    def test_a_saturday_period_is_closed_on_a_holiday_saturday(self, world):
        HallOpeningHours.objects.create(hall=world.hall, weekday=5, opens=dt.time(9), closes=dt.time(12))
        assert hours.is_open(world.hall, at(dt.date(2026, 11, 28), 10))
        assert not hours.is_open(world.hall, at(dt.date(2026, 10, 3), 10))  # National Day

    def test_the_kiosk_page_shows_the_closed_message_and_still_checks_in_appointments(
        self, world, queue, client
    ):
        with clock.frozen(at(THURSDAY, 12, 30)):
            page = client.get("/queue/T-HALL/kiosk/").content.decode()
            assert "现在不在办公时间，暂停取号" in page and "2026年11月26日（周四）13:00" in page
            assert "kiosk-button" not in page and 'name="appointment_code"' in page
            answer = client.post("/queue/T-HALL/kiosk/", {"category": "A"})
            assert answer.status_code == 400 and "下次开放" in answer.content.decode()
        with clock.frozen(at(THURSDAY, 13)):
            assert client.post("/queue/T-HALL/kiosk/", {"category": "A"}).status_code == 302

    def test_the_api_refuses_with_the_code_and_the_next_opening(self, world, queue, api):
        with clock.frozen(at(THURSDAY, 7, 30)):
            answer = api(world.alice).post("/tickets", {"hall": "T-HALL", "category": "A"})
        assert answer.status_code == 409 and answer.json()["code"] == "queue.hall_closed"
        assert answer.json()["details"]["next_opening"] == "2026-11-26T09:00:00+08:00"

    def test_a_hall_without_hours_is_closed(self, world, queue):
        HallOpeningHours.objects.filter(hall=world.hall).delete()
        with clock.frozen(at(THURSDAY, 10)):
            error = refused(lambda: services.take_ticket(world.hall, queue["A"], by=None))
        assert error.code == "queue.hall_closed" and "尚未设置办公时间" in error.message
