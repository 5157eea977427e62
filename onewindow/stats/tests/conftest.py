"""The hand-made week of the page tests (views and browser)."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.personas import published_item
from onewindow.stats import rollup
from onewindow.stats.tests.factory import Plan, record_day

MONDAY = dt.date(2026, 3, 2)
FRIDAY = MONDAY + dt.timedelta(days=4)


@pytest.fixture
def week(world):
    """Department A: S1 on the spot, S2 due Tuesday and still open Friday (overdue), S3 closed on
    time; department B: B1 open, due in 10 working days. Rebuilt at Friday."""
    a = published_item(world)
    b = published_item(world, code="T-B", name="饮品经营许可", department=world.dept_b.code)
    plans = [
        Plan("S1", a, MONDAY, officer=world.clerk, accepted_on=MONDAY, accept_recorded=MONDAY, promised=0,
             closed_on=MONDAY, outcome="approved"),
        Plan("S2", a, MONDAY, officer=world.clerk, accepted_on=MONDAY, accept_recorded=MONDAY, promised=1),
        Plan("S3", a, MONDAY, officer=world.clerk, accepted_on=MONDAY, accept_recorded=MONDAY, promised=3,
             closed_on=MONDAY + dt.timedelta(days=2), outcome="approved"),
        Plan("B1", b, MONDAY, officer=world.clerk, accepted_on=MONDAY, accept_recorded=MONDAY, promised=10),
    ]  # fmt: skip
    cases = {}
    for n in range(5):
        record_day(MONDAY + dt.timedelta(days=n), plans, world, cases)
    with clock.frozen(FRIDAY):
        rollup.rebuild()
        yield cases


TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


@pytest.fixture
def week_steps(world, week):
    """The week's steps (审查 3 days, 决定 1 day; due 3 and 4 working days after Monday), finished
    at these hall times — working days taken in brackets:
    S1 审查 Mon (0), 决定 Mon (0); S3 审查 Wed (2), 决定 Wed (0); S2 审查 Fri (4, past its due Thu),
    决定 open; B1 审查 Wed 00:30 (2: the hall's date, not UTC's Tuesday), 决定 open.
    By hand: A 审查 3 steps, 6 days, 2.00 average, longest 4, 1 late; B 审查 1 step, 2.00;
    A 决定 2 steps, 0.00."""
    from onewindow.cases.models import CaseStep
    from onewindow.stats.tests.factory import at
    from onewindow.workdays import calendar

    monday = calendar.seq(MONDAY)
    done = {
        "S1": [at(MONDAY, 10), at(MONDAY, 11)],
        "S3": [at(WEDNESDAY, 10), at(WEDNESDAY, 15)],
        "S2": [at(FRIDAY, 9), None],
        "B1": [dt.datetime.combine(WEDNESDAY, dt.time(0, 30), tzinfo=at(MONDAY).tzinfo), None],
    }
    CaseStep.objects.bulk_create(
        CaseStep(case=week[number], order=order, name=name, role=role, kind=kind, due_seq=monday + days,
                 done_at=times[order - 1], done_by=world.reviewer_a if times[order - 1] else None)
        for number, times in done.items()
        for order, name, role, kind, days in [(1, "审查", "reviewer", "review", 3), (2, "决定", "department_head", "decide", 4)]
    )  # fmt: skip
    return week


# ---- ratings (decision 39) ----------------------------------------------------------------------


def rate(case, channel, level):
    from onewindow.ratings.services import record, subject_of_case

    mode = "on_site" if channel == "device" else "online"
    return record(subject=subject_of_case(case, mode), channel=channel, level=level)


def fed_back(rating, *, on_time: bool, measures: str = "已加强窗口业务培训"):
    from onewindow.ratings.models import Rectification

    # The rectification loop's services (callback, verification, feedback) are another module's
    # (ratings.rectification): here the record is moved to "fed back" directly.
    Rectification.objects.filter(rating=rating).update(
        status="fed_back", fed_back_at=clock.now(), fed_back_on_time=on_time, measures=measures,
        feedback="已电话告知整改结果",
    )  # fmt: skip


@pytest.fixture
def rated(world, week):
    """March 2026, the week's cases each rated once on site and once online:
    dept A  S1 5, 4 · S2 3, 2 (bad; fed back on time; follow-up 4) · S3 1 (bad, open), 1 (excluded)
    dept B  B1 5, 2 (bad; fed back late)
    and a hotline rating of dept A on 1 April (outside the month)."""
    from onewindow.ratings.models import Rating, Rectification
    from onewindow.ratings.services import record, subject_of_case
    from onewindow.stats.tests.factory import at

    with clock.frozen(at(FRIDAY, 10)):
        rate(week["S1"], "device", 5)
        rate(week["S1"], "sms", 4)
        rate(week["S2"], "device", 3)
        s2_bad = rate(week["S2"], "sms", 2)
        rate(week["S3"], "device", 1)
        excluded = rate(week["S3"], "portal", 1)
        rate(week["B1"], "device", 5)
        b1_bad = rate(week["B1"], "qr", 2)
        fed_back(s2_bad, on_time=True, measures="窗口人员已联系申请人 138 1234 5678 重新讲解材料要求")
        fed_back(b1_bad, on_time=False)
        # 申诉复核 upheld (another module's service): the rating stays, excluded from every rate.
        Rating.objects.filter(pk=excluded.pk).update(excluded=True, excluded_at=clock.now())
        follow_up = record(
            subject=subject_of_case(week["S2"], "online"), channel="sms", level=4, follows=s2_bad
        )
    with clock.frozen(dt.date(2026, 4, 1)):
        record(subject={"hotline_ref": "12345-0401-1", "hall_id": world.hall.pk, "department_id": world.dept_a.pk},
               channel="hotline", level=1)  # fmt: skip
    assert Rectification.objects.get(rating=s2_bad).status == "closed"  # the follow-up closed it
    assert follow_up.kind == "follow_up"
    return {"s2_bad": s2_bad, "b1_bad": b1_bad}
