"""The admin of 好差评: a device's pairing link and key shown once (the link pairs a tablet), the
ratings read-only and never deletable, the tags and settings editable."""

import re

import pytest
from django.contrib.messages import get_messages

from onewindow import clock
from onewindow.ratings import channels, devices
from onewindow.ratings.models import Rating, RatingDevice
from onewindow.ratings.tests.channel_helpers import AT, accepted

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world, as_user):
    world.hall_admin.is_superuser = world.hall_admin.is_staff = True
    world.hall_admin.save()
    return as_user(world.hall_admin)


def test_the_admin_adds_a_device_and_shows_its_pairing_link_once(world, admin_client, client):
    answer = admin_client.post("/admin/ratings/ratingdevice/add/",
                               {"window": world.window_1.pk, "name": "01号窗口平板", "is_active": "on"})  # fmt: skip
    assert answer.status_code == 302
    shown = [str(m) for m in get_messages(answer.wsgi_request) if "配对链接" in str(m)]
    link = re.search(r"(/rate/pair/(owr_[A-Za-z0-9_-]+)/)", shown[0])
    device = RatingDevice.objects.get(name="01号窗口平板")
    assert devices.device_for_key(link.group(2)) == device and link.group(2) not in device.key_hash
    assert device.key_prefix == link.group(2)[:8] and device.created_at is not None
    admin_client.get("/admin/ratings/ratingdevice/")  # the message is shown here, once
    page = admin_client.get(f"/admin/ratings/ratingdevice/{device.pk}/change/").content.decode()
    assert link.group(2) not in page and device.key_prefix in page
    assert client.get(link.group(1)).status_code == 302  # the link pairs a tablet


def test_ratings_are_read_only_and_never_deleted(world, admin_client):
    with clock.frozen(AT):
        rating = channels.rate_case_online(accepted(world), channel="portal", by=world.alice, level=1)
    assert admin_client.get("/admin/ratings/rating/").status_code == 200
    assert admin_client.get(f"/admin/ratings/rating/{rating.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/ratings/rating/{rating.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/ratings/ratingevent/").status_code == 200
    assert admin_client.get("/admin/ratings/ratinginvite/").status_code == 200
    assert Rating.objects.filter(pk=rating.pk).exists()
    assert admin_client.get("/admin/ratings/ratingtag/add/").status_code == 200
    assert admin_client.get("/admin/ratings/ratingsettings/add/").status_code == 200
