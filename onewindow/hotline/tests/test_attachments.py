"""12345 attachments (issue 18 item 1): the photos and scans a caller sends come with the order,
are refused when too many, too large or of another type (nothing is stored then), and are served
inline only to those who may see the order — never from a public media address."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow import clock
from onewindow.hotline import flow
from onewindow.hotline.models import Attachment, WorkOrder
from onewindow.hotline.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _call(op, category, *files):
    with clock.frozen(MONDAY):
        return op.post("/staff/hotline/", {
            "channel": "phone", "type": "help", "category": category.pk, "title": "井盖缺失",
            "content": "新华路口井盖缺失", "caller_phone": "13912345678", "address": "新华路", "attachments": list(files),
        })  # fmt: skip


def test_the_photo_comes_with_the_order_and_only_who_sees_the_order_opens_it(
    world, operator, category, as_user
):
    op = as_user(operator)
    done = _call(op, category, SimpleUploadedFile("井盖.png", PNG, content_type="image/png"))
    assert done.status_code == 302
    order = WorkOrder.objects.get()
    photo = Attachment.objects.get(order=order)
    address = f"/staff/hotline/orders/{order.number}/attachments/{photo.pk}/"
    with clock.frozen(MONDAY):
        assert address in op.get(f"/staff/hotline/orders/{order.number}/").content.decode()
    served = op.get(address)
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG
    assert served["Content-Type"] == "image/png" and served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"] and "no-store" in served["Cache-Control"]
    # Not the lead department's yet (never dispatched to B): 404, as the order page.
    assert as_user(world.reviewer_b).get(address).status_code == 404
    assert as_user(world.reviewer_b).get(f"/staff/hotline/orders/{order.number}/").status_code == 404
    with clock.frozen(MONDAY):
        flow.dispatch(order, by=operator, lead=world.dept_b)
    assert as_user(world.reviewer_b).get(address).status_code == 200
    assert as_user(world.reviewer_a).get(address).status_code == 404
    assert op.get(f"/staff/hotline/orders/{order.number}/attachments/{photo.pk + 1}/").status_code == 404
    assert as_user(world.alice).get(address).status_code in (403, 404)


def test_the_anonymous_and_the_public_media_address_get_nothing(world, operator, category, as_user, client):
    _call(as_user(operator), category, SimpleUploadedFile("井盖.png", PNG, content_type="image/png"))
    photo = Attachment.objects.get()
    address = f"/staff/hotline/orders/{photo.order.number}/attachments/{photo.pk}/"
    assert client.get(address).status_code == 302  # to the login page
    assert client.get("/media/" + photo.file.name).status_code == 404


@pytest.mark.parametrize(("files", "message"), [
    ([SimpleUploadedFile("a.exe", b"MZ", content_type="application/x-msdownload")], "只能是JPG、PNG图片或PDF"),
    ([SimpleUploadedFile("big.png", PNG + b"\x00" * (10 * 1024 * 1024), content_type="image/png")], "超过10MB"),
    ([SimpleUploadedFile(f"{i}.png", PNG, content_type="image/png") for i in range(flow.ATTACHMENT_MAX_COUNT + 1)],
     "附件最多"),
])  # fmt: skip
def test_a_refused_attachment_leaves_no_order_and_no_file(
    world, operator, category, as_user, media, files, message
):
    refused = _call(as_user(operator), category, *files)
    assert refused.status_code == 400 and message in refused.content.decode()
    assert not WorkOrder.objects.exists() and not Attachment.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))
