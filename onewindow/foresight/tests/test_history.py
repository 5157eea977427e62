"""Generated history (foresight.history): consistent cases on working days, the planted patterns
visible in the late shares, the same rows for the same seed, open cases at the cut-off, whole
audit chains, and the command's guard outside the demo."""

import datetime as dt
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from onewindow import clock
from onewindow.cases import audit
from onewindow.cases.models import Case, CaseStep, Status, Suspension
from onewindow.catalog.models import ServiceItem
from onewindow.foresight import history
from onewindow.workdays import calendar

pytestmark = pytest.mark.django_db

START = dt.date(2025, 1, 1)
OPEN_UNTIL = dt.date(2025, 12, 15)
STEPS = [{"name": "审查", "role": "reviewer", "days": 3}, {"name": "决定", "role": "department_head", "days": 1},
         {"name": "制证", "role": "reviewer", "days": 1}]  # fmt: skip


@pytest.fixture
def hall(history_hall):
    """Three items in each of the hall's two departments (the slow one is drawn among them)."""
    return history_hall


def _generate(hall, seed=3, per_month=100):
    return history.generate(
        start=START, months=12, per_month=per_month, seed=seed, hall=hall, open_until=OPEN_UNTIL
    )


def test_every_case_is_consistent_on_the_working_day_clock(hall):
    result = _generate(hall)
    cases = list(Case.objects.filter(number__startswith=result["prefix"]))
    assert len(cases) == result["cases"] == result["closed"] + result["open"]
    assert 1100 <= len(cases) <= 1200  # none accepted after the cut-off (15 December)
    assert result["steps"] == CaseStep.objects.filter(case__in=cases).count() == 3 * len(cases)
    assert all(c.accepted_on <= OPEN_UNTIL and calendar.is_workday(c.accepted_on) for c in cases)
    steps = defaultdict(list)
    for s in CaseStep.objects.filter(case__in=cases).order_by("case", "order"):
        steps[s.case_id].append(s)
    paused = defaultdict(int)
    for s in Suspension.objects.filter(case__in=cases):
        assert s.ended_on is not None and s.days == calendar.workdays_between(s.started_on, s.ended_on)
        paused[s.case_id] += s.days
    assert result["suspensions"] == len(paused) > 0
    tz = clock.hall_tz()
    for c in cases:
        a = calendar.seq(c.accepted_on)
        assert c.due_seq == a + c.promised_days + c.extra_days and c.due_on == calendar.date_of_seq(c.due_seq)
        assert c.extra_days == paused[c.pk]
        assert c.received_on <= c.accepted_on and c.received_at.astimezone(tz).date() == c.received_on
        done = [s.done_at for s in steps[c.pk] if s.done_at is not None]
        assert done == sorted(done) and all(calendar.is_workday(d.astimezone(tz).date()) for d in done)
        assert [s.kind for s in steps[c.pk]] == ["review", "decide", "after"]
        review, decide, after = (s.due_seq for s in steps[c.pk])  # as transitions.start_clock counts them
        assert a < review < decide < after == a + c.promised_days
        if c.status == Status.CLOSED:
            assert c.outcome in ("approved", "denied") and c.closed_seq >= a
            assert c.closed_on == calendar.date_of_seq(c.closed_seq) == c.closed_at.astimezone(tz).date()
            assert c.decided_at == c.closed_at == steps[c.pk][1].done_at
            assert c.closed_on <= OPEN_UNTIL
        else:
            # Open at the cut-off: accepted before it, its decision not yet taken then.
            assert (
                c.status == Status.IN_REVIEW
                and c.closed_at is None
                and c.closed_seq is None
                and not c.outcome
            )
            assert steps[c.pk][1].done_at is None
            assert all(d.astimezone(tz).date() <= OPEN_UNTIL for d in done)
    assert result["open"] >= 20


