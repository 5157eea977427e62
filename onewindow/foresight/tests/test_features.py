"""The forecast's features of a case on a day, worked out by hand on cases moved through the
real services (issue 22): the step a case is in and for how long, the working days left, the
department's load, pauses and the long holiday before the deadline."""

import datetime as dt

import numpy as np
import pytest

from onewindow import clock
from onewindow.cases import services
from onewindow.cases.models import Channel
from onewindow.foresight import features
from onewindow.foresight.features import Context
from onewindow.personas import all_required, published_item
from onewindow.workdays import calendar

pytestmark = pytest.mark.django_db
D = dt.date
MONDAY = D(2026, 11, 2)  # an ordinary week: Mon 2 … Fri 6, Mon 9 November 2026


@pytest.fixture
def item(world):
    return published_item(world)  # 5 working days promised; steps 审查 (reviewer), 决定 (head)


def accepted(world, item, on):
    with clock.frozen(on):
        case = services.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                               channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
        return services.accept(case, by=world.clerk)


def reviewed(world, case, on):
    with clock.frozen(on):
        return services.review(case, by=world.reviewer_a, opinion="材料齐全，符合条件")


def test_todays_snapshot_of_an_open_case_is_worked_out_by_hand(world, item):
    case = reviewed(world, accepted(world, item, MONDAY), D(2026, 11, 4))
    today = D(2026, 11, 5)
    cs = features.open_cases(today)
    snap = features.snapshots(cs, *features.open_rows(cs, today), Context({}, {}, 1.0), {world.dept_a.pk: 1})
    assert list(cs.ids) == [case.pk]
    # due: Monday + 5 working days = Monday 9 November; on Thursday 5th two are left (6th, 9th)
    assert case.due_on == D(2026, 11, 9) and snap.numeric["remaining"][0] == 2
    # 审查 was done on Wednesday 4th: the case has been in 决定 one working day
    assert cs.names[snap.step[0]] == "决定" and snap.numeric["elapsed"][0] == 1
    # 决定's own deadline (its 1 planned day after 审查's 3): Friday 6th — a day to go
    assert snap.numeric["behind"][0] == -1
    assert snap.dept_open[0] == 1 and snap.numeric["per_reviewer"][0] == 1.0
    assert snap.numeric["paused"][0] == 0 and snap.numeric["holiday"][0] == 0


def test_history_days_are_the_working_days_a_decided_case_was_open_and_not_yet_late(world, item):
    case = reviewed(world, accepted(world, item, MONDAY), D(2026, 11, 4))
    with clock.frozen(D(2026, 11, 6)):
        services.decide(case, by=world.head_a, approve=True, reason="符合条件")
    cs = features.history(MONDAY, D(2026, 11, 30))
    end = calendar.seq(D(2026, 11, 30))
    rows, days = features.history_days(cs, 1, end, decided_by=end)
    # open at the end of Mon 2, Tue 3, Wed 4 and Thu 5; decided on Friday 6th, on time
    assert [calendar.date_of_seq(int(d)) for d in days] == [MONDAY + dt.timedelta(days=i) for i in range(4)]
    assert not cs.late[rows].any()
    snap = features.snapshots(cs, rows, days, Context.learn(cs, decided_by=end), {})
    assert [cs.names[s] for s in snap.step] == ["审查", "审查", "决定", "决定"]
    assert list(snap.numeric["elapsed"]) == [0, 1, 0, 1]
    # what history teaches: 审查 took 2 working days (Mon → Wed), 决定 2 (Wed → Fri)
    context = Context.learn(cs, decided_by=end)
    assert context.step_means == {(item.pk, 0): 2.0, (item.pk, 1): 2.0}
    # 审查's deadline is 3 working days after acceptance (Thursday 5th): on Monday evening 3 to go
    assert snap.numeric["behind"][0] == -3 and snap.step_mean[0] == 2.0
    # a case decided after `decided_by` teaches nothing yet
    assert len(features.history_days(cs, 1, end, decided_by=calendar.seq(D(2026, 11, 5)))[0]) == 0


def test_a_pause_moves_the_deadline_and_is_counted(world, item):
    case = accepted(world, item, MONDAY)
    with clock.frozen(D(2026, 11, 3)):
        case = services.suspend(
            case, by=world.reviewer_a, kind="expert_review", reason="专家评审", expected_days=2
        )
    with clock.frozen(D(2026, 11, 5)):
        case = services.resume(case, by=world.reviewer_a)
    today = D(2026, 11, 6)
    cs = features.open_cases(today)
    snap = features.snapshots(cs, *features.open_rows(cs, today), Context({}, {}, 1.0), {})
    paused = case.extra_days
    assert paused > 0 and snap.numeric["paused"][0] == paused
    assert snap.numeric["remaining"][0] == case.due_seq - calendar.seq(today)
    # on a day inside the pause the clock stood still: no history snapshot is taken then
    _, _, inside = features._pauses_at(cs, np.array([0]), np.array([calendar.seq(D(2026, 11, 3))]))
    assert inside[0]


def test_a_long_holiday_before_the_deadline_is_seen(world, item):
    # Tuesday 29 September 2026: 国庆 runs from 1 October for a week, inside a 5-day promise
    day = D(2026, 9, 29)
    assert not calendar.is_workday(D(2026, 10, 1)) and not calendar.is_workday(D(2026, 10, 5))
    accepted(world, item, day)
    cs = features.open_cases(day)
    snap = features.snapshots(cs, *features.open_rows(cs, day), Context({}, {}, 1.0), {})
    assert snap.numeric["holiday"][0] == 1
    # the last working day before the break is Wednesday 30 September: one working day away
    assert snap.holiday_in[0] == calendar.seq(D(2026, 9, 30)) - calendar.seq(day) == 1
