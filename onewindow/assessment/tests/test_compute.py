"""Acceptance (issue 17): the monthly assessment of a generated month equals the hand-computed
breakdown of two windows (and their two officers). The month is built in conftest.march."""

from decimal import Decimal as D

import pytest

from onewindow import clock
from onewindow.assessment import attendance, services
from onewindow.assessment.models import Award, Criterion, MonthlyScore, Run, ScoreLine
from onewindow.assessment.tests.conftest import APRIL_2, MARCH
from onewindow.errors import DomainError

# The ratings and complaints criteria (decision 39): this month has none (test_ratings_criteria adds them).
NO_RATINGS = [
    ("bad_ratings", "无", D("0"), D("0.00")),
    ("bad_ratings_unrectified", "无", D("0"), D("0.00")),
    ("complaints_upheld", "无", D("0"), D("0.00")),
]
# (code, measured, units, points) per criterion, in the default order — by hand:
WINDOW_1 = [
    ("on_time", "办结4件，按时3件，按时办结率75.00%", D("25.00"), D("-125.00")),  # 25 points short × 5
    ("violations", "无", D("0"), D("0.00")),
    ("yellow_cards", "无", D("0"), D("0.00")),
    ("red_cards", "无", D("0"), D("0.00")),
    ("missing_check_ins", "本窗口工作人员缺卡3次", D("3"), D("-6.00")),  # 3 × 2
    ("queue_wait", "服务2人次，平均等候20.00分钟", D("5.00"), D("-10.00")),  # (20 − 15) × 2
    *NO_RATINGS,
]
WINDOW_A = [
    ("on_time", "办结2件，按时2件，按时办结率100.00%", D("0.00"), D("0.00")),
    ("violations", "认定违规1起", D("1"), D("-20.00")),
    ("yellow_cards", "黄牌1张", D("1"), D("-30.00")),
    ("red_cards", "无", D("0"), D("0.00")),
    ("missing_check_ins", "本窗口工作人员缺卡1次", D("1"), D("-2.00")),  # 09:30 is past 09:00 + 5 minutes
    ("queue_wait", "服务1人次，平均等候12.00分钟", D("0.00"), D("0.00")),
    *NO_RATINGS,
]


def breakdown(score: MonthlyScore) -> list[tuple]:
    return list(score.lines.order_by("order").values_list("code", "measured", "units", "points"))


def test_the_month_equals_the_hand_computed_breakdown_of_two_windows(world, dave, march):
    assert len(march) == 22  # March 2026: 22 working days
    with clock.frozen(APRIL_2):
        missing = attendance.missing(world.hall, MARCH)
        assert missing[world.clerk.staff.pk] == {"workdays": 22, "expected": 88, "present": 85, "missing": 3}
        assert missing[dave.staff.pk]["missing"] == 1
        services.compute(MARCH, world.hall)

    w1 = MonthlyScore.objects.get(month=MARCH, window=world.window_1)
    wa = MonthlyScore.objects.get(month=MARCH, window=world.window_a)
    assert breakdown(w1) == WINDOW_1
    assert breakdown(wa) == WINDOW_A
    assert w1.score == D("859.00")  # 1000 − 125 − 6 − 10
    assert wa.score == D("948.00")  # 1000 − 20 − 30 − 2
    assert (wa.rank, w1.rank) == (1, 2)
    # The officers: the same records counted against them (the accepting officer, the clerk).
    carol = MonthlyScore.objects.get(month=MARCH, officer=world.clerk)
    d = MonthlyScore.objects.get(month=MARCH, officer=dave)
    assert [line[3] for line in breakdown(carol)] == [line[3] for line in WINDOW_1]
    assert "应打卡88次，缺3次" in [line[1] for line in breakdown(carol)]
    assert (carol.score, d.score) == (D("859.00"), D("948.00"))
    assert MonthlyScore.objects.filter(month=MARCH).count() == 4  # two windows, two officers at windows

    # The proposals: window 11 has an upheld violation, so the red flag goes to window 01 only.
    assert [s.window_id for s in services.proposals(world.hall, MARCH, Award.Kind.RED_FLAG)] == [
        world.window_1.pk
    ]
    assert [s.officer_id for s in services.proposals(world.hall, MARCH, Award.Kind.SERVICE_STAR)] == [
        world.clerk.pk
    ]


def test_recompute_replaces_and_follows_the_edited_weights(world, dave, march):
    with clock.frozen(APRIL_2):
        services.compute(MARCH, world.hall)
        first_ids = set(MonthlyScore.objects.values_list("pk", flat=True))
        Criterion.objects.filter(code="on_time").update(points=D("2"))  # edited in the admin
        services.compute(MARCH, world.hall)
    assert MonthlyScore.objects.count() == 4 and ScoreLine.objects.count() == 4 * 9
    assert not first_ids & set(MonthlyScore.objects.values_list("pk", flat=True))
    assert MonthlyScore.objects.get(window=world.window_1).score == D("934.00")  # 1000 − 50 − 6 − 10
    assert Run.objects.filter(hall=world.hall, month=MARCH).count() == 1


def test_a_disabled_criterion_leaves_the_breakdown(world, dave, march):
    Criterion.objects.all().delete()
    with clock.frozen(APRIL_2):
        services.compute(MARCH, world.hall)  # the defaults are written first
        Criterion.objects.filter(code="queue_wait").update(enabled=False)
        services.compute(MARCH, world.hall)
    w1 = MonthlyScore.objects.get(window=world.window_1)
    assert "queue_wait" not in [line[0] for line in breakdown(w1)]
    assert w1.score == D("869.00")


def test_the_periodic_job_computes_the_previous_month_once(world, dave, march):
    with clock.frozen(APRIL_2):
        assert services.compute_previous_month() == 1
        assert services.compute_previous_month() == 0
    assert MonthlyScore.objects.get(window=world.window_1).score == D("859.00")


def test_the_command_computes_any_month_and_refuses_a_bad_one(world, dave, march):
    import io

    import pytest
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    with clock.frozen(APRIL_2):
        call_command("compute_assessment", "2026-03", "--hall", world.hall.code, stdout=out)
    assert "4 个窗口和工作人员的得分已计算" in out.getvalue()
    assert MonthlyScore.objects.get(window=world.window_1).score == D("859.00")
    with pytest.raises(CommandError):
        call_command("compute_assessment", "2026-3x")


def test_a_window_nobody_came_to_scores_1000_but_is_not_proposed(world, dave, march):
    """Losing no points for serving nobody earns no 红旗窗口: proposals need a service given."""
    from onewindow.accounts.models import Window

    idle = Window.objects.create(
        hall=world.hall, number="99", name="备用窗口", kind=Window.Kind.COMPREHENSIVE
    )
    with clock.frozen(APRIL_2):
        services.compute(MARCH, world.hall)
    idle_score = MonthlyScore.objects.get(month=MARCH, window=idle)
    assert idle_score.score == D("1000.00") and idle_score.rank == 1
    assert services.served(world.hall, MARCH, "window") == {world.window_1.pk, world.window_a.pk}
    assert [s.window_id for s in services.proposals(world.hall, MARCH, Award.Kind.RED_FLAG)] == [
        world.window_1.pk
    ]
    with pytest.raises(DomainError):
        services.confirm_award(world.hall, MARCH, Award.Kind.RED_FLAG, idle_score.pk, world.supervisor)
