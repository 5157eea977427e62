"""预约: Alice books a slot of 社会事务, cancels or comes to the hall, and is blocked after
repeated no-shows. Today is Monday 2026-09-21 08:00 unless a test says otherwise."""

import contextlib
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.queueing import appointments
from onewindow.queueing.models import Appointment, Category, Priority, SlotRule, Ticket

MONDAY = dt.date(2026, 9, 21)
TUESDAY = dt.date(2026, 9, 22)
SATURDAY = dt.date(2026, 9, 26)  # not a working day
NATIONAL_DAY = dt.date(2026, 10, 1)  # a Thursday, public holiday
NINE, TEN, ELEVEN = dt.time(9), dt.time(10), dt.time(11)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.hall_tz())


@pytest.fixture
def category(world):
    """社会事务 with two slots on every weekday; on non-working days nothing unless opened."""
    category = Category.objects.create(hall=world.hall, letter="B", name="社会事务")
    for weekday in range(7):
        SlotRule.objects.create(
            hall=world.hall, category=category, weekday=weekday, start=NINE, end=TEN, capacity=2
        )
        SlotRule.objects.create(hall=world.hall, category=category, weekday=weekday, start=TEN, end=ELEVEN, capacity=3)  # fmt: skip
    return category


@pytest.fixture
def monday_morning():
    with clock.frozen(at(MONDAY, 8)):
        yield


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as info:
        call()
    return info.value