def test_the_planted_patterns_show_in_the_late_shares(hall):
    result = _generate(hall)
    slow = result["slow_department"]["id"]
    late, total = defaultdict(int), defaultdict(int)
    for department, due, closed in Case.objects.filter(
        number__startswith=result["prefix"], status="closed"
    ).values_list("department_id", "due_seq", "closed_seq"):
        group = "slow" if department == slow else "rest"
        total[group] += 1
        late[group] += closed > due
    slow_share, rest_share = late["slow"] / total["slow"], late["rest"] / total["rest"]
    assert slow_share >= 2 * rest_share and rest_share < 0.15
    shares, rest = result["late_share_by_group"], result["late_share_rest"]
    assert (
        shares["slow_department"] >= 2 * rest and shares["slow_step"] >= 2 * rest and shares["holiday"] > rest
    )
    assert result["slow_step"]["item"].startswith("T-H-") and result["slow_step"]["step"] in ("审查", "决定")
    assert any(r["days"] >= 7 for r in result["holiday_runs"])  # 春节 and 国庆 of 2025
    assert 0.04 <= result["late_share"] <= 0.3


def test_the_same_seed_writes_the_same_history(hall):
    def rows(result):
        cases = Case.objects.filter(number__startswith=result["prefix"]).order_by("number")
        return [
            list(
                cases.values_list(
                    "number", "item__code", "accepted_on", "due_seq", "closed_seq", "status", "last_hash"
                )
            ),
            list(
                CaseStep.objects.filter(case__in=cases)
                .order_by("case__number", "order")
                .values_list("done_at")
            ),
        ]

    with transaction.atomic():
        first = _generate(hall, per_month=30)
        before = rows(first)
        transaction.set_rollback(True)
    again = _generate(hall, per_month=30)
    assert rows(again) == before
    timing = ("seconds", "simulate_s")
    assert {k: v for k, v in again.items() if k not in timing} == {
        k: v for k, v in first.items() if k not in timing
    }
    other = _generate(hall, seed=4, per_month=30)
    assert other["prefix"] != again["prefix"] and other["late_share"] != again["late_share"]


def test_the_audit_chains_are_whole_and_a_second_run_is_refused(hall):
    result = _generate(hall, per_month=20)
    assert result["events"] == 3 * result["closed"] + 2 * result["open"]
    assert list(audit.verify()) == []
    with pytest.raises(history.DomainError) as refused:
        _generate(hall, per_month=20)
    assert refused.value.code == "foresight.history_exists"


def test_the_command_asks_for_force_outside_the_demo_when_real_cases_exist(hall, world, settings):
    settings.ONEWINDOW_DEMO = False
    item = ServiceItem.objects.get(code="T-H-0")
    real = Case.objects.create(
        number="371400-20251201-000001", item=item, item_version_id=item.current_id, department=world.dept_a, applicant=world.alice_applicant, hall=hall, region_code=hall.region_id,
        channel="window", received_at=clock.now(), received_on=clock.today(), intake_from=clock.today(),
        promised_days=5,
    )  # fmt: skip
    with pytest.raises(CommandError, match="--force"):
        call_command("generate_history", "--months", "2", "--per-month", "10", "--hall", hall.code)
    assert not history.exists(1)
    with clock.frozen(dt.date(2025, 6, 16)):
        call_command("generate_history", "--months", "2", "--per-month", "10", "--hall", hall.code, "--force")
    assert Case.objects.filter(number__startswith="H1-").count() == 20
    assert Case.objects.filter(pk=real.pk).exists()


def test_the_demo_year_ends_the_working_day_before_today_with_open_cases_and_is_made_once(hall):
    with clock.frozen(dt.date(2025, 12, 22)):  # a Monday: the history ends on Friday the 19th
        made = history.seed_demo(hall.code)
        assert history.seed_demo(hall.code) is None
    assert made["cases"] == Case.objects.filter(number__startswith="H1-").count() > 1300
    assert made["first_accepted"] >= dt.date(2024, 12, 22) and made["last_accepted"] == dt.date(2025, 12, 19)
    assert made["open"] > 0 and not Case.objects.filter(closed_on__gt=dt.date(2025, 12, 19)).exists()
