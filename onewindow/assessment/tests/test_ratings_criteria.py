"""The ratings and complaints criteria (issue 17 items 4–5, decision 39) on the hand-made March
(conftest.march), by hand for the two windows and their officers — the loop and the appeal through
ratings.rectification's own steps:

Window 01 (Carol): A1 rated 5; A2 rated 1 on 9 March, fed back on time; A3 rated 2 on 9 March,
never fed back (deadline 16 March, in March → 差评逾期未整改); A4 rated 2, appeal upheld
(excluded: not counted) → 评价3次，差评2次: −20; 1 late: −20.
Window 11 (Dave): B1 rated 2 on 30 March (deadline in April: not late in March); B2 rated 4 →
评价2次，差评1次: −10; complaints: one upheld in March (−30), one not upheld, one upheld on 1 April
(not March's)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from onewindow import clock
from onewindow.assessment import services
from onewindow.assessment.models import MonthlyScore
from onewindow.assessment.tests.conftest import APRIL_2, MARCH, local
from onewindow.assessment.tests.test_compute import WINDOW_1, WINDOW_A, breakdown
from onewindow.cases.models import Case
from onewindow.ratings import complaints, rectification
from onewindow.ratings.audit import chain_broken_at
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.services import record, subject_of_case

MON_9, MON_30 = dt.date(2026, 3, 9), dt.date(2026, 3, 30)


def rate(number: str, level: int, day: dt.date, channel: str = "sms") -> Rating:
    with clock.frozen(local(day, dt.time(15))):
        return record(subject=subject_of_case(Case.objects.get(number=number), "online"), channel=channel,
                      level=level)  # fmt: skip


def complaint(world, number: str, finding: str, day: dt.date):
    with clock.frozen(local(day, dt.time(10))):
        c = complaints.file_complaint(by=world.supervisor, source="desk", name="来访群众", phone="13900000001",
                                      subject="窗口服务", text="办理时态度不好", case_number=number)  # fmt: skip
        c = complaints.assign(c, by=world.supervisor, department=c.department)
        c = complaints.answer(c, by=world.reviewer_a, text="已核实并处理")
        return complaints.decide(c, by=world.supervisor, finding=finding, reason="经调查核实")


@pytest.fixture
def rated_march(world, march):
    rate("A1", 5, MON_9)
    on_time = rate("A2", 1, MON_9)
    rate("A3", 2, MON_9)
    appealed = rate("A4", 2, MON_9, channel="portal")
    rate("B1", 2, MON_30)
    rate("B2", 4, MON_9)
    with clock.frozen(local(MON_9, dt.time(16))):
        rect = rectification.callback(on_time.rectification, by=world.head_a, reached=True, note="已联系")
        rect = rectification.verify(rect, by=world.head_a, finding="valid", note="属实")
        rect = rectification.rectify(rect, by=world.head_a, measures="加强培训")
        rectification.feedback(rect, by=world.head_a, text="已加强培训")
        appeal(world, appealed)  # 申诉复核 upheld: kept, but excluded from every score
    complaint(world, "B2", "upheld", dt.date(2026, 3, 12))
    complaint(world, "B1", "not_upheld", dt.date(2026, 3, 13))
    complaint(world, "B2", "upheld", dt.date(2026, 4, 1))
    return {"appealed": appealed, "late": Rating.objects.get(case__number="A3")}


def appeal(world, rating: Rating) -> None:
    """The department finds the bad rating mistaken and appeals; hall management upholds it."""
    rect = rectification.callback(Rectification.objects.get(rating=rating), by=world.head_a, reached=True)
    rect = rectification.verify(rect, by=world.head_a, finding="mistaken", note="评价对象有误")
    rectification.file_appeal(rect, by=world.head_a, ground="mistaken", reason="评价对象有误")
    rectification.decide_appeal(Rectification.objects.get(pk=rect.pk), by=world.supervisor, upheld=True,
                                reason="核实录像，申诉成立")  # fmt: skip


def lines(base, **changed):
    return [(code, *changed[code]) if code in changed else (code, m, u, p) for code, m, u, p in base]


W1 = lines(WINDOW_1, bad_ratings=("评价3次，差评2次", D("2"), D("-20.00")),
           bad_ratings_unrectified=("差评1条未在整改期限内反馈", D("1"), D("-20.00")))  # fmt: skip
WA = lines(WINDOW_A, bad_ratings=("评价2次，差评1次", D("1"), D("-10.00")),
           complaints_upheld=("投诉属实1件", D("1"), D("-30.00")))  # fmt: skip


def test_ratings_and_complaints_count_against_the_window_and_the_officer(world, dave, rated_march):
    with clock.frozen(APRIL_2):
        services.compute(MARCH, world.hall)
    w1 = MonthlyScore.objects.get(month=MARCH, window=world.window_1)
    wa = MonthlyScore.objects.get(month=MARCH, window=world.window_a)
    assert breakdown(w1) == W1
    assert breakdown(wa) == WA
    assert w1.score == D("819.00")  # 859 − 20 − 20
    assert wa.score == D("908.00")  # 948 − 10 − 30
    # The officers: the online ratings count for the officer who accepted the case, the complaint
    # for its accepting officer (ratings.complaints).
    carol = MonthlyScore.objects.get(month=MARCH, officer=world.clerk)
    d = MonthlyScore.objects.get(month=MARCH, officer=dave)
    assert [line[1:] for line in breakdown(carol)][-3:] == [line[1:] for line in W1][-3:]
    assert [line[1:] for line in breakdown(d)][-3:] == [line[1:] for line in WA][-3:]
    assert (carol.score, d.score) == (D("819.00"), D("908.00"))


def test_an_upheld_appeal_raises_the_score_by_the_criterion_points(world, dave, rated_march):
    with clock.frozen(APRIL_2):
        services.compute(MARCH, world.hall)
        before = MonthlyScore.objects.get(month=MARCH, window=world.window_1).score
        # Appeal upheld for A3's bad rating (late too): −10 for the bad rating and −20 for the late rectification go.
        appeal(world, rated_march["late"])
        services.compute(MARCH, world.hall)
    after = MonthlyScore.objects.get(month=MARCH, window=world.window_1)
    assert after.score - before == D("30.00")
    assert dict((c, u) for c, _, u, _ in breakdown(after))["bad_ratings"] == D("1")
    # Excluded, never deleted: the rating is still there, and its audit chain holds the appeal.
    late = Rating.objects.get(pk=rated_march["late"].pk)
    assert late.excluded and late.level == 2
    actions = list(late.events.values_list("action", flat=True))
    assert actions[-2:] == ["appeal", "decide_appeal"], actions
    assert chain_broken_at(late) is None


def test_the_caps_hold(world, dave, rated_march):
    from onewindow.assessment.criteria import ensure_defaults
    from onewindow.assessment.models import Criterion

    ensure_defaults()  # (the rows are written when the criteria are first read)
    Criterion.objects.filter(code="complaints_upheld").update(points=D("500"), cap=D("300"))
    with clock.frozen(APRIL_2):
        services.compute(MARCH, world.hall)
    wa = MonthlyScore.objects.get(month=MARCH, window=world.window_a)
    assert dict((c, p) for c, _, _, p in breakdown(wa))["complaints_upheld"] == D("-300.00")