@contextlib.contextmanager
def statements():
    """The SQL statements run inside the block, without the savepoints of nested transactions."""
    sql = []
    with CaptureQueriesContext(connection) as context:
        yield sql
    sql.extend(q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"])


def person(username: str) -> User:
    return User.objects.create_user(username=username, password="x", display_name=username)


@pytest.mark.usefixtures("monday_morning")
class TestBooking:
    def test_it_books_a_slot_and_the_free_count_goes_down(self, world, category):
        # when
        appointment = appointments.book(world.alice, world.hall, category, TUESDAY, NINE)
        # then
        assert appointment.status == Appointment.Status.BOOKED
        assert (appointment.start, appointment.end) == (NINE, TEN)
        assert len(appointment.code) == 8 and set(appointment.code) <= set(appointments.CODE_ALPHABET)
        day = appointments.slots(world.hall, category, TUESDAY)
        assert [(s["start"], s["capacity"], s["booked"], s["free"]) for s in day] == [
            (NINE, 2, 1, 1),
            (TEN, 3, 0, 3),
        ]

    def test_it_counts_the_slots_of_a_day_in_one_query(self, world, category):
        appointments.book(world.alice, world.hall, category, TUESDAY, TEN)
        appointments.book(world.outsider, world.hall, category, TUESDAY, TEN)
        # is_workday may reload the calendar: count once it is warm
        appointments.slots(world.hall, category, TUESDAY)
        with statements() as sql:
            day = appointments.slots(world.hall, category, TUESDAY)
        assert len(sql) == 2, sql  # the rules, the counts
        assert [s["free"] for s in day] == [2, 1]

    def test_it_refuses_a_day_without_that_slot_and_names_the_date(self, world, category):
        SlotRule.objects.filter(weekday=TUESDAY.weekday()).delete()
        error = refused(lambda: appointments.book(world.alice, world.hall, category, TUESDAY, NINE))
        assert error.code == "queue.no_slot" and "2026-09-22" in error.message
        assert appointments.slots(world.hall, category, TUESDAY) == []
        error = refused(lambda: appointments.book(world.alice, world.hall, category, MONDAY, dt.time(14)))
        assert error.code == "queue.no_slot" and "2026-09-21" in error.message and "14:00" in error.message
        assert not Appointment.objects.exists()

    def test_it_refuses_weekends_and_holidays_unless_the_hall_opens_them(self, world, category):
        for day in (SATURDAY, NATIONAL_DAY):
            error = refused(lambda d=day: appointments.book(world.alice, world.hall, category, d, NINE))
            assert error.code == "queue.no_slot" and str(day) in error.message
            assert appointments.slots(world.hall, category, day) == []
        SlotRule.objects.filter(weekday=NATIONAL_DAY.weekday(), start=NINE).update(on_non_working_days=True)
        assert [s["start"] for s in appointments.slots(world.hall, category, NATIONAL_DAY)] == [NINE]
        appointment = appointments.book(world.alice, world.hall, category, NATIONAL_DAY, NINE)
        assert appointment.day == NATIONAL_DAY

    def test_it_books_a_sunday_that_is_a_make_up_working_day(self, world, category):
        with clock.frozen(at(dt.date(2026, 9, 19), 8)):
            appointment = appointments.book(world.alice, world.hall, category, dt.date(2026, 9, 20), NINE)
        assert appointment.day.weekday() == 6

    def test_it_refuses_the_past_a_started_slot_and_beyond_the_window(self, world, category):
        last = MONDAY + dt.timedelta(days=appointments.BOOKING_DAYS_AHEAD)
        for day, start in [(MONDAY - dt.timedelta(days=1), NINE), (last + dt.timedelta(days=1), NINE)]:
            error = refused(lambda d=day, s=start: appointments.book(world.alice, world.hall, category, d, s))
            assert error.code == "queue.booking_window" and str(day) in error.message
        with clock.frozen(at(MONDAY, 9, 1)):
            error = refused(lambda: appointments.book(world.alice, world.hall, category, MONDAY, NINE))
            assert error.code == "queue.booking_window"
            assert appointments.book(world.alice, world.hall, category, MONDAY, TEN).day == MONDAY

    def test_it_books_the_last_day_of_the_window(self, world, category):
        last = MONDAY + dt.timedelta(days=appointments.BOOKING_DAYS_AHEAD)
        assert calendar_is_workday(last)
        assert appointments.book(world.alice, world.hall, category, last, NINE).day == last

    def test_one_active_booking_per_person_per_category(self, world, category):
        appointments.book(world.alice, world.hall, category, TUESDAY, NINE)
        error = refused(lambda: appointments.book(world.alice, world.hall, category, TUESDAY, TEN))
        assert error.code == "queue.already_booked" and "社会事务" in error.message
        other = Category.objects.create(hall=world.hall, letter="A", name="企业开办")
        SlotRule.objects.create(hall=world.hall, category=other, weekday=1, start=NINE, end=TEN, capacity=1)
        appointments.book(world.alice, world.hall, other, TUESDAY, NINE)
        assert Appointment.objects.filter(user=world.alice).count() == 2

    def test_the_database_refuses_a_second_active_booking_too(self, world, category, monkeypatch):
        appointments.book(world.alice, world.hall, category, TUESDAY, NINE)
        # as if a concurrent booking had passed the check at the same moment: the constraint decides
        answers = iter([False, True])
        monkeypatch.setattr(appointments, "_has_active_booking", lambda user, category: next(answers))
        error = refused(lambda: appointments.book(world.alice, world.hall, category, TUESDAY, TEN))
        assert error.code == "queue.already_booked"
        assert Appointment.objects.filter(user=world.alice).count() == 1

    def test_a_full_slot_is_refused(self, world, category):
        appointments.book(world.alice, world.hall, category, TUESDAY, NINE)
        appointments.book(world.outsider, world.hall, category, TUESDAY, NINE)
        error = refused(lambda: appointments.book(world.clerk, world.hall, category, TUESDAY, NINE))
        assert error.code == "queue.slot_full" and error.status == 409
        assert Appointment.objects.count() == 2


@pytest.mark.usefixtures("monday_morning")
class TestOpenDays:
    """The days offered as one-tap choices (近期可预约的日期): nobody guesses a date."""

    def test_it_offers_the_next_days_with_a_free_place_skipping_weekends_full_and_started(
        self, world, category
    ):
        # Tuesday's 09:00 (2 places) and 10:00 (3 places) are all taken
        for n, start in enumerate([NINE, NINE, TEN, TEN, TEN]):
            appointments.book(person(f"p{n}"), world.hall, category, TUESDAY, start)
        with clock.frozen(at(MONDAY, 9, 30)):  # Monday's 09:00 has started: 3 places left at 10:00
            days = appointments.open_days(world.hall, category, MONDAY, limit=4)
        assert [(d["day"], d["free"]) for d in days] == [
            (MONDAY, 3),
            (dt.date(2026, 9, 23), 5),
            (dt.date(2026, 9, 24), 5),
            (dt.date(2026, 9, 28), 5),
        ]  # Tuesday full; Friday 25th is 中秋节, Saturday and Sunday are not working days
        # a weekend slot the hall opens is offered; a holiday (国庆) is skipped
        SlotRule.objects.filter(weekday=SATURDAY.weekday(), start=NINE).update(on_non_working_days=True)
        days = appointments.open_days(world.hall, category, dt.date(2026, 9, 24), limit=3)
        assert [(d["day"], d["free"]) for d in days] == [
            (dt.date(2026, 9, 24), 5), (SATURDAY, 2), (dt.date(2026, 9, 28), 5),
        ]  # fmt: skip
        assert NATIONAL_DAY not in [
            d["day"] for d in appointments.open_days(world.hall, category, NATIONAL_DAY)
        ]

    def test_it_ends_at_the_booking_window_and_counts_in_three_queries(self, world, category):
        last = MONDAY + dt.timedelta(days=appointments.BOOKING_DAYS_AHEAD)
        days = appointments.open_days(world.hall, category, MONDAY, limit=100)
        assert days[-1]["day"] <= last and len(days) >= 15
        assert appointments.open_days(world.hall, category, last + dt.timedelta(days=1)) == []
        appointments.open_days(world.hall, category, MONDAY)  # the calendar warm
        with statements() as sql:
            appointments.open_days(world.hall, category, MONDAY, limit=100)
        assert len(sql) == 2, sql  # the rules, the counts (the calendar is in memory)

    def test_a_started_slot_is_shown_as_started(self, world, category):
        with clock.frozen(at(MONDAY, 9, 1)):
            day = appointments.slots(world.hall, category, MONDAY)
        assert [(s["start"], s["started"]) for s in day] == [(NINE, True), (TEN, False)]


def calendar_is_workday(day):
    from onewindow.workdays import calendar

    return calendar.is_workday(day)


@pytest.mark.usefixtures("monday_morning")
class TestCancel:
    def test_cancelling_frees_the_place(self, world, category):
        appointments.book(world.alice, world.hall, category, TUESDAY, NINE)
        mine = appointments.book(world.outsider, world.hall, category, TUESDAY, NINE)
        assert appointments.slots(world.hall, category, TUESDAY)[0]["free"] == 0
        appointments.cancel(mine, by=world.outsider)
        assert mine.status == Appointment.Status.CANCELLED
        assert appointments.slots(world.hall, category, TUESDAY)[0]["free"] == 1
        appointments.book(world.clerk, world.hall, category, TUESDAY, NINE)
        # and the person may book again
        appointments.book(world.outsider, world.hall, category, TUESDAY, TEN)

    def test_only_the_person_or_hall_staff_may_cancel(self, world, category):
        appointment = appointments.book(world.alice, world.hall, category, TUESDAY, NINE)
        error = refused(lambda: appointments.cancel(appointment, by=world.outsider))
        assert error.code == "queue.not_your_appointment" and error.status == 403
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.BOOKED
        appointments.cancel(appointment, by=world.clerk)
        assert appointment.status == Appointment.Status.CANCELLED

    def test_it_refuses_to_cancel_twice_or_after_the_start(self, world, category):
        appointment = appointments.book(world.alice, world.hall, category, MONDAY, NINE)
        with clock.frozen(at(MONDAY, 9)):
            error = refused(lambda: appointments.cancel(appointment, by=world.alice))
        assert error.code == "queue.cancel_too_late"
        appointments.cancel(appointment, by=world.alice)
        error = refused(lambda: appointments.cancel(appointment, by=world.alice))
        assert error.code == "queue.appointment_state"


class TestNoShows:
    def _no_show(self, world, category, day):
        with clock.frozen(at(day - dt.timedelta(days=1), 8)):
            appointments.book(world.alice, world.hall, category, day, NINE)
        with clock.frozen(at(day, 12)):
            assert appointments.mark_no_shows(day) == 1

    def test_mark_no_shows_turns_ended_bookings_of_the_day_in_one_update(self, world, category):
        with clock.frozen(at(MONDAY, 8)):
            early = appointments.book(world.alice, world.hall, category, MONDAY, NINE)
            late = appointments.book(world.outsider, world.hall, category, MONDAY, TEN)
            arrived = appointments.book(world.clerk, world.hall, category, MONDAY, NINE)
            appointments.arrive(arrived.code, world.hall)
        with clock.frozen(at(MONDAY, 10, 30)), statements() as sql:
            assert appointments.mark_no_shows(MONDAY) == 1
        assert len(sql) == 1 and sql[0].startswith("UPDATE"), sql
        statuses = dict(Appointment.objects.values_list("pk", "status"))
        assert statuses == {early.pk: "no_show", late.pk: "booked", arrived.pk: "arrived"}

    def test_three_no_shows_in_30_days_block_booking_for_30_days(self, world, category):
        for day in (dt.date(2026, 9, 1), dt.date(2026, 9, 10), dt.date(2026, 9, 21)):
            self._no_show(world, category, day)
        with clock.frozen(at(dt.date(2026, 10, 20), 8)):
            error = refused(
                lambda: appointments.book(world.alice, world.hall, category, dt.date(2026, 10, 21), NINE)
            )
        assert error.code == "queue.booking_blocked" and "2026-10-21" in error.message
        with clock.frozen(at(dt.date(2026, 10, 21), 8)):
            appointments.book(world.alice, world.hall, category, dt.date(2026, 10, 22), NINE)

    def test_no_shows_spread_over_more_than_30_days_do_not_block(self, world, category):
        for day in (dt.date(2026, 8, 20), dt.date(2026, 9, 10), dt.date(2026, 9, 21)):
            self._no_show(world, category, day)
        assert Appointment.objects.filter(user=world.alice, status=Appointment.Status.NO_SHOW).count() == 3
        with clock.frozen(at(dt.date(2026, 9, 22), 8)):
            booked = appointments.book(world.alice, world.hall, category, dt.date(2026, 9, 23), NINE)
            assert appointments.blocked_until(world.alice, dt.date(2026, 9, 22)) is None
        assert booked.status == Appointment.Status.BOOKED


@pytest.mark.usefixtures("monday_morning")
class TestArrive:
    def test_arriving_makes_a_priority_ticket_linked_to_the_booking(self, world, category):
        appointment = appointments.book(world.alice, world.hall, category, MONDAY, TEN)
        ticket = appointments.arrive(f" {appointment.code.lower()} ", world.hall)
        assert ticket.priority == Priority.APPOINTMENT and ticket.category == category
        assert ticket.applicant == world.alice_applicant and ticket.status == Ticket.Status.WAITING
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.ARRIVED and appointment.ticket == ticket
        assert appointments.slots(world.hall, category, MONDAY)[1]["booked"] == 1

    def test_arriving_late_is_still_served(self, world, category):
        appointment = appointments.book(world.outsider, world.hall, category, MONDAY, NINE)
        with clock.frozen(at(MONDAY, 15)):
            ticket = appointments.arrive(appointment.code, world.hall)
        assert ticket.applicant is None and ticket.priority == Priority.APPOINTMENT

    def test_it_refuses_another_day_a_cancelled_or_used_code(self, world, category):
        tomorrow = appointments.book(world.alice, world.hall, category, TUESDAY, NINE)
        error = refused(lambda: appointments.arrive(tomorrow.code, world.hall))
        assert error.code == "queue.appointment_not_today"
        appointments.cancel(tomorrow, by=world.alice)
        error = refused(lambda: appointments.arrive(tomorrow.code, world.hall))
        assert error.code == "queue.appointment_state" and "已取消" in error.message
        today = appointments.book(world.alice, world.hall, category, MONDAY, NINE)
        appointments.arrive(today.code, world.hall)
        error = refused(lambda: appointments.arrive(today.code, world.hall))
        assert error.code == "queue.appointment_state"
        assert refused(lambda: appointments.arrive(today.code, world.other_hall)).status == 404
        assert Ticket.objects.count() == 1


@pytest.mark.usefixtures("monday_morning")
def test_reminders_are_due_for_the_next_days_bookings(world, category):
    tomorrow = appointments.book(world.alice, world.hall, category, TUESDAY, NINE)
    appointments.book(world.outsider, world.hall, category, MONDAY, TEN)
    cancelled = appointments.book(world.clerk, world.hall, category, TUESDAY, TEN)
    appointments.cancel(cancelled, by=world.clerk)
    assert list(appointments.reminders_due(MONDAY)) == [tomorrow]


@pytest.mark.django_db(transaction=True)
def test_ten_people_booking_a_slot_of_three_at_once_get_exactly_three_places(world, category):
    # given
    SlotRule.objects.filter(start=NINE).update(capacity=3)
    people = [person(f"citizen{i}") for i in range(10)]
    # when
    with clock.frozen(at(MONDAY, 8)):
        results = run_together(
            *[lambda p=p: appointments.book(p, world.hall, category, TUESDAY, NINE) for p in people]
        )
    # then
    booked = [r for r in results if isinstance(r, Appointment)]
    full = [r for r in results if isinstance(r, DomainError) and r.code == "queue.slot_full"]
    assert (len(booked), len(full)) == (3, 7), results
    assert Appointment.objects.filter(day=TUESDAY, start=NINE).count() == 3


class TestPages:
    """The portal pages, called directly (the lead wires their URLs)."""

    def _call(self, view, user, method="get", data=None, **kwargs):
        from django.contrib.auth.models import AnonymousUser
        from django.test import RequestFactory

        request = getattr(RequestFactory(), method)("/appointments/", data or {})
        request.user = user or AnonymousUser()
        return view(request, **kwargs)

    def test_it_lists_the_free_slots_and_books_one(self, world, category):
        from onewindow.queueing import appointment_views as views

        with clock.frozen(at(MONDAY, 8)):
            page = self._call(views.appointments_page, None, data={"category": category.pk, "day": "2026-09-22"},
                              hall_code=world.hall.code)  # fmt: skip
            assert page.status_code == 200 and "余 2 / 2" in page.content.decode()
            page = self._call(views.appointments_page, world.alice, "post", hall_code=world.hall.code,
                              data={"category": category.pk, "day": "2026-09-22", "start": "09:00"})  # fmt: skip
        appointment = Appointment.objects.get(user=world.alice)
        assert page.status_code == 200 and appointment.code in page.content.decode()

    def test_it_shows_a_refusal_inline_in_chinese(self, world, category):
        from onewindow.queueing import appointment_views as views

        with clock.frozen(at(MONDAY, 8)):
            page = self._call(views.appointments_page, world.alice, "post", hall_code=world.hall.code,
                              data={"category": category.pk, "day": "2026-09-26", "start": "09:00"})  # fmt: skip
        assert page.status_code == 400 and "2026-09-26 没有 09:00 开始的可预约时段" in page.content.decode()
        assert not Appointment.objects.exists()

    def test_an_anonymous_booking_is_sent_to_the_login(self, world, category):
        from onewindow.queueing import appointment_views as views

        page = self._call(views.appointments_page, None, "post", hall_code=world.hall.code,
                          data={"category": category.pk, "day": "2026-09-22", "start": "09:00"})  # fmt: skip
        assert page.status_code == 302 and not Appointment.objects.exists()

    def test_my_appointments_cancels_only_my_own(self, world, category):
        from django.http import Http404

        from onewindow.queueing import appointment_views as views

        with clock.frozen(at(MONDAY, 8)):
            appointment = appointments.book(world.alice, world.hall, category, TUESDAY, NINE)
            with pytest.raises(Http404):
                self._call(
                    views.my_appointments, world.outsider, "post", data={"appointment": appointment.pk}
                )
            page = self._call(
                views.my_appointments, world.alice, "post", data={"appointment": appointment.pk}
            )
        assert page.status_code == 200 and "已取消预约" in page.content.decode()
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.CANCELLED
