"""Staffing advice: Erlang C checked against a published example and the explicit formula,
then a week's plan drawn from the tickets of past weeks."""

import datetime as dt
import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow import clock
from onewindow.queueing import advisor
from onewindow.queueing.models import Category, Ticket


def explicit_erlang_c(traffic: float, servers: int) -> float:
    """The textbook formula with its factorials, in exact arithmetic (small cases only)."""
    a = Fraction(traffic)
    top = a**servers / math.factorial(servers) * Fraction(servers) / (servers - a)
    bottom = sum(a**k / math.factorial(k) for k in range(servers)) + top
    return float(top / bottom)


def test_it_matches_the_call_centre_helper_worked_example():
    """Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
    (callcentrehelper.com): 100 calls per 30 minutes, average handling time 180 s, target 80 %
    answered within 20 s. Traffic A = 200/h × 3 min = 10 erlangs; with 11 agents the article
    finds P(wait) = 0.6821 and a service level of 39.0 %, and it needs 14 agents for 80 %
    (13 give 79.6 %, 14 give 88.8 % — re-derived below with the factorial formula)."""
    assert advisor.erlang_c(10, 11) == pytest.approx(0.6821, abs=5e-5)
    assert advisor.service_level(200, 3, 11, target_wait_minutes=20 / 60) == pytest.approx(0.390, abs=5e-4)
    assert advisor.service_level(200, 3, 13, target_wait_minutes=20 / 60) == pytest.approx(0.796, abs=5e-4)
    assert advisor.service_level(200, 3, 14, target_wait_minutes=20 / 60) == pytest.approx(0.888, abs=5e-4)
    assert advisor.servers_needed(200, 3, target_wait_minutes=20 / 60, goal=0.8) == 14
    for servers in (11, 12, 13, 14):
        assert advisor.erlang_c(10, servers) == pytest.approx(explicit_erlang_c(10, servers), rel=1e-12)


def test_one_window_is_the_m_m_1_queue():
    # M/M/1: P(wait) = ρ and P(W ≤ t) = 1 − ρ·e^{−(μ − λ)t} (any queueing text).
    assert advisor.erlang_c(0.75, 1) == pytest.approx(0.75)
    assert advisor.service_level(3, 15, 1, 10) == pytest.approx(1 - 0.75 * math.exp(-0.25 * 10 / 15))


@given(
    traffic=st.floats(min_value=0.01, max_value=60, allow_nan=False),
    extra=st.integers(min_value=0, max_value=30),
)
def test_the_recursion_equals_the_factorial_formula(traffic, extra):
    servers = math.floor(traffic) + 1 + extra
    assert advisor.erlang_c(traffic, servers) == pytest.approx(explicit_erlang_c(traffic, servers), rel=1e-9)


def test_it_stays_finite_where_factorials_overflow():
    # 1000! has 2,568 digits; a float holds 308. The recursion never forms it.
    probability = advisor.erlang_c(950, 1000)
    assert 0 < probability < 1
    assert advisor.servers_needed(19_000, 3, target_wait_minutes=1) > 950


def test_overload_and_no_arrivals():
    assert advisor.erlang_c(5, 5) == 1.0
    assert advisor.service_level(60, 5, 5, 15) == 0.0
    assert advisor.servers_needed(0, 10) == 0
    assert advisor.servers_needed(10, 0) == 0


@given(
    low=st.floats(min_value=0, max_value=300, allow_nan=False),
    more=st.floats(min_value=0, max_value=300, allow_nan=False),
    service=st.floats(min_value=0.5, max_value=45, allow_nan=False),
)
def test_more_arrivals_never_need_fewer_windows(low, more, service):
    assert advisor.servers_needed(low, service) <= advisor.servers_needed(low + more, service)


@given(rate=st.floats(min_value=0.1, max_value=300, allow_nan=False))
def test_the_answer_is_the_fewest_windows_that_meet_the_goal(rate):
    servers = advisor.servers_needed(rate, 12, target_wait_minutes=15, goal=0.8)
    traffic = rate * 12 / 60
    assert servers > traffic
    assert advisor.service_level(rate, 12, servers, 15) >= 0.8
    if servers - 1 > traffic:
        assert advisor.service_level(rate, 12, servers - 1, 15) < 0.8


# The plan: two weeks before Monday 2026-03-16, hall time.
TODAY = dt.date(2026, 3, 16)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.hall_tz())


