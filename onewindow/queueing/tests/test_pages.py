"""The kiosk, the ticket page, the clerk's console and the display's cheap state endpoint."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.queueing import services
from onewindow.queueing.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("open_hall")]


def test_the_kiosk_issues_a_ticket_and_shows_the_place_in_the_queue(world, queue, client):
    with clock.frozen(clock.now() - dt.timedelta(minutes=5)):
        services.issue_ticket(world.hall, queue["A"])
    answer = client.post("/queue/T-HALL/kiosk/", {"category": "A"})
    assert answer.status_code == 302 and answer["Location"] == "/queue/T-HALL/ticket/A002/"
    page = client.get(answer["Location"]).content.decode()
    assert 'data-testid="ahead">1<' in page and "data:image/svg+xml" in page


def test_the_kiosk_refuses_a_wrong_id_number_and_issues_nothing(world, queue, client):
    answer = client.post("/queue/T-HALL/kiosk/", {"category": "A", "id_number": "371402199001011234"})
    assert answer.status_code == 400 and "身份证号码" in answer.content.decode()
    assert not Ticket.objects.exists()


def test_the_display_state_answers_304_until_someone_is_called(world, queue, client, as_user):
    services.issue_ticket(world.hall, queue["A"])
    assert client.get("/queue/T-HALL/display/state/?since=0").status_code == 304
    clerk = as_user(world.clerk)
    assert clerk.post("/staff/queue/call-next/", {"window": "01"}).status_code == 302
    board = client.get("/queue/T-HALL/display/state/?since=0")
    assert board.status_code == 200 and "请A001号到01号窗口办理" in board.content.decode()
    last = Ticket.objects.get().calls.get().pk
    assert client.get(f"/queue/T-HALL/display/state/?since={last}").status_code == 304


def test_the_display_shows_the_current_call_as_large_text_in_a_live_region(world, queue, client, as_user):
    # before any call: the live region is there, waiting (issue 23: the deaf read what is spoken)
    page = client.get("/queue/T-HALL/display/").content.decode()
    assert 'aria-live="assertive"' in page and 'id="now-calling"' in page and "请留意叫号" in page
    services.issue_ticket(world.hall, queue["A"])
    as_user(world.clerk).post("/staff/queue/call-next/", {"window": "01"})
    # the poll's answer changes the live region's words out of band, the region itself stays
    state = client.get("/queue/T-HALL/display/state/?since=0").content.decode()
    assert (
        '<div id="now-calling" hx-swap-oob="innerHTML"><p class="sentence">请A001号到01号窗口办理</p>'
        in state
    )
    # and a display opened after the call shows it at once
    page = client.get("/queue/T-HALL/display/").content.decode()
    assert '<p class="sentence">请A001号到01号窗口办理</p>' in page


def test_the_kiosk_offers_to_read_itself_aloud(world, queue, client):
    page = client.get("/queue/T-HALL/kiosk/").content.decode()
    assert 'data-read-aloud data-testid="read-aloud"' in page and "/static/queueing/speech.js" in page
    assert 'data-speak="A，企业开办"' in page and 'data-speak="B，社会事务"' in page
    assert '<label for="appointment_code">预约码</label>' in page


def test_the_console_calls_starts_and_finishes(world, queue, as_user):
    services.issue_ticket(world.hall, queue["A"])
    clerk = as_user(world.clerk)
    clerk.post("/staff/queue/call-next/", {"window": "01"})
    assert "A001" in clerk.get("/staff/queue/?window=01").content.decode()
    clerk.post("/staff/queue/start/", {"window": "01", "number": "A001"})
    clerk.post("/staff/queue/finish/", {"window": "01", "number": "A001", "cases": "371400-20261126-000001"})
    ticket = Ticket.objects.get()
    assert ticket.status == "done" and ticket.case_numbers == ["371400-20261126-000001"]
    empty = clerk.post("/staff/queue/call-next/", {"window": "01"}, follow=True)
    assert "当前没有等候的号" in empty.content.decode()


def test_reviewers_have_no_console(world, queue, as_user):
    assert as_user(world.reviewer_a).get("/staff/queue/").status_code == 403


def test_the_figures_page_shows_the_week_and_the_advice(world, queue, as_user):
    services.issue_ticket(world.hall, queue["A"])
    services.call_next(world.window_1, by=world.clerk)
    page = as_user(world.supervisor).get("/staff/queue-figures/?by=window")
    html = page.content.decode()
    assert page.status_code == 200 and "01号窗口" in html and 'id="hourly-data"' in html
    assert as_user(world.clerk).get("/staff/queue-figures/").status_code == 403


def test_an_appointment_checks_in_at_the_kiosk_as_a_priority_ticket(world, queue, as_user, client):
    from onewindow.queueing import appointments
    from onewindow.queueing.models import SlotRule

    SlotRule.objects.create(hall=world.hall, category=queue["A"], weekday=3, start=dt.time(10), end=dt.time(11),
                            capacity=2)  # fmt: skip
    with clock.frozen(dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)):  # Wednesday, 16:00 in the hall
        booking = appointments.book(world.alice, world.hall, queue["A"], dt.date(2026, 11, 26), dt.time(10))
    with clock.frozen(dt.datetime(2026, 11, 26, 1, 50, tzinfo=dt.UTC)):  # Thursday 09:50
        services.issue_ticket(world.hall, queue["A"])
        answer = client.post("/queue/T-HALL/kiosk/", {"appointment_code": booking.code.lower()})
        assert answer.status_code == 302
        assert Ticket.objects.get(number="A002").priority == "appointment"
        assert services.call_next(world.window_1, by=world.clerk).number == "A002"
    page = as_user(world.alice).get("/queue/T-HALL/appointments/")
    assert page.status_code == 200


def test_the_tickets_qr_code_opens_the_public_address_not_the_request_host(world, queue, client, settings,
                                                                           monkeypatch):  # fmt: skip
    """The kiosk reaches the server at an inside address; the citizen's phone needs the public one."""
    from onewindow.queueing import views

    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn"
    ticket = services.issue_ticket(world.hall, queue["A"])
    encoded = []
    monkeypatch.setattr(views.qr, "data_uri", lambda text: encoded.append(text) or "data:,")
    assert client.get(f"/queue/T-HALL/ticket/{ticket.number}/").status_code == 200
    assert encoded == [f"https://zwfw.example.gov.cn/queue/T-HALL/ticket/{ticket.number}/"]


