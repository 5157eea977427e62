"""短信邀请评价: the job invites each closed case once (run twice: one invite, one SMS), not where
the hall switched invitations off, not without a phone or after an online rating; the link rates
once without login — a replayed or expired link is refused, a wrong one too."""

import datetime as dt
import re

import pytest

from onewindow import clock
from onewindow.accounts.models import Applicant
from onewindow.errors import DomainError
from onewindow.notify.models import Message
from onewindow.ratings import channels, invites
from onewindow.ratings.models import Rating, RatingInvite, RatingSettings
from onewindow.ratings.tests.channel_helpers import AT, accepted, refused, tags

pytestmark = pytest.mark.django_db
LATER = AT + dt.timedelta(hours=2)


def token_of(message: Message) -> str:
    return re.search(r"/rate/t/([A-Za-z0-9_-]+)/", message.text).group(1)


def test_the_job_invites_a_closed_case_once_with_one_sms(world):
    case = refused(world)
    with clock.frozen(LATER):
        assert invites.send_invites() == 1
        assert invites.send_invites() == 0
    invite = RatingInvite.objects.get()
    assert invite.case == case and invite.used_at is None
    assert invite.expires_at == invite.sent_at + dt.timedelta(days=invites.VALID_DAYS)
    sms = Message.objects.get(event="rating_invite")
    assert sms.phone == "13912345678" and sms.key == f"case:{case.number}:rating_invite"
    assert case.number in sms.text and "30天内有效" in sms.text
    token = token_of(sms)
    assert invite.token_hash == invites.token_hash(token) and token not in invite.token_hash


def test_no_invite_where_switched_off_without_a_phone_or_after_an_online_rating(world):
    RatingSettings.objects.create(hall=world.hall, sms_invites=False)
    refused(world)
    with clock.frozen(LATER):
        assert invites.send_invites() == 0
    RatingSettings.objects.filter(hall=world.hall).update(sms_invites=True)
    Applicant.objects.filter(pk=world.alice_applicant.pk).update(phone="")
    with clock.frozen(LATER):
        assert invites.send_invites() == 0
    Applicant.objects.filter(pk=world.alice_applicant.pk).update(phone="13912345678")
    case = accepted(world)
    with clock.frozen(AT):
        channels.rate_case_online(case, channel="portal", by=world.alice, level=5)
    # A third case; the first, closed while the invitations were off, is invited now they are on.
    refused(world)
    with clock.frozen(LATER):
        invited = invites.send_invites()
    numbers = set(RatingInvite.objects.values_list("case__number", flat=True))
    assert case.number not in numbers and invited == len(numbers) == 2
    assert Message.objects.filter(event="rating_invite").count() == 2


def test_an_open_case_or_one_closed_long_ago_is_not_invited(world):
    accepted(world)
    refused(world)
    with clock.frozen(AT + invites.LOOKBACK + dt.timedelta(minutes=1)):
        assert invites.send_invites() == 0
    assert RatingInvite.objects.count() == 0 and not Message.objects.filter(event="rating_invite").exists()


def test_the_link_rates_once_without_login_and_a_replay_is_refused(world, client):
    tags()
    case = refused(world)
    with clock.frozen(LATER):
        invites.send_invites()
    url = f"/rate/t/{token_of(Message.objects.get(event='rating_invite'))}/"
    with clock.frozen(LATER):
        form = client.get(url)
        assert form.status_code == 200 and case.number in form.content.decode()
        bad = client.post(url, {"level": "8"})
        assert bad.status_code == 400 and RatingInvite.objects.get().used_at is None  # still usable
        done = client.post(url, {"level": "1", "tags": ["等候时间长"], "text": "等了两小时"})
        assert done.status_code == 200 and 'data-testid="thanks"' in done.content.decode()
        replay = client.post(url, {"level": "5"})
        again = client.get(url)
    assert replay.status_code == 409 and 'data-code="rating.token_used"' in replay.content.decode()
    assert again.status_code == 409
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.case, rating.rater_user) == ("sms", 1, case, None)
    assert rating.rater == world.alice_applicant and rating.real_name and rating.rectification
    invite = RatingInvite.objects.get()
    assert invite.used_at is not None and invite.rating == rating


def test_an_expired_or_unknown_link_is_refused(world, client):
    refused(world)
    with clock.frozen(LATER):
        invites.send_invites()
    token = token_of(Message.objects.get(event="rating_invite"))
    with clock.frozen(LATER + dt.timedelta(days=invites.VALID_DAYS, seconds=1)):
        expired = client.post(f"/rate/t/{token}/", {"level": "5"})
        with pytest.raises(DomainError) as refused_use:
            invites.use(token, level=5)
    assert expired.status_code == 410 and 'data-code="rating.token_expired"' in expired.content.decode()
    assert refused_use.value.code == "rating.token_expired"
    unknown = client.get("/rate/t/not-a-token/")
    assert unknown.status_code == 404 and 'data-code="rating.token_invalid"' in unknown.content.decode()
    assert Rating.objects.count() == 0 and RatingInvite.objects.get().used_at is None


def test_a_link_of_a_case_rated_on_the_portal_meanwhile_is_refused_and_stays_unused(world, client):
    case = refused(world)
    with clock.frozen(LATER):
        invites.send_invites()
        channels.rate_case_online(case, channel="portal", by=world.alice, level=4)
        with pytest.raises(DomainError) as refused_use:
            invites.use(token_of(Message.objects.get(event="rating_invite")), level=5)
    assert (refused_use.value.status, refused_use.value.code) == (409, "rating.already_rated")
    assert Rating.objects.count() == 1 and RatingInvite.objects.get().used_at is None


def test_the_periodic_jobs_list_the_invitations(world):
    from onewindow.ops import periodic

    refused(world)
    with clock.frozen(LATER):
        results = periodic.run_jobs()
        again = periodic.run_jobs()
    assert results["rating_invites"] == 1 and again["rating_invites"] == 0
    assert Message.objects.filter(event="rating_invite").count() == 1
