"""承诺时限建议: the advice for 食品经营许可 matches a hand computation from its history, and a
proposal drafted from it goes through the catalog's two-person publishing like any change."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.cases.models import Case, Outcome, Status, Suspension
from onewindow.catalog import services as catalog
from onewindow.catalog.models import ItemVersion
from onewindow.errors import DomainError
from onewindow.foresight import advisor
from onewindow.foresight.models import PromiseAdvice
from onewindow.personas import new_staff, published_item
from onewindow.workdays import calendar

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 2)  # the window: 2025-11-03 .. 2026-11-02
D = dt.date


def at(day: dt.date, hour: int = 15, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.hall_tz())


def make_case(world, item, number, accepted, decided, *, outcome=Outcome.APPROVED, paused=(), extension=0,
              hour=15) -> Case:  # fmt: skip
    """A case as the hall's services leave it once decided: closed_on/closed_seq the hall's date of
    decided_at (cases.transitions.close_case), extra_days = pauses + extension."""
    extra = sum(days for _, days in paused) + extension
    case = Case.objects.create(
        number=number, item=item, item_version=item.current, department=item.department,
        applicant=world.alice_applicant, hall=world.hall, region_code=world.district.code, channel="window",
        status=Status.CLOSED, received_at=at(accepted, 9), received_on=accepted, intake_from=accepted,
        accepted_on=accepted, promised_days=item.current.promised_limit_days, extra_days=extra,
        due_seq=calendar.seq(accepted) + item.current.promised_limit_days + extra, extended=extension > 0,
        outcome=outcome, closed_at=at(decided, hour), closed_on=decided, closed_seq=calendar.seq(decided),
        decided_at=None if outcome in (Outcome.WITHDRAWN, Outcome.REFUSED) else at(decided, hour),
    )  # fmt: skip
    for started, days in paused:
        Suspension.objects.create(
            case=case, kind=Suspension.Kind.EXPERT_REVIEW, reason="专家评审", started_on=started,
            ended_on=calendar.add_workdays(started, days), days=days, started_by=world.reviewer_a,
        )  # fmt: skip
    return case


@pytest.fixture
def history(world):
    """40 decided cases of 食品经营许可 (legal 20, promised 5 working days; steps 审查 3 + 决定 1)
    around 2026's 中秋 (Fri 25 Sep) and 国庆 (1–7 Oct, with Sat 10 Oct a working day):

      group  cases  accepted     decided            working days after acceptance      days
      A        8    Mon 28 Sep   Mon 28 Sep         —                                    0
      B       10    Wed 30 Sep   Thu  8 Oct 07:30   8 Oct (1–7 Oct holiday)              1
      C       10    Thu 24 Sep   Tue 29 Sep         28, 29 Sep (25 Sep 中秋, weekend)    2
      D        8    Fri  9 Oct   Tue 13 Oct         10 (Sat, 调休), 12, 13 Oct           3
      E1       1    Mon 12 Oct   Fri 16 Oct         13–16 Oct                            4
      E2       1    Mon 12 Oct   Mon 19 Oct         13–16, 19 Oct = 5, less a 1-day pause 4
      F        1    Mon 12 Oct   Thu 22 Oct         13–16, 19–22 = 8, less 3 days of
                                                    expert review (art. 45)              5
      G        1    Mon 12 Oct   Mon 26 Oct         13–16, 19–23, 26 = 10; a 5-day
                                                    extension (art. 42) is not a pause  10

    of which 3 of B denied and 1 of C revoked (decided all the same). Not counted: a withdrawn
    and a refused case, one decided 15 Oct 2025 (before the window), one accepted and decided
    on 3 Nov 2026 (after it).

    By hand, n = 40: 0:8, 1:10, 2:10, 3:8, 4:2, 5:1, 10:1; cumulative 8, 18, 28, 36, 38, 39, 40,
    i.e. 20%, 45%, 70%, 90%, 95%, 97.5%, 100%. 95% of 40 = 38 cases → the advised limit is 4
    (the smallest L with ≥ 38 within); median: 20 cases → 2; P95 → 4; on the spot 8/40 = 20%;
    the current promise of 5 keeps 39/40 = 97.5%."""
    assert not calendar.is_workday(D(2026, 9, 25)) and not calendar.is_workday(D(2026, 10, 7))
    assert calendar.is_workday(D(2026, 10, 10))  # 调休: a Saturday worked
    item = published_item(world)
    n = iter(range(1000))
    number = lambda: f"T2026{next(n):06d}"  # noqa: E731
    for _ in range(8):
        make_case(world, item, number(), D(2026, 9, 28), D(2026, 9, 28))
    for i in range(10):
        make_case(world, item, number(), D(2026, 9, 30), D(2026, 10, 8), hour=7,
                  outcome=Outcome.DENIED if i < 3 else Outcome.APPROVED)  # fmt: skip
    for i in range(10):
        make_case(world, item, number(), D(2026, 9, 24), D(2026, 9, 29),
                  outcome=Outcome.REVOKED if i == 0 else Outcome.APPROVED)  # fmt: skip
    for _ in range(8):
        make_case(world, item, number(), D(2026, 10, 9), D(2026, 10, 13))
    make_case(world, item, number(), D(2026, 10, 12), D(2026, 10, 16))
    make_case(world, item, number(), D(2026, 10, 12), D(2026, 10, 19), paused=[(D(2026, 10, 14), 1)])
    make_case(world, item, number(), D(2026, 10, 12), D(2026, 10, 22), paused=[(D(2026, 10, 13), 3)])
    make_case(world, item, number(), D(2026, 10, 12), D(2026, 10, 26), extension=5)
    make_case(world, item, number(), D(2026, 10, 12), D(2026, 10, 14), outcome=Outcome.WITHDRAWN)
    make_case(world, item, number(), D(2026, 10, 12), D(2026, 10, 12), outcome=Outcome.REFUSED)
    make_case(world, item, number(), D(2025, 10, 9), D(2025, 10, 15))
    make_case(world, item, number(), D(2026, 11, 3), D(2026, 11, 3))
    with clock.frozen(TODAY):
        yield item


@pytest.fixture
def second_admin(world):
    return new_staff("hall_admin_2", "艾伦", Role.HALL_ADMIN, world.hall)


def test_it_matches_the_hand_computation(history):
    advice = advisor.advise(history)
    assert (advice.since, advice.until) == (D(2025, 11, 3), D(2026, 11, 2))
    assert advice.histogram == ((0, 8), (1, 10), (2, 10), (3, 8), (4, 2), (5, 1), (10, 1))
    assert advice.n == 40
    assert (advice.median_days, advice.p95_days) == (2, 4)
    assert (advice.status, advice.advised_days) == (advisor.Status.ADVISED, 4)
    assert advice.within(4) == 38 and advice.advised_share == 0.95
    assert (advice.current_days, advice.legal_days, advice.current_share) == (5, 20, 0.975)
    assert (advice.on_the_spot_cases, advice.on_the_spot_share) == (8, 0.2)


def test_all_items_come_from_one_grouped_query(history, world, django_assert_max_num_queries):
    other = published_item(world, code="T-YP-0001", name="饮品经营许可")
    make_case(world, other, "T-OTHER-1", D(2026, 10, 12), D(2026, 10, 13))
    with django_assert_max_num_queries(2):  # the grouped counts, then the items
        rows = advisor.advise_all()
    assert [(a.code, a.n, a.advised_days) for a in rows] == [(history.code, 40, 4), (other.code, 1, None)]
    assert rows[1].status == advisor.Status.FEW_CASES  # 1 < ONEWINDOW_PROMISE_MIN_CASES (30)


def test_the_share_is_a_setting(history, settings):
    settings.ONEWINDOW_PROMISE_ON_TIME_PERCENT = 90  # 36 of 40 → 3 days
    assert advisor.advise(history).advised_days == 3
    assert advisor.advise(history, percent=70).advised_days == 2  # 28 of 40


def test_it_never_advises_above_the_legal_limit(world, history):
    catalog_draft = catalog.start_draft(history, by=world.hall_admin)
    catalog.save_draft(catalog_draft, by=world.hall_admin, elements={"legal_limit_days": 6})
    second = new_staff("hall_admin_2", "艾伦", Role.HALL_ADMIN, world.hall)
    catalog.propose(catalog_draft, by=world.hall_admin)
    catalog.publish(catalog_draft, by=second)
    advice = advisor.advise(history, percent=100)  # all 40 need 10 days; the law allows 6
    assert (advice.status, advice.advised_days, advice.within(6)) == (advisor.Status.LEGAL_SHORT, 6, 39)


def test_replay_gives_the_share_a_limit_would_have_kept(history):
    assert advisor.replay(4, history, D(2025, 11, 3), D(2026, 11, 2)) == 0.95
    assert advisor.replay(3, history, D(2025, 11, 3), D(2026, 11, 2)) == 0.9
    assert advisor.replay(3, history, D(2026, 10, 1), D(2026, 10, 31)) == 18 / 22  # B, D of B, D, E, F, G
    assert advisor.replay(3, history, D(2027, 1, 1), D(2027, 1, 31)) is None


def test_fit_steps_cuts_the_longest_step_first():
    steps = [
        {"name": "审查", "role": "reviewer", "days": 3},
        {"name": "决定", "role": "department_head", "days": 1},
    ]
    assert [s["days"] for s in advisor.fit_steps(steps, 2)] == [1, 1]
    assert [s["days"] for s in advisor.fit_steps(steps, 1)] == [0, 1]
    assert [s["days"] for s in advisor.fit_steps(steps, 0)] == [0, 0]
    assert advisor.fit_steps(steps, 4) == steps


def test_the_draft_goes_through_two_person_publishing(world, history, second_admin):
    # given the advice drafted by a hall admin
    draft = advisor.draft_from_advice(history, by=world.hall_admin)
    assert (draft.state, draft.number, draft.promised_limit_days) == (ItemVersion.State.DRAFT, 2, 4)
    assert "5个工作日 → 4个工作日" in draft.change_note and "95.0%" in draft.change_note
    evidence = draft.promise_advice
    assert (evidence.cases, evidence.advised_days, evidence.on_time_cases, evidence.current_days) == (
        40,
        4,
        38,
        5,
    )
    assert (evidence.legal_days, evidence.on_the_spot_cases, evidence.median_days, evidence.p95_days) == (
        20,
        8,
        2,
        4,
    )
    assert evidence.histogram == [[0, 8], [1, 10], [2, 10], [3, 8], [4, 2], [5, 1], [10, 1]]
    history.refresh_from_db()
    assert history.current.promised_limit_days == 5  # nothing applied without people
    # when the admin proposes it, the same admin may not publish it
    catalog.propose(draft, by=world.hall_admin)
    with pytest.raises(DomainError) as err:
        catalog.publish(draft, by=world.hall_admin)
    assert err.value.code == "catalog.same_person"
    # then a second admin publishes it
    catalog.publish(draft, by=second_admin)
    history.refresh_from_db()
    assert history.current_id == draft.pk and history.current.promised_limit_days == 4


def test_a_tighter_promise_cuts_the_steps_to_fit(world, history, settings):
    settings.ONEWINDOW_PROMISE_ON_TIME_PERCENT = 90
    draft = advisor.draft_from_advice(history, by=world.hall_admin)
    assert draft.promised_limit_days == 3
    assert [(s.name, s.days) for s in draft.steps.all()] == [("审查", 2), ("决定", 1)]
    assert "各环节时限已压缩为：审查2个工作日、决定1个工作日" in draft.change_note
    catalog.propose(draft, by=world.head_a)  # the department head proposes, the admin publishes
    assert catalog.publish(draft, by=world.hall_admin).promised_limit_days == 3


def test_an_on_the_spot_advice_makes_an_on_the_spot_item(world, history, settings):
    settings.ONEWINDOW_PROMISE_MIN_CASES = 8  # group A alone
    draft = advisor.draft_from_advice(
        history, by=world.hall_admin, since=D(2026, 9, 28), until=D(2026, 9, 28)
    )
    assert advisor.advise(history, since=D(2026, 9, 28), until=D(2026, 9, 28)).n == 8
    assert (draft.promised_limit_days, draft.on_the_spot) == (0, True)


def test_it_refuses_when_the_item_has_an_open_draft(world, history):
    catalog.start_draft(history, by=world.hall_admin)
    with pytest.raises(DomainError) as err:
        advisor.draft_from_advice(history, by=world.hall_admin)
    assert err.value.code == "foresight.draft_exists" and "第2版" in err.value.message
    assert not PromiseAdvice.objects.exists()


def test_it_refuses_without_enough_cases(world, history, settings):
    settings.ONEWINDOW_PROMISE_MIN_CASES = 41
    with pytest.raises(DomainError) as err:
        advisor.draft_from_advice(history, by=world.hall_admin)
    assert err.value.code == "foresight.no_advice" and "样本不足" in err.value.message
    assert history.versions.count() == 1


def test_it_refuses_an_unchanged_limit(world, history, settings):
    settings.ONEWINDOW_PROMISE_ON_TIME_PERCENT = 97  # 38.8 of 40 → 39 cases → 5 days, as now
    with pytest.raises(DomainError) as err:
        advisor.draft_from_advice(history, by=world.hall_admin)
    assert err.value.code == "foresight.limit_unchanged"
    assert history.versions.count() == 1


@pytest.mark.parametrize("persona", ["supervisor", "head_a", "reviewer_a", "alice"])
def test_only_a_hall_admin_drafts(world, history, persona):
    with pytest.raises(DomainError) as err:
        advisor.draft_from_advice(history, by=getattr(world, persona))
    assert (err.value.code, err.value.status) == ("foresight.admin_only", 403)
    assert history.versions.count() == 1 and not PromiseAdvice.objects.exists()


def test_the_days_are_those_the_case_services_leave(world, settings):
    """One case through the real services: accepted Wed 30 Sep 2026, on-site survey from Thu 8 Oct
    to Sat 10 Oct (2 working days: 9 and 10 Oct, 调休), extended by 3 days, decided Thu 15 Oct.
    Working days after acceptance: 8, 9, 10, 12, 13, 14, 15 Oct = 7, less the 2 of the survey = 5
    (the extension is not a pause)."""
    from onewindow.cases import services as cases
    from onewindow.cases.models import Channel
    from onewindow.personas import all_required

    settings.ONEWINDOW_PROMISE_MIN_CASES = 1
    item = published_item(world)
    with clock.frozen(D(2026, 9, 30)):
        case = cases.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                            channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
        case = cases.accept(case, by=world.clerk)
    with clock.frozen(D(2026, 10, 8)):
        case = cases.suspend(case, by=world.reviewer_a, kind="on_site_survey", reason="现场核查")
    with clock.frozen(D(2026, 10, 10)):
        case = cases.resume(case, by=world.reviewer_a)
        case = cases.extend(case, by=world.head_a, days=3, reason="情况复杂")
    with clock.frozen(at(D(2026, 10, 15), 8)):
        cases.review(case, by=world.reviewer_a, opinion="经审查，符合条件")
        case = cases.decide(case, by=world.head_a, approve=True)
    assert case.extra_days == 5
    with clock.frozen(TODAY):
        advice = advisor.advise(item)
    assert (advice.histogram, advice.advised_days) == (((5, 1),), 5)
