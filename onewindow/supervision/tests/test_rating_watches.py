"""Issue 17: overdue steps of a bad rating and of a complaint are supervision events — watched
with the ONE light next to the other clocks (差评回访, 差评整改, 投诉答复), and recorded once in the
violation register (差评回访超时, 差评整改超时, 投诉答复超时) against the department, the rated
window and officer; the register, the cards and the assessment work with a violation that has
no case."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.assessment import services as assessment
from onewindow.assessment.models import ScoreLine
from onewindow.conftest import client_for
from onewindow.personas import new_staff
from onewindow.ratings import complaints, rectification
from onewindow.ratings.models import RatingSettings
from onewindow.ratings.tests.rectification_story import accepted_case, bad_rating, rectification_of
from onewindow.supervision import detectors, watches
from onewindow.supervision import services as supervision
from onewindow.supervision.models import Violation

pytestmark = pytest.mark.django_db
D = dt.date
ALL = ("red", "yellow", "green")
K = Violation.Kind


def lights(kind: str, today: dt.date, user) -> dict[str, str]:
    rows = watches.items(watches.BY_KEY[kind], watches.scope_for(user), today, lights=ALL)
    return {str(r["w_number"]): r["light"] for r in rows}


def run_supervision_twice(day):
    """The periodic job's supervision part, twice (a second run records nothing again)."""
    with clock.frozen(day):
        for _ in range(2):
            supervision.sweep()
            detectors.detect()


def test_a_missed_callback_turns_red_and_becomes_one_violation(world):
    rating = bad_rating(world)  # Monday 11-02: callback due Tuesday 11-03
    key = str(rating.pk)
    assert lights("callbacks", D(2026, 11, 2), world.supervisor) == {key: "yellow"}
    assert lights("callbacks", D(2026, 11, 3), world.supervisor) == {key: "yellow"}
    assert lights("callbacks", D(2026, 11, 4), world.supervisor) == {key: "red"}
    assert (
        watches.counts(watches.BY_KEY["callbacks"], watches.scope_for(world.head_a), D(2026, 11, 4))["red"]
        == 1
    )
    other = new_staff("head_b", "何北", Role.DEPARTMENT_HEAD, world.hall, world.dept_b)
    assert lights("callbacks", D(2026, 11, 4), other) == {}  # another department's
    # The rectification's own clock (5 days) is still green that day.
    assert lights("rectifications", D(2026, 11, 4), world.supervisor) == {key: "green"}

    run_supervision_twice(D(2026, 11, 3))  # due today: not yet a violation
    assert not Violation.objects.filter(kind=K.CALLBACK_OVERDUE).exists()
    run_supervision_twice(D(2026, 11, 4))
    found = Violation.objects.get(kind=K.CALLBACK_OVERDUE)
    assert found.rectification == rectification_of(rating) and found.case is None
    assert (found.department, found.window, found.officer) == (world.dept_a, world.window_1, world.clerk)
    assert "2026-11-03" in found.detail and found.found_on == D(2026, 11, 4)

    # The late callback moves the clock on: the callback is no longer watched, nothing twice.
    with clock.frozen(D(2026, 11, 4)):
        rect = rectification.callback(
            rectification_of(rating), by=world.reviewer_a, reached=True, note="迟到的回访"
        )
    assert rect.callback_on_time is False
    assert lights("callbacks", D(2026, 11, 4), world.supervisor) == {}
    run_supervision_twice(D(2026, 11, 5))
    assert Violation.objects.filter(kind=K.CALLBACK_OVERDUE).count() == 1


def test_a_callback_made_late_between_two_runs_is_still_recorded(world):
    rating = bad_rating(world)
    with clock.frozen(D(2026, 11, 5)):
        rectification.callback(rectification_of(rating), by=world.reviewer_a, reached=True, note="晚了")
    run_supervision_twice(D(2026, 11, 5))
    assert Violation.objects.filter(kind=K.CALLBACK_OVERDUE, rectification__rating=rating).count() == 1


def test_a_rectification_not_fed_back_by_its_limit_becomes_one_violation(world):
    RatingSettings.objects.create(hall=world.hall, callback_days=1, rectify_days=3)  # due Thursday 11-05
    rating = bad_rating(world)
    with clock.frozen(D(2026, 11, 3)):
        rectification.callback(rectification_of(rating), by=world.reviewer_a, reached=True, note="联系上")
    key = str(rating.pk)
    assert lights("rectifications", D(2026, 11, 3), world.supervisor) == {key: "green"}
    assert lights("rectifications", D(2026, 11, 4), world.supervisor) == {key: "yellow"}
    assert lights("rectifications", D(2026, 11, 6), world.supervisor) == {key: "red"}
    run_supervision_twice(D(2026, 11, 6))
    found = Violation.objects.get(kind=K.RECTIFICATION_OVERDUE)
    assert found.rectification.rating_id == rating.pk and found.department == world.dept_a
    assert not Violation.objects.filter(kind=K.CALLBACK_OVERDUE).exists()  # the callback was on time


