"""好差评 channels: each lands exactly once through record(), a second rating of the same case and
mode is refused 409 and changes nothing, a bad input is refused with its code, an unpaired device
cannot post; the portal card, the QR page and the API shape."""

import pytest

from onewindow import clock
from onewindow.cases.models import Case
from onewindow.errors import DomainError
from onewindow.ratings import channels, devices, rectification
from onewindow.ratings.models import Rating, RatingEvent
from onewindow.ratings.tests.channel_helpers import AT, accepted, device, served_ticket, submitted, tags

pytestmark = pytest.mark.django_db


def rate_online(world, case, channel="portal", level=4, **kw):
    with clock.frozen(AT):
        return channels.rate_case_online(case, channel=channel, by=world.alice, level=level, **kw)


# ---- portal (and the one-rating rule) -------------------------------------------------------------


def test_the_applicant_rates_an_answered_case_once_on_the_portal(world):
    tags()
    case = accepted(world)
    rating = rate_online(world, case, level=5, indicators={"efficiency": 5, "usability": 4},
                         tags=["态度热情", "指南清晰准确"], text="很快")  # fmt: skip
    assert (rating.channel, rating.mode, rating.kind) == ("portal", "online", "first")
    assert rating.case == case and rating.hall == world.hall and rating.department == world.dept_a
    assert rating.window == world.window_1 and rating.officer == world.clerk  # the accepting officer
    assert rating.rater == world.alice_applicant and rating.rater_user == world.alice and rating.real_name
    assert rating.efficiency == 5 and rating.usability == 4 and rating.tags == ["态度热情", "指南清晰准确"]
    assert list(RatingEvent.objects.filter(rating=rating).values_list("action", flat=True)) == ["rate"]

    with pytest.raises(DomainError) as refused:
        rate_online(world, case, channel="qr", level=1)
    assert (refused.value.status, refused.value.code) == (409, "rating.already_rated")
    assert Rating.objects.count() == 1 and not hasattr(Rating.objects.get(), "rectification")


def test_a_case_before_its_intake_answer_cannot_be_rated_online(world):
    case = submitted(world)
    assert not channels.may_rate_online(case)
    with pytest.raises(DomainError) as refused:
        rate_online(world, case)
    assert (refused.value.status, refused.value.code) == (409, "rating.not_yet")
    assert Rating.objects.count() == 0


@pytest.mark.parametrize("fields, code", [
    ({"level": 0}, "rating.invalid_level"),
    ({"level": "5"}, "rating.invalid_level"),
    ({"level": None}, "rating.invalid_level"),
    ({"level": 4, "indicators": {"attitude": 5}}, "rating.invalid_indicator"),  # an on-site indicator online
    ({"level": 4, "indicators": {"efficiency": 6}}, "rating.invalid_level"),
    ({"level": 4, "tags": ["等候时间长"]}, "rating.invalid_tag"),  # a bad rating's tag with a good level
    ({"level": 4, "tags": ["业务熟练"]}, "rating.invalid_tag"),  # an on-site tag online
    ({"level": 4, "tags": ["停用的标签"]}, "rating.invalid_tag"),
    ({"level": 4, "text": "长" * 501}, "rating.text_too_long"),
])  # fmt: skip
def test_bad_input_is_refused_with_its_code_and_changes_nothing(world, fields, code):
    tags()
    case = accepted(world)
    with pytest.raises(DomainError) as refused:
        rate_online(world, case, **fields)
    assert (refused.value.status, refused.value.code) == (400, code)
    assert Rating.objects.count() == 0 and RatingEvent.objects.count() == 0


def test_a_bad_rating_opens_its_rectification(world):
    case = accepted(world)
    rate_online(world, case, level=2, tags=[])
    rating = Rating.objects.get()
    assert rating.is_bad and rating.rectification.department == world.dept_a


# ---- the window device ------------------------------------------------------------------------------


