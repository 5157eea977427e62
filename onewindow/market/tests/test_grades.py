"""Issue 19 acceptance: "Grades for a generated year match a hand-computed example". A year (2026)
of contracts, evaluations and misconduct for eight agencies, made through the services; the
figures, points and grades below were computed BY HAND from the story (not with grades.py's
formula). Then publishing makes the D agency blacklisted (services.register refuses it), the
appeal window is 10 working days, an upheld appeal changes the grade.

The rules (MarketSettings defaults; docs/market.md "Grades"):
  points = 60 × avg / 5 + 40 × on-time rate − 5 × complaints − 10 × violations, floored at 0;
  avg = mean of the three scores of the owners' evaluations of contracts accepted in the year,
  2 decimals; on-time rate = on time / delivered in the year, 4 decimals; a part without data at
  80 %. A ≥ 90, B ≥ 75, C ≥ 60, else D.

Every contract runs 5 working days from a Monday signing to the next Monday (no holiday in
those weeks of 2026).

甲 (1): 4 contracts, all delivered on time.
    03-02 signed, delivered 03-06, accepted 03-09, owner rates 5,5,5 = 15 (甲 rates the owner
          1,1,1: the other direction, not counted)
    05-11 signed, delivered 05-18 (the due day), accepted 05-19, rated 5,4,5 = 14
    09-07 signed, delivered 09-11, accepted 09-14, rated 5,5,4 = 14
    12-21 signed, delivered 12-28, accepted 2027-01-05, rated 1,1,1: accepted in 2027, so not
          among 2026's contracts nor its evaluations; delivered in 2026, so in the on-time rate
    contracts 3; avg 43 / 9 = 4.777… → 4.78; on time 4 / 4 = 1.0000
    points 60 × 4.78 / 5 = 57.36, + 40 × 1 = 40 → 97.36 → A
乙 (2): 03-02 on time (03-09) rated 4,4,4 = 12; 03-16 late (03-24, due 03-23) rated 4,5,4 = 13;
    06-08 on time (06-12) rated 3,4,4 = 11; 08-03 on time (08-10) rated 4,4,5 = 13;
    a complaint of 2025-12-20 (another year: not counted)
    contracts 4; avg 49 / 12 = 4.0833… → 4.08; on time 3 / 4 = 0.7500
    points 48.96 + 30 = 78.96 → B
丙 (3): 05-11 late (05-19) rated 4,3,4 = 11; 07-06 on time (07-13) rated 4,4,4 = 12;
    a complaint upheld, 2026-07-20
    contracts 2; avg 23 / 6 = 3.8333… → 3.83; on time 1 / 2 = 0.5000
    points 45.96 + 20 − 5 = 60.96 → C (just above 60)
丁 (4): 09-07 signed, delivered 09-11 in time, returned 09-14, delivered again 09-15 (late: the
    deadline 09-14 did not move), accepted 09-16, rated 2,2,3 = 7; a violation, 2026-10-20
    contracts 1; avg 7 / 3 = 2.3333… → 2.33; on time 0 / 1 = 0.0000
    points 27.96 + 0 − 10 = 17.96 → D
戊 (5): no contract (neutral: 60 × 0.8 = 48, 40 × 0.8 = 32); a complaint, 2026-04-01
    points 48 + 32 − 5 = 75.00 → B (exactly the threshold)
己 (6): 11-09 on time (11-13), accepted 11-16, the owner did not evaluate
    contracts 1; avg none → 48; on time 1 / 1 = 1.0000 → 40; points 88.00 → B
庚 (8): no contract; nine violations in 2026: 80 − 90 = −10 → floored 0.00 → D
(7): still applying (not admitted): not graded.
Counts: A 1 (甲), B 3 (乙, 戊, 己), C 1 (丙), D 2 (丁, 庚)."""

import datetime as dt
from decimal import Decimal

import pytest

from onewindow.errors import DomainError
from onewindow.market import contracts, grades
from onewindow.market.models import Agency, AgencyEvent, Grade, Misconduct, Registration, YearGrade
from onewindow.market.tests import contracting
from onewindow.market.tests.conftest import MONDAY
from onewindow.market.tests.contracting import on

