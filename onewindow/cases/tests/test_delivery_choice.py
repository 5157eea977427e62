"""不见面审批 (issue 15 item 3): applying online, the applicant chooses how the license reaches
her — at a window, or by post to a recipient she names (checked). The choice is stored with the
case and shown on 我的办件; a refused choice stores nothing, not even the case."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases.models import Case, DeliveryChoice
from onewindow.personas import published_item

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
URL = "/items/T-SPJY-0001/apply/"
POST_TO = {"delivery_method": "post", "delivery_recipient": "艾丽", "delivery_phone": "13912345678",
           "delivery_address": "德州市德城区东风中路1号"}  # fmt: skip


@pytest.fixture
def item(world):
    return published_item(world, delivery=["pickup", "post"])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _apply(client, item, **fields):
    key = item.current.materials.get(name="食品经营许可申请书")
    upload = SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf")
    return client.post(URL, {f"material_{key.pk}": upload, **fields})


def test_the_apply_page_offers_the_methods_of_the_item(world, item, as_user):
    page = as_user(world.alice).get(URL).content.decode()
    assert 'value="pickup" checked' in page and 'value="post"' in page and 'name="delivery_address"' in page


def test_an_item_delivered_only_at_a_window_offers_no_post(world, as_user):
    published_item(world, delivery=["pickup"])
    page = as_user(world.alice).get(URL).content.decode()
    assert 'value="pickup"' in page and 'value="post"' not in page and 'name="delivery_address"' not in page


def test_she_chooses_the_post_and_sees_it_on_her_case(world, item, media, as_user):
    alice = as_user(world.alice)
    answer = _apply(alice, item, **POST_TO)
    assert answer.status_code == 302, answer.content.decode()
    choice = DeliveryChoice.objects.get(case=Case.objects.get())
    assert (choice.method, choice.recipient, choice.phone, choice.address) == (
        "post", "艾丽", "13912345678", "德州市德城区东风中路1号")  # fmt: skip
    shown = alice.get(answer["Location"]).content.decode()
    assert "免费邮寄" in shown and "德州市德城区东风中路1号" in shown


def test_pickup_needs_no_address(world, item, media, as_user):
    assert _apply(as_user(world.alice), item, delivery_method="pickup").status_code == 302
    assert DeliveryChoice.objects.get().method == "pickup" and DeliveryChoice.objects.get().address == ""


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"delivery_phone": "1391234567"}, "收件人电话应为11位手机号码"),
        ({"delivery_phone": "23912345678"}, "收件人电话应为11位手机号码"),
        ({"delivery_recipient": "  "}, "请填写收件人姓名"),
        ({"delivery_address": "德州"}, "请填写详细收件地址"),
        ({"delivery_method": "drone"}, "请选择送达方式：窗口领取或免费邮寄"),
        ({"delivery_method": ""}, "请选择送达方式"),
    ],
)
def test_a_bad_choice_is_refused_and_nothing_is_stored(world, item, media, as_user, changes, message):
    answer = _apply(as_user(world.alice), item, **(POST_TO | changes))
    assert answer.status_code == 400 and message in answer.content.decode()
    assert not Case.objects.exists() and not DeliveryChoice.objects.exists()
    assert 'value="德州市德城区东风中路1号"' in answer.content.decode() or "delivery_address" in changes


def test_post_is_refused_where_the_item_does_not_offer_it(world, media, as_user):
    item = published_item(world, delivery=["pickup"])
    answer = _apply(as_user(world.alice), item, **POST_TO)
    assert answer.status_code == 400 and "请选择送达方式：窗口领取" in answer.content.decode()
    assert not Case.objects.exists()
