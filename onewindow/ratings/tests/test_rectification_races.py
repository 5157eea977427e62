"""Two staff acting on one bad rating at once (threads with their own connections; PostgreSQL
shows the races): two callbacks make one callback, one event and a chain that verifies; two
appeals make one appeal; a follow-up rating racing the appeal leaves one of them."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.ratings import rectification, services
from onewindow.ratings.audit import chain_broken_at
from onewindow.ratings.models import Appeal, Rating, RatingEvent, Rectification
from onewindow.ratings.tests.rectification_story import bad_rating, rectification_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_callbacks_at_once_make_one(world):
    rect = rectification_of(bad_rating(world))
    with clock.frozen(dt.date(2026, 11, 3)):
        results = run_together(
            lambda: rectification.callback(rect, by=world.reviewer_a, reached=True, note="审查人员回访"),
            lambda: rectification.callback(rect, by=world.head_a, reached=True, note="负责人回访"),
        )
    done = [r for r in results if isinstance(r, Rectification)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert (refused[0].status, refused[0].code) == (409, "rectification.state")
    rect.refresh_from_db()
    assert rect.status == "verifying" and rect.callback_note == done[0].callback_note
    assert RatingEvent.objects.filter(rating_id=rect.rating_id, action="callback").count() == 1
    assert chain_broken_at(Rating.objects.get(pk=rect.rating_id)) is None


def test_two_appeals_at_once_make_one(world):
    rect = rectification_of(bad_rating(world))
    with clock.frozen(dt.date(2026, 11, 3)):
        rect = rectification.callback(rect, by=world.reviewer_a, reached=True, note="联系上")
        results = run_together(
            lambda: rectification.file_appeal(rect, by=world.reviewer_a, ground="mistaken", reason="误评"),
            lambda: rectification.file_appeal(rect, by=world.head_a, ground="malicious", reason="恶意"),
        )
    assert sum(isinstance(r, Appeal) for r in results) == 1, results
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    assert Appeal.objects.count() == 1
    assert RatingEvent.objects.filter(rating_id=rect.rating_id, action="appeal").count() == 1
    assert chain_broken_at(Rating.objects.get(pk=rect.rating_id)) is None


def test_a_follow_up_racing_an_appeal_leaves_one(world):
    rating = bad_rating(world)
    rect = rectification_of(rating)
    with clock.frozen(dt.date(2026, 11, 3)):
        rect = rectification.callback(rect, by=world.reviewer_a, reached=True, note="联系上")
        rect = rectification.verify(rect, by=world.reviewer_a, finding="valid", note="属实")
        rect = rectification.rectify(rect, by=world.reviewer_a, measures="培训")
        rect = rectification.feedback(rect, by=world.reviewer_a, text="已整改")
        subject = services.subject_of_case(rating.case, "online")
        results = run_together(
            lambda: services.record(subject=subject, channel="portal", level=5, follows=rating),
            lambda: rectification.file_appeal(rect, by=world.head_a, ground="malicious", reason="恶意"),
        )
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    rect.refresh_from_db()
    assert rect.status in ("closed", "appealed")
    assert chain_broken_at(Rating.objects.get(pk=rating.pk)) is None