selected = contracting.selected  # the fixture
pytestmark = pytest.mark.django_db
D = dt.date
JAN = D(2027, 1, 6)  # grades computed and published on Wednesday 2027-01-06


@pytest.fixture
def contract(market, selected):
    """contract(agency, signed, delivered, accepted, scores, returned_on=None, redelivered=None)"""

    def make(agency, signed, delivered, accepted=None, scores=None, *, returned_on=None, redelivered=None):
        purchase = selected(agency, offer_days=5, posted=signed - dt.timedelta(days=10))
        c = on(signed, contracts.sign, purchase, by=market.owner)
        on(delivered, contracts.deliver, c, by=agency.user, note="成果")
        if returned_on:
            on(returned_on, contracts.return_delivery, c, by=market.owner, reason="补充")
            on(redelivered, contracts.deliver, c, by=agency.user, note="补充后的成果")
        if accepted:
            on(accepted, contracts.accept, c, by=market.owner)
        if scores:
            q, t, k = scores
            on(accepted, contracts.evaluate, c, by=market.owner, quality=q, timeliness=t, conduct=k)
        return c

    return make


@pytest.fixture
def year_2026(world, market, new_agency, contract):
    """The story of the module docstring; returns the agencies by name."""
    jia, yi, bing, ding, wu, ji = (new_agency(n) for n in range(1, 7))
    applying = new_agency(7, status=Agency.Status.APPLIED)
    geng = new_agency(8)
    c = contract(jia, D(2026, 3, 2), D(2026, 3, 6), D(2026, 3, 9), (5, 5, 5))
    on(D(2026, 3, 9), contracts.evaluate, c, by=jia.user, quality=1, timeliness=1, conduct=1)  # of the owner
    contract(jia, D(2026, 5, 11), D(2026, 5, 18), D(2026, 5, 19), (5, 4, 5))
    contract(jia, D(2026, 9, 7), D(2026, 9, 11), D(2026, 9, 14), (5, 5, 4))
    contract(jia, D(2026, 12, 21), D(2026, 12, 28), D(2027, 1, 5), (1, 1, 1))
    contract(yi, D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 10), (4, 4, 4))
    contract(yi, D(2026, 3, 16), D(2026, 3, 24), D(2026, 3, 25), (4, 5, 4))
    contract(yi, D(2026, 6, 8), D(2026, 6, 12), D(2026, 6, 15), (3, 4, 4))
    contract(yi, D(2026, 8, 3), D(2026, 8, 10), D(2026, 8, 11), (4, 4, 5))
    contract(bing, D(2026, 5, 11), D(2026, 5, 19), D(2026, 5, 20), (4, 3, 4))
    contract(bing, D(2026, 7, 6), D(2026, 7, 13), D(2026, 7, 14), (4, 4, 4))
    contract(ding, D(2026, 9, 7), D(2026, 9, 11), D(2026, 9, 16), (2, 2, 3),
             returned_on=D(2026, 9, 14), redelivered=D(2026, 9, 15))  # fmt: skip
    contract(ji, D(2026, 11, 9), D(2026, 11, 13), D(2026, 11, 16))
    boss = world.hall_admin
    with_kind = [(yi, "complaint", D(2025, 12, 20)), (bing, "complaint", D(2026, 7, 20)),
                 (ding, "violation", D(2026, 10, 20)), (wu, "complaint", D(2026, 4, 1))]  # fmt: skip
    with_kind += [(geng, "violation", D(2026, 2, n)) for n in range(1, 10)]
    for agency, kind, day in with_kind:
        on(JAN, grades.record_misconduct, agency, kind=kind, occurred_on=day, detail="经调查属实。", by=boss)
    return {"甲": jia, "乙": yi, "丙": bing, "丁": ding, "戊": wu, "己": ji, "庚": geng, "applying": applying}