def test_the_appointment_page_offers_the_next_open_days_and_marks_a_started_slot(world, queue, client):
    """On a Sunday the chosen day has no slot: the page lists the next days that have one, each a
    link, so an older citizen never has to guess a date (issue 23)."""
    from onewindow.queueing.models import SlotRule

    for weekday in range(7):
        SlotRule.objects.create(hall=world.hall, category=queue["A"], weekday=weekday, start=dt.time(9),
                                end=dt.time(10), capacity=2)  # fmt: skip
    category = queue["A"].pk
    with clock.frozen(dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)):  # Sunday 10:00 in the hall
        page = client.get(f"/queue/T-HALL/appointments/?category={category}").content.decode()
    assert "2026年11月29日 没有可预约的时段，请选择上面列出的其他日期" in page
    assert f'href="?category={category}&day=2026-11-30">11月30日 星期一（余2）</a>' in page
    with clock.frozen(dt.datetime(2026, 11, 30, 1, 30, tzinfo=dt.UTC)):  # Monday 09:30: 09:00 has started
        page = client.get(f"/queue/T-HALL/appointments/?category={category}").content.decode()
    assert '<span class="badge">已开始</span>' in page and ">预约</button>" not in page
    assert "11月30日" not in page.split('data-testid="appointment-days"')[1].split("</div>")[0]
