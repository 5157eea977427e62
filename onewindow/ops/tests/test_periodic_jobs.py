"""The periodic jobs (ops/periodic.py), one list for `manage.py periodic` and the worker:
tomorrow's appointments are reminded once each from the reminder hour on; a failing job does not
stop the others; the worker runs the jobs and delivers what they queue."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from onewindow import clock
from onewindow.notify.models import Event, Message
from onewindow.ops import periodic
from onewindow.personas import new_user
from onewindow.queueing.models import Appointment, Category

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 2)
TUESDAY = MONDAY + dt.timedelta(days=1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.hall_tz())


@pytest.fixture
def booking(world):
    """book(user, day, code, status) → an appointment of 企业开办 at 09:00-10:00."""
    category = Category.objects.create(hall=world.hall, letter="A", name="企业开办")

    def book(user, day=TUESDAY, code="ABCD2345", status=Appointment.Status.BOOKED):
        return Appointment.objects.create(hall=world.hall, category=category, user=user, day=day, start=dt.time(9),
                                          end=dt.time(10), code=code, booked_at=at(MONDAY, 8), status=status)  # fmt: skip

    return book


def test_tomorrows_appointments_are_reminded_once_from_the_reminder_hour(world, booking, settings):
    settings.ONEWINDOW_APPOINTMENT_REMINDER_HOUR = 16
    booking(world.alice)
    with clock.frozen(at(MONDAY, 15, 59)):
        assert periodic.remind_appointments() == 0  # not in the morning of the day before
    with clock.frozen(at(MONDAY, 16)):
        assert periodic.remind_appointments() == 1
    with clock.frozen(at(MONDAY, 16, 1)):
        assert periodic.remind_appointments() == 0  # the next minute's run queues nothing again
    message = Message.objects.get()
    assert message.key == "appointment:ABCD2345:reminder" and message.event == Event.APPOINTMENT_REMINDER
    assert message.phone == "13912345678" and message.hall_id == world.hall.pk
    assert "11月3日" in message.text and "09:00-10:00" in message.text and "ABCD2345" in message.text


def test_only_booked_appointments_of_people_with_a_mobile_are_reminded(world, booking):
    bob = new_user("bob", "鲍勃")  # booked without an applicant record: no phone known
    booking(bob, code="BOB23456")
    booking(world.alice, code="CANCEL23", status=Appointment.Status.CANCELLED)
    booking(world.alice, day=TUESDAY + dt.timedelta(days=1), code="LATER234")  # the day after tomorrow
    with clock.frozen(at(MONDAY, 18)):
        assert periodic.remind_appointments() == 0
    assert not Message.objects.exists()


def test_a_failing_job_does_not_stop_the_others(monkeypatch, world):
    def broken():
        raise RuntimeError("supervision sweep failed")

    ran = []
    monkeypatch.setattr(periodic, "JOBS", [("broken", "坏任务", "件", broken),
                                           ("fine", "好任务", "件", lambda: ran.append(1) or 2)])  # fmt: skip
    results = periodic.run_jobs()
    assert results == {"broken": None, "fine": 2} and ran == [1]
    assert periodic.summary(results) == "坏任务：失败；好任务：2 件"
    with pytest.raises(CommandError, match="broken"):
        call_command("periodic")


def test_a_slow_job_is_logged_as_a_warning_with_its_time(monkeypatch, world, caplog):
    monkeypatch.setattr(
        periodic, "JOBS", [("quick", "快任务", "件", lambda: 1), ("slow", "慢任务", "件", lambda: 2)]
    )
    ticks = iter([0.0, 0.5, 10.0, 40.0])  # quick: 0.5 s; slow: 30 s
    monkeypatch.setattr(periodic, "timer", lambda: next(ticks))
    monkeypatch.setattr(periodic, "SLOW_SECONDS", 20.0)
    with caplog.at_level("DEBUG", logger="onewindow.periodic"):
        assert periodic.run_jobs() == {"quick": 1, "slow": 2}
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warned == ["定时任务“慢任务”用时 30.00 秒"]
    assert "定时任务“快任务”用时 0.50 秒" in [r.getMessage() for r in caplog.records]


def test_the_worker_runs_the_jobs_and_delivers_what_they_queue(world, submitted, settings, capsys):
    settings.ONEWINDOW_SMS_BACKEND = "console"
    with clock.frozen(MONDAY):
        case = submitted()
    with clock.frozen(MONDAY + dt.timedelta(days=8)):  # art. 32: 5 working days without an answer
        call_command("worker", "--once")
    case.refresh_from_db()
    assert case.status == "in_review"
    # (accepted as of its receipt, it is already overdue: supervision's 督办 goes to the head too)
    message = Message.objects.get(subject_kind="case", subject_key=case.number, event=Event.ACCEPTED)
    assert message.state == Message.State.SENT


def test_the_periodic_command_prints_every_job(world, capsys):
    call_command("periodic")
    out = capsys.readouterr().out
    assert "逾期未答复视为受理：0 件" in out and "预约爽约：0 个" in out and "预约提醒短信：0 条" in out