# name: (contracts, evaluation avg, on-time rate, complaints, violations, points, grade) — by hand
EXPECTED = {
    "甲": (3, Decimal("4.78"), Decimal("1.0000"), 0, 0, Decimal("97.36"), Grade.A),
    "乙": (4, Decimal("4.08"), Decimal("0.7500"), 0, 0, Decimal("78.96"), Grade.B),
    "丙": (2, Decimal("3.83"), Decimal("0.5000"), 1, 0, Decimal("60.96"), Grade.C),
    "丁": (1, Decimal("2.33"), Decimal("0.0000"), 0, 1, Decimal("17.96"), Grade.D),
    "戊": (0, None, None, 1, 0, Decimal("75.00"), Grade.B),
    "己": (1, None, Decimal("1.0000"), 0, 0, Decimal("88.00"), Grade.B),
    "庚": (0, None, None, 0, 9, Decimal("0.00"), Grade.D),
}


def figures_of(agencies) -> dict:
    names = {a.pk: name for name, a in agencies.items()}
    return {
        names[g.agency_id]: (g.contracts, g.evaluation_avg, g.on_time_rate, g.complaints, g.violations, g.points,
                             g.grade)
        for g in YearGrade.objects.filter(year=2026)
    }  # fmt: skip


def test_grades_for_a_generated_year_match_the_hand_computed_example(
    world, year_2026, django_assert_max_num_queries
):
    # Set-based: a constant handful of statements for the eight agencies (lock, settings, the
    # figures in one statement, the upsert), never a query per agency.
    with django_assert_max_num_queries(12):
        rows = on(JAN, grades.compute, 2026, by=world.hall_admin)
    assert figures_of(year_2026) == EXPECTED
    assert [r.agency.pk for r in rows][:2] == [year_2026["甲"].pk, year_2026["己"].pk]  # by points
    assert {r.status for r in rows} == {YearGrade.Status.COMPUTED}


def test_publishing_blacklists_d_and_opens_a_ten_working_day_appeal_window(
    world, market, year_2026, post, register
):
    on(JAN, grades.compute, 2026, by=world.hall_admin)
    assert on(JAN, grades.publish, 2026, by=world.supervisor) == 7
    ding, bing = year_2026["丁"], year_2026["丙"]
    ding.refresh_from_db()
    bing.refresh_from_db()  # (and their accounts' cached agency)
    assert (ding.grade, ding.grade_year, bing.grade) == (Grade.D, 2026, Grade.C)
    # 10 working days after 2027-01-06 (the day itself not counted): 01-07 … 01-20
    assert set(YearGrade.objects.values_list("status", "appeal_due_on")) == {("published", D(2027, 1, 20))}
    assert grades.counts(2026) == {"A": 1, "B": 3, "C": 1, "D": 2}
    event = AgencyEvent.objects.get(agency=ding, action="grade")
    assert event.payload == {"year": 2026, "grade": "D", "points": "17.96", "appeal_due_on": "2027-01-20"}
    # D: blacklisted from now on — services.register refuses it
    purchase = post(at=MONDAY)
    with pytest.raises(DomainError) as refused:
        register(purchase, ding)
    assert refused.value.code == "market.blacklisted"
    # C: not on a government-invested purchase
    invested = post(at=MONDAY, government_invested=True, title="政府投资项目测绘")
    with pytest.raises(DomainError) as refused:
        register(invested, bing)
    assert refused.value.code == "market.grade_too_low"
    register(purchase, bing)
    assert list(Registration.objects.filter(purchase=purchase).values_list("agency", flat=True)) == [bing.pk]
    # once published, the year is fixed
    for step in (grades.compute, grades.publish):
        with pytest.raises(DomainError) as refused:
            on(JAN, step, 2026, by=world.hall_admin)
        assert refused.value.code == "market.grades_published"