def _ticket(world, category, number, issued, status=Ticket.Status.WAITING, service_minutes=None):
    times = {}
    if service_minutes is not None:
        times = {
            "called_at": issued,
            "started_at": issued,
            "finished_at": issued + dt.timedelta(minutes=service_minutes),
        }
    day = issued.astimezone(clock.hall_tz()).date()
    return Ticket.objects.create(
        hall=world.hall, region_code=world.hall.region_id, category=category, day=day, number=number,
        issued_at=issued, queued_at=issued, status=status, **times,
    )  # fmt: skip


@pytest.fixture
def past_weeks(world):
    a = Category.objects.create(hall=world.hall, letter="A", name="企业开办", order=1)
    b = Category.objects.create(hall=world.hall, letter="B", name="社会事务", order=2)
    tuesday_1, wednesday_1, tuesday_2 = dt.date(2026, 3, 3), dt.date(2026, 3, 4), dt.date(2026, 3, 10)
    # A, Tuesdays 09:00–09:59: 6 then 4 tickets, each served in 12 minutes.
    for i in range(6):
        _ticket(world, a, f"A{i:03d}", _at(tuesday_1, 9, i * 5), Ticket.Status.DONE, service_minutes=12)
    for i in range(4):
        _ticket(world, a, f"A{i:03d}", _at(tuesday_2, 9, i * 10), Ticket.Status.DONE, service_minutes=12)
    # B, Wednesday 23:30 hall time (15:30 UTC): one ticket served in 20 minutes.
    _ticket(world, b, "B001", _at(wednesday_1, 23, 30), Ticket.Status.DONE, service_minutes=20)
    # B, Tuesday 10:30: a no-show, so the slot borrows B's mean service time (20 minutes).
    _ticket(world, b, "B001", _at(tuesday_2, 10, 30), Ticket.Status.NO_SHOW)
    # Outside the window: eight weeks are not asked for, and today is not past.
    _ticket(world, a, "A900", _at(dt.date(2026, 2, 24), 9), Ticket.Status.DONE, service_minutes=12)
    _ticket(world, a, "A901", _at(TODAY, 9), Ticket.Status.DONE, service_minutes=12)
    return a, b


def test_it_plans_each_category_weekday_and_hour(world, past_weeks):
    a, b = past_weeks
    plan = advisor.plan_next_week(world.hall, TODAY, weeks=2)
    rows = {(row["category"].letter, row["weekday"], row["hour"]): row for row in plan}
    assert list(rows) == [("A", 1, 9), ("B", 1, 10), ("B", 2, 23)]
    # 10 arrivals over the 2 Tuesdays seen = 5/h × 12 min = 1 erlang; 2 windows give
    # 1 − ⅓·e^{−15/12} = 90.4 % within 15 minutes, 1 window cannot keep up.
    assert rows["A", 1, 9] == {
        "category": a, "weekday": 1, "hour": 9, "arrivals_per_hour": 5.0,
        "mean_service_minutes": pytest.approx(12), "windows_needed": 2,
    }  # fmt: skip
    # 1 arrival over 2 Tuesdays, 20 minutes: A = 1/6, one window: 1 − ⅙·e^{−(5/6)·15/20} = 91 %.
    assert rows["B", 1, 10]["arrivals_per_hour"] == 0.5
    assert rows["B", 1, 10]["mean_service_minutes"] == pytest.approx(20)
    assert rows["B", 1, 10]["windows_needed"] == 1
    # 1 arrival on the one Wednesday seen: A = 1/3; one window: 1 − ⅓·e^{−(2/3)·15/20} = 79.8 % < 80 %.
    assert rows["B", 2, 23]["arrivals_per_hour"] == 1.0
    assert rows["B", 2, 23]["windows_needed"] == 2


def test_a_longer_history_includes_older_weeks(world, past_weeks):
    plan = advisor.plan_next_week(world.hall, TODAY, weeks=3)
    row = next(row for row in plan if row["category"].letter == "A")
    assert row["arrivals_per_hour"] == pytest.approx(11 / 3)


def test_a_hall_without_tickets_gets_an_empty_plan(world):
    assert advisor.plan_next_week(world.hall, TODAY) == []


def test_the_plan_is_set_based(world, past_weeks, django_assert_num_queries):
    # The slots, the weekdays seen, each category's mean service, the categories.
    with django_assert_num_queries(4):
        advisor.plan_next_week(world.hall, TODAY, weeks=2)
