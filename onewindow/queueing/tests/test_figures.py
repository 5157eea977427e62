"""The supervisor's figures for one morning, small enough to check by hand."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.queueing import figures
from onewindow.queueing.models import Category, Ticket

DAY = dt.date(2026, 3, 10)


def _at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.hall_tz())


def _ticket(world, category, number, queued, *, status=Ticket.Status.WAITING, called=None, started=None,
            finished=None, window=None, clerk=None, day=DAY):  # fmt: skip
    return Ticket.objects.create(
        hall=world.hall, region_code=world.hall.region_id, category=category, day=day, number=number,
        issued_at=queued, queued_at=queued, status=status, called_at=called, started_at=started,
        finished_at=finished, window=window, clerk=clerk,
    )  # fmt: skip


@pytest.fixture
def morning(world):
    """A: waits 10, 20 and 50 minutes (one no-show) and one still waiting; B: one wait of 30."""
    a = Category.objects.create(hall=world.hall, letter="A", name="企业开办", order=1)
    b = Category.objects.create(hall=world.hall, letter="B", name="社会事务", order=2)
    at_1 = {"window": world.window_1, "clerk": world.clerk}
    done = Ticket.Status.DONE
    _ticket(
        world,
        a,
        "A001",
        _at(9),
        status=done,
        called=_at(9, 10),
        started=_at(9, 12),
        finished=_at(9, 22),
        **at_1,
    )
    _ticket(
        world,
        a,
        "A002",
        _at(9, 5),
        status=done,
        called=_at(9, 25),
        started=_at(9, 25),
        finished=_at(9, 45),
        **at_1,
    )
    _ticket(
        world,
        a,
        "A003",
        _at(9, 10),
        status=Ticket.Status.NO_SHOW,
        called=_at(10),
        finished=_at(10, 5),
        **at_1,
    )
    _ticket(world, a, "A004", _at(10, 30))
    _ticket(world, b, "B001", _at(9), status=done, called=_at(9, 30), started=_at(9, 30), finished=_at(9, 36),
            window=world.window_a, clerk=world.supervisor)  # fmt: skip
    # The next day is outside the period.
    _ticket(world, a, "A001", _at(9, day=DAY + dt.timedelta(days=1)), day=DAY + dt.timedelta(days=1))
    return a, b


A_FIGURES = {
    "tickets": 4,
    "avg_wait_minutes": pytest.approx((10 + 20 + 50) / 3),
    "p90_wait_minutes": pytest.approx(44),  # rank 0.9 × 2 = 1.8: 20 + 0.8 × (50 − 20)
    "avg_service_minutes": pytest.approx(15),  # (10 + 20) / 2; the no-show is not a service
    "no_show_rate": pytest.approx(1 / 3),  # 1 of the 3 called
    "calls_per_hour": pytest.approx(1.5),  # 3 calls in the hours 09 and 10
}
B_FIGURES = {
    "tickets": 1, "avg_wait_minutes": pytest.approx(30), "p90_wait_minutes": pytest.approx(30),
    "avg_service_minutes": pytest.approx(6), "no_show_rate": 0.0, "calls_per_hour": 1.0,
}  # fmt: skip


def test_it_sums_up_each_category(world, morning):
    a, b = morning
    assert figures.summary(world.hall, DAY, DAY, by="category") == [
        {"category": a, **A_FIGURES},
        {"category": b, **B_FIGURES},
    ]


def test_a_window_counts_the_tickets_it_called(world, morning):
    rows = figures.summary(world.hall, DAY, DAY, by="window")
    assert rows == [
        {"window": world.window_1, **A_FIGURES, "tickets": 3},  # A004 was never called
        {"window": world.window_a, **B_FIGURES},
    ]


def test_a_clerk_counts_the_tickets_she_called(world, morning):
    rows = {row["clerk"]: row for row in figures.summary(world.hall, DAY, DAY, by="clerk")}
    assert rows[world.clerk] == {"clerk": world.clerk, **A_FIGURES, "tickets": 3}
    assert rows[world.supervisor]["tickets"] == 1


def test_the_period_includes_both_ends(world, morning):
    rows = figures.summary(world.hall, DAY, DAY + dt.timedelta(days=1))
    assert [row["tickets"] for row in rows] == [5, 1]
    assert figures.summary(world.other_hall, DAY, DAY) == []


def test_a_group_without_calls_has_no_rates(world, morning):
    a, _ = morning
    [row] = figures.summary(world.hall, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=1))
    assert row == {
        "category": a, "tickets": 1, "avg_wait_minutes": None, "p90_wait_minutes": None,
        "avg_service_minutes": None, "no_show_rate": None, "calls_per_hour": None,
    }  # fmt: skip


def test_an_unknown_grouping_is_refused(world):
    with pytest.raises(ValueError):
        figures.summary(world.hall, DAY, DAY, by="department")


def test_arrivals_are_counted_per_hour_of_hall_time(world, morning):
    a, _ = morning
    _ticket(world, a, "A005", _at(0, 30))  # 16:30 UTC the day before: hour 0 in the hall
    _ticket(world, a, "A006", _at(23, 59))
    expected = [0] * 24
    expected[0], expected[9], expected[10], expected[23] = 1, 4, 1, 1
    assert figures.hourly_arrivals(world.hall, DAY) == expected


def test_the_percentile_interpolates_like_percentile_cont():
    assert figures.percentile([], 0.9) is None
    assert figures.percentile([7.0], 0.9) == 7.0
    assert figures.percentile(list(range(11)), 0.9) == pytest.approx(9)
    assert figures.percentile([40, 10, 30, 20], 0.5) == pytest.approx(25)


def test_the_figures_are_set_based(world, morning, django_assert_num_queries):
    # summary: the grouped aggregates, the waits for the percentile, the group names.
    with django_assert_num_queries(3):
        figures.summary(world.hall, DAY, DAY, by="clerk")
    with django_assert_num_queries(1):
        figures.hourly_arrivals(world.hall, DAY)
