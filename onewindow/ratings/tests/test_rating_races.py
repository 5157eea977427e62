"""Every operation runs concurrently with itself: two posts rating the same case at once make one
rating and one rating.already_rated; two tabs using one SMS link at once make one rating and one
rating.token_used; two taps on the device at once rate the service once (threads with their own
connections; PostgreSQL shows the races)."""

import re

import pytest

from onewindow import clock
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.notify.models import Message
from onewindow.ratings import channels, invites
from onewindow.ratings.models import Rating, RatingEvent, RatingInvite
from onewindow.ratings.tests.channel_helpers import AT, accepted, device, refused, served_ticket

pytestmark = pytest.mark.django_db(transaction=True)


def split(results):
    ratings = [r for r in results if isinstance(r, Rating)]
    refusals = [r for r in results if isinstance(r, DomainError)]
    assert len(ratings) == 1 and len(refusals) == 1, results
    return ratings[0], refusals[0]


def test_two_portal_posts_of_one_case_at_once_make_one_rating(world):
    case = accepted(world)

    def rate(channel, level):
        with clock.frozen(AT):
            return channels.rate_case_online(case, channel=channel, by=world.alice, level=level)

    rating, refused_ = split(run_together(lambda: rate("portal", 5), lambda: rate("qr", 1)))
    assert (refused_.status, refused_.code) == (409, "rating.already_rated")
    assert Rating.objects.count() == 1 and RatingEvent.objects.filter(action="rate").count() == 1
    assert Rating.objects.get().pk == rating.pk


def test_two_uses_of_one_sms_link_at_once_make_one_rating(world):
    refused(world)
    with clock.frozen(AT):
        invites.send_invites()
    token = re.search(r"/rate/t/([A-Za-z0-9_-]+)/", Message.objects.get(event="rating_invite").text).group(1)

    def use(level):
        with clock.frozen(AT):
            return invites.use(token, level=level)

    rating, refused_ = split(run_together(lambda: use(5), lambda: use(2)))
    assert refused_.code in ("rating.token_used", "rating.already_rated")
    assert Rating.objects.count() == 1 and RatingInvite.objects.get().rating_id == rating.pk


def test_two_taps_on_the_device_at_once_rate_the_service_once(world):
    served_ticket(world)
    dev, _ = device(world)

    def tap(level):
        with clock.frozen(AT):
            return channels.rate_at_window(dev, level=level)

    _, refused_ = split(run_together(lambda: tap(5), lambda: tap(4)))
    assert refused_.code in ("rating.already_rated", "rating.no_service")
    assert Rating.objects.count() == 1