def test_the_device_rates_the_ticket_being_served_with_its_case(world):
    tags()
    case = accepted(world)
    ticket = served_ticket(world, case_numbers=[case.number])
    dev, _ = device(world)
    with clock.frozen(AT):
        rating = channels.rate_at_window(
            dev, level=5, indicators={"attitude": 5, "skill": 4}, tags=["业务熟练"]
        )
    assert (rating.channel, rating.mode) == ("device", "on_site")
    assert rating.ticket == ticket and rating.case == case and rating.window == world.window_1
    assert rating.officer == world.clerk and rating.department == world.dept_a and rating.real_name
    assert rating.attitude == 5 and rating.skill == 4
    dev.refresh_from_db()
    assert dev.last_seen_at is not None
    # 一次一评: the same service is not rated twice — the served ticket is no longer the current one.
    with clock.frozen(AT), pytest.raises(DomainError) as refused:
        channels.rate_at_window(dev, level=1)
    assert (refused.value.status, refused.value.code) == (409, "rating.no_service")
    # …and the case's online rating is a separate one (一事一评 online).
    assert rate_online(world, Case.objects.get(pk=case.pk)).mode == "online"
    assert Rating.objects.count() == 2


def test_the_device_rates_a_ticket_just_finished_but_not_an_old_one(world):
    ticket = served_ticket(world, finish=True)
    dev, _ = device(world)
    with clock.frozen(AT.replace(minute=devices.RECENT_MINUTES + 1)), pytest.raises(DomainError) as refused:
        channels.rate_at_window(dev, level=4)
    assert refused.value.code == "rating.no_service"
    with clock.frozen(AT.replace(minute=5)):
        with pytest.raises(DomainError) as online_indicator:
            channels.rate_at_window(dev, level=4, indicators={"usability": 4})
        assert online_indicator.value.code == "rating.invalid_indicator" and Rating.objects.count() == 0
        rating = channels.rate_at_window(dev, level=4, indicators={"efficiency": 4})
    assert (
        rating.ticket == ticket and rating.case is None and rating.department is None
    )  # comprehensive window


def test_the_tablet_page_pairs_once_and_only_a_paired_device_posts(world, client):
    tags()
    case = accepted(world)
    served_ticket(world, case_numbers=[case.number])
    _, key = device(world)
    url = f"/rate/window/{world.window_1.pk}/"
    with clock.frozen(AT):
        unpaired = client.post(url, {"level": "5"})
        assert unpaired.status_code == 403 and "尚未配对" in unpaired.content.decode()
        assert Rating.objects.count() == 0
        wrong = client.get("/rate/pair/owr_not-a-key/")
        assert wrong.status_code == 401 and "rating.device_key_invalid" in wrong.content.decode()
        paired = client.get(f"/rate/pair/{key}/")
        assert paired.status_code == 302 and paired.url == url
        assert paired.cookies[devices.COOKIE]["max-age"] == devices.COOKIE_AGE
        page = client.get(url).content.decode()
        assert "柯萝" in page and 'data-testid="rate-form"' in page and "业务熟练" in page
        assert 'data-testid="not-paired"' not in page
        bad = client.post(url, {"level": "7", "ind_attitude": "5"})
        assert bad.status_code == 400 and "rating.invalid_level" in bad.content.decode()
        done = client.post(url, {"level": "5", "ind_attitude": "5", "tags": ["业务熟练"]})
        assert done.status_code == 302 and done.url == url + "?thanks=1"
        assert 'data-testid="thanks"' in client.get(done.url).content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.attitude, rating.tags) == ("device", 5, 5, ["业务熟练"])


def test_another_windows_page_or_a_deactivated_device_is_refused(world, client):
    served_ticket(world)
    dev, key = device(world)
    with clock.frozen(AT):
        client.get(f"/rate/pair/{key}/")
        other = client.post(f"/rate/window/{world.window_a.pk}/", {"level": "5"})
        assert other.status_code == 403
        dev.is_active = False
        dev.save(update_fields=["is_active"])
        gone = client.post(f"/rate/window/{world.window_1.pk}/", {"level": "5"})
        assert gone.status_code == 403 and "rating.device_not_paired" in gone.content.decode()
    assert Rating.objects.count() == 0


