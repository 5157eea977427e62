"""差评整改 (issue 17 item 2): the story of a bad rating — callback, verification, rectification,
feedback with its SMS, the rater's follow-up rating, closed — each step in the rating's chain;
every refused step changes nothing; the appeal upheld (the rating kept, excluded) and rejected;
a rater who never rates again."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.notify.models import Message
from onewindow.personas import new_staff
from onewindow.ratings import rectification, services
from onewindow.ratings.audit import chain_broken_at
from onewindow.ratings.models import Appeal, Rating, RatingEvent, RatingSettings, Rectification
from onewindow.ratings.tests.rectification_story import PHONE, bad_rating, rectification_of

pytestmark = pytest.mark.django_db
D = dt.date


def actions_of(rating):
    return list(RatingEvent.objects.filter(rating=rating).order_by("seq").values_list("action", flat=True))


def snapshot(rect):
    rect = Rectification.objects.get(pk=rect.pk)
    rating = Rating.objects.get(pk=rect.rating_id)
    return ({f.name: getattr(rect, f.attname) for f in Rectification._meta.concrete_fields},
            rating.event_count, rating.last_hash, rating.excluded, Appeal.objects.count(), Message.objects.count())  # fmt: skip


def test_a_bad_rating_walks_through_callback_rectification_feedback_and_follow_up_to_closed(world):
    rating = bad_rating(world)
    rect = rectification_of(rating)
    assert rect.status == "callback" and rect.department == world.dept_a
    assert (rect.callback_due_on, rect.rectify_due_on) == (D(2026, 11, 3), D(2026, 11, 9))
    assert rectification.allowed_actions(rect, world.reviewer_a) == ["callback"]
    assert rectification.allowed_actions(rect, world.supervisor) == ["callback"]
    assert rectification.allowed_actions(rect, world.reviewer_b) == []  # another department
    assert rectification.may_see_phone(rect, world.reviewer_a) and not rectification.may_see_phone(
        rect, world.reviewer_b
    )

    with clock.frozen(D(2026, 11, 3)):
        rect = rectification.callback(
            rect, by=world.reviewer_a, reached=True, note="已电话联系，评价人反映等候久"
        )
    assert (
        rect.status == "verifying"
        and rect.callback_on_time is True
        and rect.called_back_by == world.reviewer_a
    )
    assert not rectification.may_see_phone(rect, world.reviewer_a)  # the call is made: masked again
    with clock.frozen(D(2026, 11, 4)):
        rect = rectification.verify(rect, by=world.head_a, finding="partly", note="调阅录像，解释不够清楚")
        assert rect.status == "rectifying" and rect.finding == "partly"
        assert rectification.allowed_actions(rect, world.head_a) == ["rectify", "appeal"]
        rect = rectification.rectify(rect, by=world.head_a, measures="约谈窗口人员，制作材料清单一次性告知单")
        assert rectification.allowed_actions(rect, world.head_a) == ["rectify", "feedback", "appeal"]
    with clock.frozen(D(2026, 11, 10)):  # one working day late
        rect = rectification.feedback(
            rect, by=world.reviewer_a, text="已约谈窗口人员并改进告知方式，向您致歉。"
        )
    assert rect.status == "fed_back" and rect.fed_back_on_time is False
    sms = Message.objects.get(subject_kind="rating", subject_key=str(rating.pk))
    assert sms.event == "rating_feedback" and sms.phone == PHONE and "已约谈窗口人员" in sms.text
    assert "测试市场监管局" in sms.text

    with clock.frozen(D(2026, 11, 11)):
        follow = services.record(subject=services.subject_of_case(rating.case, "online"), channel="portal", level=4,
                                 rater_user=world.alice, rater_phone=PHONE, follows=rating)  # fmt: skip
    rect.refresh_from_db()
    assert rect.status == "closed" and rect.closed_at == follow.rated_at
    assert follow.kind == "follow_up" and follow.follows == rating
    assert actions_of(rating) == ["rate", "rectification_open", "callback", "verify", "rectify", "feedback",
                                  "follow_up"]  # fmt: skip
    last = RatingEvent.objects.filter(rating=rating).order_by("-seq").first()
    assert last.payload["to"] == "closed" and last.payload["level"] == 4 and last.actor == world.alice
    assert chain_broken_at(Rating.objects.get(pk=rating.pk)) is None
    assert rectification.allowed_actions(rect, world.hall_admin) == []


def test_the_limits_come_from_the_halls_settings(world):
    RatingSettings.objects.create(hall=world.hall, callback_days=2, rectify_days=10)
    rect = rectification_of(bad_rating(world))
    assert (rect.callback_due_on, rect.rectify_due_on) == (D(2026, 11, 4), D(2026, 11, 16))


def test_a_rectification_without_department_is_hall_managements(world):
    rating = bad_rating(world)
    Rectification.objects.filter(rating=rating).update(department=None)
    rect = rectification_of(rating)
    assert rectification.allowed_actions(rect, world.reviewer_a) == []
    assert rectification.allowed_actions(rect, world.hall_admin) == ["callback"]


@pytest.mark.parametrize(
    "who, step, code",
    [
        ("reviewer_b", lambda r, by: rectification.callback(r, by=by, reached=True), "rectification.role"),
        ("clerk", lambda r, by: rectification.callback(r, by=by, reached=True), "rectification.role"),
        ("outsider", lambda r, by: rectification.callback(r, by=by, reached=True), "rectification.role"),
        ("reviewer_a", lambda r, by: rectification.verify(r, by=by, finding="valid", note="属实"), "rectification.state"),
        ("reviewer_a", lambda r, by: rectification.rectify(r, by=by, measures="整改"), "rectification.state"),
        ("reviewer_a", lambda r, by: rectification.feedback(r, by=by, text="已整改"), "rectification.state"),
        ("reviewer_a", lambda r, by: rectification.file_appeal(r, by=by, ground="malicious", reason="恶意"),
         "rectification.state"),
        ("hall_admin", lambda r, by: rectification.decide_appeal(r, by=by, upheld=True, reason="成立"),
         "rectification.state"),
        ("reviewer_a", lambda r, by: rectification.callback(r, by=by, reached=False), "rectification.note_required"),
        ("reviewer_a", lambda r, by: rectification.callback(r, by=by, reached="yes"), "rectification.reached"),
        ("reviewer_a", lambda r, by: rectification.feedback(r, by=by, text="长" * 71), "rectification.feedback_too_long"),
    ],
)  # fmt: skip
def test_refused_steps_change_nothing(world, who, step, code):
    rect = rectification_of(bad_rating(world))
    before = snapshot(rect)
    with clock.frozen(D(2026, 11, 3)), pytest.raises(DomainError) as refused:
        step(rect, getattr(world, who))
    assert refused.value.code == code
    assert snapshot(rect) == before


def walk_to_rectifying(world, rect):
    with clock.frozen(D(2026, 11, 3)):
        rect = rectification.callback(rect, by=world.reviewer_a, reached=True, note="联系上")
        return rectification.verify(rect, by=world.reviewer_a, finding="malicious", note="评价人与案件无关")


def test_feedback_before_the_measures_and_in_the_wrong_order_is_refused(world):
    rect = walk_to_rectifying(world, rectification_of(bad_rating(world)))
    before = snapshot(rect)
    with pytest.raises(Conflict) as refused:
        rectification.feedback(rect, by=world.reviewer_a, text="已整改")
    assert refused.value.code == "rectification.no_measures" and snapshot(rect) == before
    with pytest.raises(Conflict):
        rectification.callback(rect, by=world.reviewer_a, reached=True)
    assert snapshot(rect) == before
    rating = rect.rating
    with pytest.raises(Conflict) as early:  # no follow-up rating before the feedback
        services.record(subject=services.subject_of_case(rating.case, "online"), channel="portal", level=5,
                        follows=rating)  # fmt: skip
    assert early.value.code == "rating.follow_up_not_open" and snapshot(rect) == before


def test_an_upheld_appeal_keeps_the_rating_excluded_and_in_its_chain(world):
    rect = walk_to_rectifying(world, rectification_of(bad_rating(world)))
    with clock.frozen(D(2026, 11, 4)):
        appeal = rectification.file_appeal(
            rect, by=world.head_a, ground="malicious", reason="评价人非办事人，系恶意差评"
        )
    rect.refresh_from_db()
    assert rect.status == "appealed" and appeal.status == "pending" and appeal.filed_by == world.head_a
    assert rectification.allowed_actions(rect, world.head_a) == []  # not their own appeal's decision
    assert rectification.allowed_actions(rect, world.supervisor) == ["decide_appeal"]
    with clock.frozen(D(2026, 11, 5)):
        appeal = rectification.decide_appeal(
            rect, by=world.supervisor, upheld=True, reason="经核查录像，评价人未在该窗口办事"
        )
    assert appeal.status == "upheld" and appeal.decided_by == world.supervisor
    rect.refresh_from_db()
    rating = Rating.objects.get(pk=rect.rating_id)  # still there
    assert rect.status == "closed" and rect.closed_at is not None
    assert rating.excluded is True and rating.excluded_at == appeal.decided_at and rating.level == 1
    assert actions_of(rating)[-2:] == ["appeal", "decide_appeal"]
    decided = RatingEvent.objects.filter(rating=rating, action="decide_appeal").get()
    assert decided.payload == {"from": "appealed", "to": "closed", "outcome": "upheld"}
    assert chain_broken_at(rating) is None


def test_a_rejected_appeal_returns_to_rectifying_and_a_second_appeal_is_refused(world):
    rect = walk_to_rectifying(world, rectification_of(bad_rating(world)))
    rectification.file_appeal(rect, by=world.reviewer_a, ground="mistaken", reason="评价人误点")
    appeal = rectification.decide_appeal(
        rect, by=world.hall_admin, upheld=False, reason="评价内容与办理情况相符"
    )
    rect.refresh_from_db()
    assert appeal.status == "rejected" and rect.status == "rectifying"
    assert Rating.objects.get(pk=rect.rating_id).excluded is False
    before = snapshot(rect)
    with pytest.raises(Conflict) as second:
        rectification.file_appeal(rect, by=world.reviewer_a, ground="malicious", reason="再次申诉")
    assert second.value.code == "rectification.already_appealed" and snapshot(rect) == before
    assert "appeal" not in rectification.allowed_actions(rect, world.reviewer_a)
    with pytest.raises(Forbidden):  # hall management does not appeal to itself
        rectification.file_appeal(rect, by=world.hall_admin, ground="malicious", reason="x")
    assert chain_broken_at(Rating.objects.get(pk=rect.rating_id)) is None


def test_an_appeal_is_the_departments_and_only_hall_management_decides(world):
    rect = walk_to_rectifying(world, rectification_of(bad_rating(world)))
    other_head = new_staff("head_b", "何北", Role.DEPARTMENT_HEAD, world.hall, world.dept_b)
    with pytest.raises(Forbidden):
        rectification.file_appeal(rect, by=other_head, ground="malicious", reason="x")
    rectification.file_appeal(rect, by=world.reviewer_a, ground="malicious", reason="恶意")
    before = snapshot(rect)
    with pytest.raises(Forbidden):
        rectification.decide_appeal(rect, by=world.head_a, upheld=True, reason="成立")
    assert snapshot(rect) == before


def test_a_rater_who_never_rates_again_is_closed_by_the_job_after_the_follow_up_days(world):
    rect = walk_to_rectifying(world, rectification_of(bad_rating(world)))
    with clock.frozen(D(2026, 11, 5)):  # Thursday
        rect = rectification.rectify(rect, by=world.reviewer_a, measures="整改")
        rect = rectification.feedback(rect, by=world.reviewer_a, text="已整改")
    assert rectification.close_unanswered(D(2026, 11, 12)) == 0  # 5 working days later: still open
    assert rectification.close_unanswered(D(2026, 11, 13)) == 1
    assert rectification.close_unanswered(D(2026, 11, 13)) == 0  # once
    rect.refresh_from_db()
    assert rect.status == "closed"
    rating = Rating.objects.get(pk=rect.rating_id)
    assert actions_of(rating)[-1] == "auto_close" and chain_broken_at(rating) is None
