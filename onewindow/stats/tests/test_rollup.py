import datetime as dt
import io
from decimal import Decimal

from django.core.management import call_command

from onewindow import clock
from onewindow.personas import published_item
from onewindow.stats import kpis, rollup
from onewindow.stats.models import DailyFigure
from onewindow.stats.tests.factory import Plan, plans, record_day

START = dt.date(2026, 3, 2)
FIELDS = ("day", "hall_id", "department_id", "window_id", "item_id", "officer_id", *rollup.COUNTS)


def table() -> list[tuple]:
    return sorted(DailyFigure.objects.values_list(*FIELDS), key=lambda r: tuple(str(v) for v in r))


def simulate(world, days: int, count: int) -> None:
    items = [
        published_item(world),
        published_item(world, code="T-B", name="饮品经营许可", department=world.dept_b.code),
    ]
    todo, cases = plans(world, items, START, days - 10, count), {}
    for n in range(days):
        day = START + dt.timedelta(days=n)
        record_day(day, todo, world, cases)
        with clock.frozen(dt.datetime.combine(day, dt.time(23, 30), tzinfo=clock.hall_tz())):
            rollup.refresh()


def test_incremental_roll_up_equals_the_rebuild_on_10000_cases(world):
    simulate(world, days=60, count=10_000)
    incremental = table()
    totals = {name: sum(r[FIELDS.index(name)] for r in incremental) for name in rollup.COUNTS}
    # The generated data exercises every figure (else the equality below proves little).
    assert totals["received"] == 10_000
    assert all(totals[name] > 0 for name in rollup.COUNTS), totals
    assert {r[FIELDS.index("officer_id")] for r in incremental} >= {world.clerk.pk, world.reviewer_a.pk, None}
    assert {r[FIELDS.index("window_id")] for r in incremental} == {world.window_1.pk, world.window_a.pk, None}
    with clock.frozen(START + dt.timedelta(days=59)):
        rollup.rebuild()
    assert table() == incremental


def test_a_refresh_window_too_short_for_back_dated_acceptances_shows_in_the_comparison(world, settings):
    """The comparison above can fail: refreshing only today misses art. 32's back-dated acceptance."""
    settings.ONEWINDOW_STATS_REFRESH_DAYS = 0
    simulate(world, days=12, count=60)
    incremental = table()
    with clock.frozen(START + dt.timedelta(days=11)):
        rollup.rebuild()
    assert table() != incremental


def hand_made_week(world):
    """One of each kind received on Monday 2026-03-02, rebuilt at the end of Friday: S1 on the
    spot (0 days), S2 due Tuesday (1 day) and still open, S3 (3 days + 2 suspended) closed Friday,
    S4 refused."""
    item = published_item(world)
    monday = START
    spot = Plan("S1", item, monday, officer=world.clerk, accepted_on=monday, accept_recorded=monday,
                promised=0, closed_on=monday, outcome="approved")  # fmt: skip
    late = Plan(
        "S2", item, monday, officer=world.clerk, accepted_on=monday, accept_recorded=monday, promised=1
    )
    paused = Plan("S3", item, monday, officer=world.reviewer_a, accepted_on=monday, accept_recorded=monday,
                  promised=3, paused=2, closed_on=monday + dt.timedelta(days=4), outcome="approved")  # fmt: skip
    refused = Plan("S4", item, monday, refused=True)
    cases = {}
    for n in range(5):
        record_day(monday + dt.timedelta(days=n), [spot, late, paused, refused], world, cases)
    with clock.frozen(monday + dt.timedelta(days=4)):
        rollup.rebuild()
    return item


def test_figures_of_a_day(world):
    item = hand_made_week(world)
    monday = START
    rows = {(r.day, r.officer_id): r for r in DailyFigure.objects.all()}
    first = rows[(monday, world.clerk.pk)]
    assert (first.received, first.accepted, first.on_the_spot, first.closed, first.closed_on_time) == (
        2,
        2,
        1,
        1,
        1,
    )
    assert rows[(monday, None)].received == 1 and rows[(monday, None)].accepted == 0  # the refused one
    # S2 is due Tuesday (1 working day): overdue at the end of Tuesday, Wednesday, Thursday, Friday.
    assert [rows[(monday + dt.timedelta(days=n), world.clerk.pk)].overdue for n in range(1, 5)] == [
        1,
        1,
        1,
        1,
    ]
    assert rows[(monday, world.clerk.pk)].overdue == 0
    # S3 closed Friday: 4 working days after Monday, of which 2 suspended: 2 used, on time (due 3+2).
    friday = rows[(monday + dt.timedelta(days=4), world.reviewer_a.pk)]
    assert (friday.closed, friday.closed_on_time, friday.days_used, friday.suspended_days) == (1, 1, 2, 2)
    assert (friday.promised_days, friday.legal_days) == (3, item.current.legal_limit_days)