def test_the_clerk_photo_or_initials(world, client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    page = client.get(f"/rate/window/{world.window_1.pk}/").content.decode()
    assert 'class="photo initials"' in page and "柯" in page
    assert client.get(f"/rate/window/{world.window_1.pk}/photo/").status_code == 404
    from django.core.files.base import ContentFile

    from onewindow.web.tests.browser import sample_png

    staff = world.clerk.staff
    staff.photo.save("clerk.png", ContentFile(sample_png((60, 80))))
    page = client.get(f"/rate/window/{world.window_1.pk}/").content.decode()
    assert f'src="/rate/window/{world.window_1.pk}/photo/"' in page
    photo = client.get(f"/rate/window/{world.window_1.pk}/photo/")
    assert photo.status_code == 200 and b"".join(photo.streaming_content)[:4] == b"\x89PNG"


# ---- the portal card, the QR code ---------------------------------------------------------------------


def test_the_case_page_card_offers_rating_then_shows_it(world, as_user):
    case = accepted(world)
    alice = as_user(world.alice)
    page = alice.get(f"/my/cases/{case.number}/").content.decode()
    assert f'hx-get="/rate/case/{case.number}/card/"' in page
    card = alice.get(f"/rate/case/{case.number}/card/").content.decode()
    assert 'data-testid="rate-link"' in card
    with clock.frozen(AT):
        done = alice.post(
            f"/rate/case/{case.number}/", {"level": "2", "ind_efficiency": "1", "text": "跑了两趟"}
        )
    assert done.status_code == 302 and done.url == f"/my/cases/{case.number}/"
    card = alice.get(f"/rate/case/{case.number}/card/").content.decode()
    assert "不满意" in card and "跑了两趟" in card and 'data-testid="rating-follow-up"' in card
    assert 'data-testid="rate-link"' not in card
    again = alice.post(f"/rate/case/{case.number}/", {"level": "5"})
    assert again.status_code == 409 and Rating.objects.count() == 1


def test_only_the_applicant_rates_and_the_qr_lands_on_the_qr_channel(world, as_user, client):
    case = accepted(world)
    assert as_user(world.outsider).get(f"/rate/case/{case.number}/").status_code == 404
    assert as_user(world.clerk).post(f"/rate/qr/{case.number}/", {"level": "5"}).status_code == 404
    assert client.get(f"/rate/qr/{case.number}/").status_code == 302  # to the login
    qr = client.get(f"/rate/qr/{case.number}/code/").content.decode()
    assert 'data-testid="rating-qr"' in qr and "data:image/svg+xml" in qr
    with clock.frozen(AT):
        done = as_user(world.alice).post(f"/rate/qr/{case.number}/", {"level": "4", "tags": []})
    assert done.status_code == 302 and Rating.objects.get().channel == "qr"


# ---- the API -------------------------------------------------------------------------------------------


def test_the_api_rates_once_lists_and_refuses(world, api):
    tags()
    case = accepted(world)
    body = {"level": 5, "indicators": {"guide_accuracy": 5}, "tags": ["态度热情"], "text": "好"}
    with clock.frozen(AT):
        invalid = api(world.alice).post(f"/cases/{case.number}/ratings", {"level": 9})
        unknown = api(world.alice).post(f"/cases/{case.number}/ratings", {"level": 4, "tags": ["无此标签"]})
        first = api(world.alice).post(f"/cases/{case.number}/ratings", body, **{"Idempotency-Key": "r-1"})
        replay = api(world.alice).post(f"/cases/{case.number}/ratings", body, **{"Idempotency-Key": "r-1"})
        second = api(world.alice).post(f"/cases/{case.number}/ratings", body)
        stranger = api(world.outsider).post(f"/cases/{case.number}/ratings", body)
    assert first.status_code == 201, first.content
    data = first.json()
    assert (
        data["channel"] == "portal"
        and data["level_display"] == "非常满意"
        and data["indicators"] == {"guide_accuracy": 5}
    )
    assert replay.status_code == 201 and replay.json()["id"] == data["id"]
    assert second.status_code == 409 and second.json()["code"] == "rating.already_rated"
    assert invalid.status_code == 400 and invalid.json()["code"] == "rating.invalid_level"
    assert unknown.status_code == 400 and unknown.json()["code"] == "rating.invalid_tag"
    assert stranger.status_code == 404
    assert Rating.objects.count() == 1
    listed = api(world.reviewer_a).get(f"/cases/{case.number}/ratings").json()
    assert listed["count"] == 1 and listed["results"][0]["case"] == case.number
    assert api(world.alice).get(f"/cases/{case.number}/ratings").json()["count"] == 1
    assert api(world.reviewer_b).get(f"/cases/{case.number}/ratings").status_code == 404
    assert api(world.outsider).get(f"/cases/{case.number}/ratings").status_code == 404


def test_the_device_api_needs_its_key(world, client):
    tags()
    served_ticket(world)
    _, key = device(world)
    url = "/api/v1/rating-devices/ratings"
    with clock.frozen(AT):
        none = client.post(url, {"level": 5}, content_type="application/json")
        wrong = client.post(
            url, {"level": 5}, content_type="application/json", headers={"X-Device-Key": "nope"}
        )
        ok = client.post(url, {"level": 3, "indicators": {"skill": 3}}, content_type="application/json",
                         headers={"X-Device-Key": key})  # fmt: skip
        twice = client.post(url, {"level": 3}, content_type="application/json", headers={"X-Device-Key": key})
    assert none.status_code == 401 and none.json()["code"] == "rating.device_key_invalid"
    assert wrong.status_code == 401
    assert ok.status_code == 201 and ok.json()["channel"] == "device" and ok.json()["ticket"]
    assert twice.status_code == 409 and twice.json()["code"] == "rating.no_service"
    assert Rating.objects.count() == 1


def test_the_tags_api(world, client):
    tags()
    every = client.get("/api/v1/rating-tags").json()
    assert [t["text"] for t in every] == ["态度热情", "指南清晰准确", "业务熟练", "等候时间长"]
    online_bad = client.get("/api/v1/rating-tags?mode=online&bad=true").json()
    assert [t["text"] for t in online_bad] == ["等候时间长"]
    on_site_good = client.get("/api/v1/rating-tags?mode=on_site&bad=false").json()
    assert [t["text"] for t in on_site_good] == ["态度热情", "业务熟练"]
    assert client.get("/api/v1/rating-tags?mode=x").json()["code"] == "rating.invalid_mode"


def test_the_progress_page_loads_the_rating_qr(world, client):
    case = accepted(world)
    page = client.post("/progress/", {"number": case.number, "phone_last4": "5678"}).content.decode()
    assert f'hx-get="/rate/qr/{case.number}/code/"' in page
    qr = client.get(f"/rate/qr/{case.number}/code/").content.decode()
    assert "data:image/svg+xml" in qr


# ---- the follow-up rating (追评) on the portal card ---------------------------------------------------


def test_the_applicant_follows_the_loop_on_the_card_and_rates_the_rectification_once(world, as_user):
    """The bad rating's loop as the applicant sees it: the callback promised, the feedback shown,
    then one follow-up rating (channel portal), which closes the rectification."""
    case = accepted(world)
    alice = as_user(world.alice)
    with clock.frozen(AT):
        bad = channels.rate_case_online(case, channel="portal", by=world.alice, level=1, text="材料讲不清")
    rect = bad.rectification
    card = alice.get(f"/rate/case/{case.number}/card/").content.decode()
    assert "前与您联系回访" in card and 'data-testid="follow-up-link"' not in card
    # Before the feedback the follow-up is refused and changes nothing.
    early = alice.post(f"/rate/case/{case.number}/follow-up/{bad.pk}/", {"level": "4"})
    assert early.status_code == 409 and Rating.objects.count() == 1
    with clock.frozen(AT):
        rect = rectification.callback(rect, by=world.head_a, reached=True, note="已电话联系")
        rect = rectification.verify(rect, by=world.head_a, finding="valid", note="窗口解释不清")
        rect = rectification.rectify(rect, by=world.head_a, measures="重新培训一次性告知")
        rect = rectification.feedback(rect, by=world.head_a, text="已培训窗口人员，向您致歉。")
    card = alice.get(f"/rate/case/{case.number}/card/").content.decode()
    assert "已培训窗口人员，向您致歉。" in card and 'data-testid="follow-up-link"' in card
    form = alice.get(f"/rate/case/{case.number}/follow-up/{bad.pk}/")
    assert form.status_code == 200 and "重新培训一次性告知" in form.content.decode()
    with clock.frozen(AT):
        done = alice.post(f"/rate/case/{case.number}/follow-up/{bad.pk}/", {"level": "4", "text": "满意"})
    assert done.status_code == 302
    follow = Rating.objects.get(kind="follow_up")
    assert (
        follow.follows == bad
        and follow.channel == "portal"
        and follow.level == 4
        and follow.rater_user == world.alice
    )
    rect.refresh_from_db()
    assert rect.status == "closed"
    card = alice.get(f"/rate/case/{case.number}/card/").content.decode()
    assert "您的追评：满意" in card and 'data-testid="follow-up-link"' not in card
    again = alice.post(f"/rate/case/{case.number}/follow-up/{bad.pk}/", {"level": "5"})
    assert again.status_code == 409 and Rating.objects.count() == 2
    # Someone else's case, or a rating that is not a bad one of this case: 404.
    assert as_user(world.outsider).get(f"/rate/case/{case.number}/follow-up/{bad.pk}/").status_code == 404
    assert alice.get(f"/rate/case/{case.number}/follow-up/{follow.pk}/").status_code == 404
