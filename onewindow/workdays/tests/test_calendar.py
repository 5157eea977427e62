"""Working-day arithmetic on the real calendar (RULES.md; issue acceptance examples)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.errors import DomainError
from onewindow.workdays import calendar

pytestmark = pytest.mark.django_db

D = dt.date


def test_it_counts_five_working_days_over_national_day_2026():
    # 10-01…10-07 off, Saturday 10-10 an adjusted working day; the acceptance day not counted.
    assert calendar.add_workdays(D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_it_knows_adjusted_saturday_2026_02_14_is_a_working_day():
    assert calendar.is_workday(D(2026, 2, 14))
    assert not calendar.is_workday(D(2026, 2, 17))  # Spring Festival


def test_it_is_due_next_monday_for_five_days_from_a_plain_monday():
    assert calendar.add_workdays(D(2026, 11, 2), 5) == D(2026, 11, 9)


def test_it_counts_from_the_next_working_day_when_started_on_a_weekend():
    # Saturday 2026-11-07 + 1 working day = Monday 11-09.
    assert calendar.add_workdays(D(2026, 11, 7), 1) == D(2026, 11, 9)


def test_it_answers_2027_from_the_provisional_calendar():
    data = calendar.current()
    result = data.add_workdays(D(2027, 3, 1), 5)
    assert result == D(2027, 3, 8)
    assert data.is_provisional(result)
    assert not data.is_provisional(D(2026, 9, 30))
    assert not calendar.is_workday(D(2027, 10, 1))  # National Day, statutory


def test_it_refuses_a_year_the_calendar_does_not_know():
    with pytest.raises(DomainError) as err:
        calendar.add_workdays(D(2040, 1, 2), 1)
    assert err.value.code == "workdays.date_out_of_range"
    assert "2040" in err.value.message


def test_it_refuses_a_result_past_the_end_of_the_table():
    last = calendar.current().last
    with pytest.raises(DomainError) as err:
        calendar.add_workdays(last, 10)
    assert err.value.code == "workdays.date_out_of_range"


def test_it_counts_workdays_between_dates():
    assert calendar.workdays_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert calendar.workdays_between(D(2026, 10, 13), D(2026, 9, 30)) == -5
    assert calendar.workdays_between(D(2026, 10, 1), D(2026, 10, 7)) == 0


# The first days of 2004 precede the first working day of the table (ordinal 0).
dates = st.dates(min_value=D(2004, 2, 1), max_value=D(2028, 12, 31))
steps = st.integers(min_value=0, max_value=250)


@settings(max_examples=300, deadline=None)
@given(day=dates, n=steps)
def test_it_ties_add_between_and_seq_together(day, n):
    result = calendar.add_workdays(day, n)
    assert calendar.is_workday(result) or n == 0
    assert calendar.workdays_between(day, result) == n
    assert calendar.seq(result) == calendar.seq(day) + n
    if n > 0:
        assert result > day


@settings(max_examples=200, deadline=None)
@given(a=dates, b=dates)
def test_it_keeps_seq_monotonic_and_between_antisymmetric(a, b):
    if a <= b:
        assert calendar.seq(a) <= calendar.seq(b)
    assert calendar.workdays_between(a, b) == -calendar.workdays_between(b, a)


@settings(max_examples=200, deadline=None)
@given(day=dates, n=st.integers(min_value=1, max_value=60))
def test_it_agrees_with_a_naive_day_by_day_count(day, n):
    probe, counted = day, 0
    while counted < n:
        probe += dt.timedelta(days=1)
        counted += calendar.is_workday(probe)
    assert calendar.add_workdays(day, n) == probe