def test_an_overdue_complaint_turns_red_and_becomes_one_violation(world):
    case = accepted_case(world)
    with clock.frozen(D(2026, 11, 2)):  # due Monday 11-09 (5 working days)
        about_case = complaints.file_complaint(by=world.alice, subject="窗口态度差", text="不解释",
                                               case_number=case.number, hall=world.hall)  # fmt: skip
        about_case = complaints.assign(about_case, by=world.hall_admin, department=world.dept_a)
        unassigned = complaints.file_complaint(by=world.alice, subject="排队久", text="等了两小时",
                                               hall=world.hall)  # fmt: skip
        # About the case (department A by its case), never assigned: hall management's to assign.
        not_assigned = complaints.file_complaint(by=world.alice, subject="又等很久", text="没人管",
                                                 case_number=case.number, hall=world.hall)  # fmt: skip
    assert unassigned.department is None and not_assigned.department == world.dept_a
    assert lights("complaints", D(2026, 11, 5), world.supervisor) == {about_case.number: "green",
                                                                      unassigned.number: "green",
                                                                      not_assigned.number: "green"}  # fmt: skip
    assert lights("complaints", D(2026, 11, 9), world.supervisor)[about_case.number] == "yellow"
    assert lights("complaints", D(2026, 11, 10), world.supervisor) == {about_case.number: "red",
                                                                       unassigned.number: "red",
                                                                       not_assigned.number: "red"}  # fmt: skip
    assert lights("complaints", D(2026, 11, 10), world.head_a) == {about_case.number: "red"}
    run_supervision_twice(D(2026, 11, 10))
    found = Violation.objects.get(kind=K.COMPLAINT_OVERDUE)
    # Only the assigned one: the others are hall management's own delay (not yet the department's).
    assert found.complaint == about_case and found.case is None
    assert (found.department, found.window, found.officer) == (world.dept_a, world.window_1, world.clerk)
    with clock.frozen(D(2026, 11, 11)):
        complaints.answer(about_case, by=world.head_a, text="已整改")
    run_supervision_twice(D(2026, 11, 11))
    assert Violation.objects.filter(kind=K.COMPLAINT_OVERDUE).count() == 1


def test_the_overdue_page_shows_the_new_kinds_with_links(world):
    rating = bad_rating(world)
    with clock.frozen(D(2026, 11, 4)):
        page = client_for(world.supervisor).get("/staff/supervision/", {"kind": "callbacks", "light": "red"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="kind-callbacks"' in html and 'data-testid="kind-complaints"' in html
    assert f'href="/staff/ratings/{rating.pk}/"' in html and "红灯" in html


def test_the_register_cards_and_assessment_work_with_a_violation_without_a_case(world):
    rating = bad_rating(world)
    run_supervision_twice(D(2026, 11, 4))
    found = Violation.objects.get(kind=K.CALLBACK_OVERDUE)
    client = client_for(world.supervisor)
    with clock.frozen(D(2026, 11, 4)):
        listed = client.get("/staff/supervision/violations/", {"kind": "callback_overdue"})
        assert listed.status_code == 200 and "差评回访超时" in listed.content.decode()
        assert f"/staff/ratings/{rating.pk}/" in listed.content.decode()
        decided = client.post(
            f"/staff/supervision/violations/{found.pk}/", {"to": "upheld", "reason": "未按期回访"}
        )
        assert decided.status_code == 302
        one = client.get(f"/staff/supervision/violations/{found.pk}/")
        assert one.status_code == 200 and "认定违规" in one.content.decode()
        card = client.get(f"/staff/supervision/cards/{world.clerk.pk}/")
        assert card.status_code == 200 and "差评回访超时" in card.content.decode()
        window_card = client.get(f"/staff/supervision/cards/windows/{world.window_1.pk}/")
        assert window_card.status_code == 200 and f"差评{rating.pk}" in window_card.content.decode()
        assert client.get("/staff/supervision/cards/").status_code == 200
    with clock.frozen(D(2026, 12, 1)):
        assessment.compute(D(2026, 11, 1), world.hall)
    line = ScoreLine.objects.get(code="violations", score__window=world.window_1)
    assert line.measured == "认定违规1起" and line.points < 0