def test_kpis_of_the_hand_made_week(world):
    legal = hand_made_week(world).current.legal_limit_days
    k = kpis.kpis(kpis.totals())
    assert (k["accepted"], k["on_the_spot"], k["closed"], k["closed_on_time"]) == (3, 1, 2, 2)
    assert k["on_the_spot_rate"] == Decimal("0.3333")  # 1 ÷ 3
    assert k["on_time_rate"] == Decimal("1.0000")  # 2 ÷ 2
    assert k["closing_rate"] == Decimal("0.6667")  # 即期办结率: 2 closed ÷ 3 accepted
    assert k["average_days"] == Decimal("1.00")  # (0 + 2) ÷ 2
    assert k["promised_share"] == (Decimal(3) / Decimal(2 * legal)).quantize(Decimal("0.0001"))
    assert k["compression"] == 1 - k["promised_share"]
    # 提速率 against a base period that used 4 days on average: (4 − 1) ÷ 4.
    base = dict.fromkeys(rollup.COUNTS, 0) | {"closed": 2, "days_used": 8}
    assert kpis.kpis(kpis.totals(), base=base)["speedup"] == Decimal("0.7500")


def test_the_seed_figures():
    """Jinan Shizhong: accepted 18.8万, closed 18.57万 → 即期办结率 98.8%; Zibo 5.1 → 3.61 days → 29.2%."""
    t = dict.fromkeys(rollup.COUNTS, 0) | {"accepted": 188_000, "closed": 185_700}
    assert kpis.ratio(t["closed"], t["accepted"], "0.001") == Decimal("0.988")
    assert kpis.kpis(t)["closing_rate"] == Decimal("0.9878")
    assert kpis.speedup(Decimal("5.1"), Decimal("3.61")) == Decimal("0.2922")
    assert kpis.kpis(dict.fromkeys(rollup.COUNTS, 0))["on_time_rate"] is None  # nothing closed: no 0 %


def test_the_rebuild_command(world):
    hand_made_week(world)
    DailyFigure.objects.all().delete()
    out = io.StringIO()
    with clock.frozen(START + dt.timedelta(days=4)):
        call_command("rebuild_stats", stdout=out)
    assert "统计日汇总已重建" in out.getvalue()
    assert DailyFigure.objects.filter(day=START).exists()


def test_figures_per_window(world):
    """The window of a case's figures is its 受理窗口 (Case.window): received at 01 and accepted at
    11, a case counts at 11; 视为受理 (art. 32) at no window; an online case at none."""
    item = published_item(world)
    monday = START
    w1, wa = world.window_1, world.window_a
    todo = [
        Plan("W1", item, monday, officer=world.clerk, accepted_on=monday, accept_recorded=monday, promised=3,
             window=w1),
        Plan("W2", item, monday, officer=world.clerk, accepted_on=monday, accept_recorded=monday, promised=0,
             closed_on=monday, outcome="approved", window=w1, accepted_window=wa),
        Plan("W3", item, monday, accepted_on=monday, accept_recorded=monday + dt.timedelta(days=7), promised=3,
             window=w1),
        Plan("W4", item, monday, window=None),
    ]  # fmt: skip
    cases = {}
    for n in range(8):
        record_day(monday + dt.timedelta(days=n), todo, world, cases)
    with clock.frozen(monday + dt.timedelta(days=7)):
        rollup.rebuild()
    figures = DailyFigure.objects.filter(day=monday)
    per_window = {
        w: (sum(f.received for f in figures if f.window_id == w), sum(f.accepted for f in figures if f.window_id == w))
        for w in (w1.pk, wa.pk, None)
    }  # fmt: skip
    assert per_window == {w1.pk: (1, 1), wa.pk: (1, 1), None: (2, 1)}
    assert sum(f.on_the_spot for f in figures if f.window_id == wa.pk) == 1


def test_the_workers_refresh_recomputes_the_span_once_a_day_and_today_on_every_run(world):
    """periodic_refresh (decision 48): the day's first run replaces the last days' rows, a later
    run only today's; the next day's first run replaces the span again."""
    hand_made_week(world)
    monday, friday = START, START + dt.timedelta(days=4)
    before = table()
    DailyFigure.objects.filter(day=monday).delete()  # as if Monday's rows were stale or lost
    DailyFigure.objects.filter(day=friday).update(received=99)
    at = lambda day, hour: clock.frozen(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=clock.hall_tz()))  # noqa: E731
    with at(friday, 10):
        rollup.periodic_refresh()  # the day's first run: Monday back, Friday right
    assert table() == before
    DailyFigure.objects.filter(day=monday).delete()
    DailyFigure.objects.filter(day=friday).update(received=99)
    with at(friday, 11):
        rollup.periodic_refresh()  # a later run: today's rows only
    assert not DailyFigure.objects.filter(day=monday).exists()
    assert not DailyFigure.objects.filter(day=friday, received=99).exists()
    with at(friday + dt.timedelta(days=1), 0):
        rollup.periodic_refresh()  # Saturday's first run: the span again, Monday included
    assert DailyFigure.objects.filter(day=monday).exists()
    assert [r for r in table() if r[0] <= friday] == before
