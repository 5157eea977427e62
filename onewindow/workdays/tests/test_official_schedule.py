"""Hall management enters next year's official schedule (published each November)."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.errors import DomainError
from onewindow.workdays import calendar, services
from onewindow.workdays.models import Day

pytestmark = pytest.mark.django_db
D = dt.date

# An imagined official 2027 schedule: Spring Festival 8 days with two adjusted Sundays.
HOLIDAYS_2027 = [
    "2027-01-01~2027-01-03 元旦",
    "2027-02-05~2027-02-12 春节",
    "2027-04-03~2027-04-05 清明节",
    "2027-05-01~2027-05-05 劳动节",
    "2027-06-09 端午节",
    "2027-09-15 中秋节",
    "2027-10-01~2027-10-07 国庆节",
]
ADJUSTED_2027 = ["2027-02-14 春节", "2027-02-20 春节", "2027-09-26 国庆节", "2027-10-09 国庆节"]


def test_it_makes_the_year_official_and_moves_deadlines(world):
    # given a deadline computed on the provisional 2027 calendar
    assert calendar.add_workdays(D(2027, 2, 4), 3) == D(2027, 2, 11)
    # when the official schedule is entered
    changed = services.publish_official_year(
        2027, holidays=HOLIDAYS_2027, adjusted_workdays=ADJUSTED_2027, by=world.hall_admin
    )
    # then the year is official, ordinals follow, and the changed dates are returned
    assert not Day.objects.filter(date__year=2027, source=Day.Source.PROVISIONAL).exists()
    assert calendar.add_workdays(D(2027, 2, 4), 3) == D(2027, 2, 16)
    assert calendar.is_workday(D(2027, 2, 14))
    assert D(2027, 2, 9) in changed and D(2027, 2, 14) in changed and D(2027, 2, 6) not in changed
    assert not calendar.current().is_provisional(D(2027, 6, 1))
    # and the stored ordinals equal the in-memory ones (set-based recomputation)
    for day in (D(2027, 2, 4), D(2027, 2, 16), D(2028, 1, 3)):
        assert Day.objects.get(date=day).seq == calendar.seq(day)


def test_it_refuses_a_weekday_as_adjusted_workday_and_changes_nothing(world):
    before = list(Day.objects.filter(date__year=2027).values_list("date", "is_workday", "source"))
    with pytest.raises(DomainError) as err:
        services.publish_official_year(
            2027, holidays=HOLIDAYS_2027, adjusted_workdays=["2027-02-15 春节"], by=world.hall_admin
        )
    assert err.value.code == "workdays.adjusted_not_weekend"
    assert list(Day.objects.filter(date__year=2027).values_list("date", "is_workday", "source")) == before


@pytest.mark.parametrize(
    ("holidays", "code"),
    [
        (["2027-13-01 元旦"], "workdays.bad_date"),
        (["2028-01-01 元旦"], "workdays.bad_range"),
        ([], "workdays.no_holidays"),
    ],
)
def test_it_refuses_malformed_schedules(world, holidays, code):
    with pytest.raises(DomainError) as err:
        services.publish_official_year(2027, holidays=holidays, adjusted_workdays=[], by=world.hall_admin)
    assert err.value.code == code


def test_it_corrects_one_day_by_hand_and_records_it_manual(world):
    assert services.set_day(
        D(2026, 12, 31), is_workday=False, kind=Day.Kind.HOLIDAY, holiday_name="临时调整", by=world.hall_admin
    )
    assert not calendar.is_workday(D(2026, 12, 31))
    assert Day.objects.get(date=D(2026, 12, 31)).source == Day.Source.MANUAL


def test_it_warns_hall_admins_while_next_year_is_provisional(world, as_user):
    with clock.frozen(D(2026, 11, 26)):
        page = as_user(world.hall_admin).get("/staff/")
        assert "2027" in page.content.decode() and "临时日历" in page.content.decode()
        assert "临时日历" not in as_user(world.clerk).get("/staff/").content.decode()
        services.publish_official_year(
            2027, holidays=HOLIDAYS_2027, adjusted_workdays=ADJUSTED_2027, by=world.hall_admin
        )
        assert "临时日历" not in as_user(world.hall_admin).get("/staff/").content.decode()


def test_it_publishes_through_the_admin_form(world, as_user):
    world.hall_admin.is_staff = world.hall_admin.is_superuser = True
    world.hall_admin.save()
    client = as_user(world.hall_admin)
    page = client.get("/admin/workdays/day/publish/")
    assert page.status_code == 200
    bad = client.post(
        "/admin/workdays/day/publish/", {"year": 2027, "holidays": "2027-02-30 春节", "adjusted_workdays": ""}
    )
    assert bad.status_code == 200 and "无法识别的日期" in bad.content.decode()
    assert Day.objects.filter(date__year=2027, source=Day.Source.PROVISIONAL).exists()
    ok = client.post(
        "/admin/workdays/day/publish/",
        {"year": 2027, "holidays": "\n".join(HOLIDAYS_2027), "adjusted_workdays": "\n".join(ADJUSTED_2027)},
    )
    assert ok.status_code == 302
    assert not Day.objects.filter(date__year=2027, source=Day.Source.PROVISIONAL).exists()


def test_the_admin_calendar_opens_at_the_current_year_and_names_weekends(world, as_user):
    world.hall_admin.is_staff = world.hall_admin.is_superuser = True
    world.hall_admin.save()
    client = as_user(world.hall_admin)
    assert Day.objects.filter(date=D(2026, 12, 5), kind=Day.Kind.NORMAL, is_workday=False).exists()
    with clock.frozen(D(2026, 12, 2)):
        opened = client.get("/admin/workdays/day/")
    assert opened.status_code == 302 and opened["Location"].endswith("?date__year=2026")
    html = client.get("/admin/workdays/day/?date__year=2026&date__month=12").content.decode()
    assert "2026年12月5日" in html or "2026-12-05" in html
    assert "周末休息日" in html and 'field-day_type">正常<' not in html


def test_all_dates_in_the_admin_calendar_shows_every_year(world, as_user):
    """「全部日期」 used to come back to the current year: its link dropped every parameter, which
    read as the bare list (opened at this year)."""
    world.hall_admin.is_staff = world.hall_admin.is_superuser = True
    world.hall_admin.save()
    client = as_user(world.hall_admin)
    with clock.frozen(D(2026, 12, 2)):
        year = client.get("/admin/workdays/day/?date__year=2026").content.decode()
        assert 'href="?all=1" class="date-back"' in year
        every = client.get("/admin/workdays/day/?all=1")
    assert every.status_code == 200
    html = every.content.decode()
    # the year level of the hierarchy: a link per year, the first seeded one among them
    assert "?date__year=2004" in html and "?date__year=2027" in html
