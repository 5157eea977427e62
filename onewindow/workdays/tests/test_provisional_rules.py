"""Provisional years follow the statutory holiday rules in force since 2025."""

import datetime as dt

import chinese_calendar
import pytest

from onewindow.workdays import services
from onewindow.workdays.models import Day

D = dt.date


def test_it_derives_2027_holidays_from_the_rules():
    days = services.statutory_holidays(2027)
    assert len(days) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3, no overlap in 2027
    # 除夕 2027 is 02-05 (Spring Festival 02-06): four days from New Year's Eve.
    assert [d for d, name in days.items() if name == "春节"] == [
        D(2027, 2, 5),
        D(2027, 2, 6),
        D(2027, 2, 7),
        D(2027, 2, 8),
    ]
    assert days[D(2027, 4, 5)] == "清明节"
    assert days[D(2027, 6, 9)] == "端午节"
    assert days[D(2027, 9, 15)] == "中秋节"
    assert {D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3)} <= set(days)


@pytest.mark.parametrize("year", [2025, 2026])
def test_it_matches_the_official_schedule_of_years_under_the_same_rules(year):
    """Every statutory day the rules give is a day off in the State Council's schedule."""
    official_off = {d for d in chinese_calendar.holidays if d.year == year}
    assert set(services.statutory_holidays(year)) <= official_off


@pytest.mark.django_db
def test_it_marks_generated_years_provisional_and_official_years_official():
    assert Day.objects.filter(date=D(2027, 5, 1)).values_list("source", "is_workday").get() == (
        Day.Source.PROVISIONAL,
        False,
    )
    assert Day.objects.filter(date=D(2026, 10, 10)).values_list("source", "kind").get() == (
        Day.Source.OFFICIAL,
        Day.Kind.ADJUSTED_WORKDAY,
    )
    # no guessed 调休: a provisional year has no adjusted working days
    assert not Day.objects.filter(date__year=2027, kind=Day.Kind.ADJUSTED_WORKDAY).exists()