def test_an_appeal_within_the_window_once_and_its_decision(world, year_2026, post, register):
    on(JAN, grades.compute, 2026, by=world.hall_admin)
    on(JAN, grades.publish, 2026, by=world.hall_admin)
    ding, yi = year_2026["丁"], year_2026["乙"]
    ding_grade, yi_grade = (YearGrade.objects.get(agency=a, year=2026) for a in (ding, yi))

    def code(call, *args, **kw) -> str:
        with pytest.raises(DomainError) as caught:
            call(*args, **kw)
        return caught.value.code

    assert (
        code(on, D(2027, 1, 8), grades.appeal, ding_grade, by=yi.user, reason="x") == "market.not_your_grade"
    )
    assert code(on, D(2027, 1, 8), grades.appeal, ding_grade, by=ding.user, reason=" ") == "market.required"
    # the last day of the window is in; the next working day out
    found = on(
        D(2027, 1, 20), grades.appeal, ding_grade, by=ding.user, reason="09-15的交付系业主延迟提供资料所致。"
    )
    assert (
        code(on, D(2027, 1, 21), grades.appeal, yi_grade, by=yi.user, reason="评价偏低")
        == "market.appeal_closed"
    )
    assert (
        code(on, D(2027, 1, 20), grades.appeal, ding_grade, by=ding.user, reason="再次")
        == "market.appealed_once"
    )
    # hall management decides: only management; upheld needs a different grade
    assert code(on, D(2027, 1, 22), grades.decide_appeal, found, by=ding.user, upheld=True, decision="x",
                new_grade="C") == "market.not_management"  # fmt: skip
    assert code(on, D(2027, 1, 22), grades.decide_appeal, found, by=world.hall_admin, upheld=True, decision="x",
                new_grade="D") == "market.new_grade"  # fmt: skip
    decided = on(D(2027, 1, 22), grades.decide_appeal, found, by=world.hall_admin, upheld=True,
                 decision="经核实，逾期系业主原因，改为C级。", new_grade="C")  # fmt: skip
    assert (decided.status, decided.new_grade) == ("upheld", "C")
    assert code(on, D(2027, 1, 22), grades.decide_appeal, found, by=world.hall_admin, upheld=False,
                decision="x") == "market.appeal_decided"  # fmt: skip
    ding_grade.refresh_from_db()
    ding.refresh_from_db()
    assert (ding_grade.grade, ding_grade.adjusted, ding.grade) == ("C", True, "C")
    assert list(ding.events.order_by("seq").values_list("action", flat=True))[-3:] == [
        "grade", "appeal", "appeal_decided"]  # fmt: skip
    # no longer blacklisted
    assert register(post(at=dt.datetime(2027, 1, 25, 10, tzinfo=MONDAY.tzinfo),
                         registration_deadline=dt.datetime(2027, 1, 29, 17, tzinfo=MONDAY.tzinfo)), ding,
                    at=dt.datetime(2027, 1, 25, 11, tzinfo=MONDAY.tzinfo)).agency == ding  # fmt: skip


def test_recomputing_before_publishing_updates_in_place(world, market, new_agency, contract):
    agency = new_agency(1)
    contract(agency, D(2026, 3, 2), D(2026, 3, 6), D(2026, 3, 9), (5, 5, 5))
    first = on(JAN, grades.compute, 2026, by=world.hall_admin)
    assert [(g.points, g.grade) for g in first] == [(Decimal("100.00"), "A")]  # 60 × 5 / 5 + 40 × 1
    on(JAN, grades.record_misconduct, agency, kind=Misconduct.Kind.VIOLATION, occurred_on=D(2026, 12, 30),
       detail="出具虚假报告。", by=world.supervisor)  # fmt: skip
    second = on(JAN, grades.compute, "2026", by=world.hall_admin)
    assert [(g.pk, g.points, g.grade) for g in second] == [(first[0].pk, Decimal("90.00"), "A")]
    assert YearGrade.objects.count() == 1
    # refusals: not management; a year not over cannot be published; nothing computed
    with pytest.raises(DomainError) as refused:
        on(JAN, grades.compute, 2026, by=agency.user)
    assert refused.value.code == "market.not_management"
    with pytest.raises(DomainError) as refused:
        on(JAN, grades.publish, 2027, by=world.hall_admin)
    assert refused.value.code == "market.year_not_over"
    with pytest.raises(DomainError) as refused:
        on(JAN, grades.publish, 2025, by=world.hall_admin)
    assert refused.value.code == "market.grades_not_computed"
    with pytest.raises(DomainError) as refused:
        on(JAN, grades.record_misconduct, agency, kind="violation", occurred_on=D(2027, 2, 1), detail="x",
           by=world.hall_admin)  # fmt: skip
    assert refused.value.code == "market.misconduct_date"
