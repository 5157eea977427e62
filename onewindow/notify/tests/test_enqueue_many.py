"""enqueue_many (supervision's sweep queues its SMS in batches, decision 34): the same messages
as enqueue one by one, a key already queued left as it is, None without a mobile number."""

import pytest
from django.db import transaction

from onewindow.notify.models import Event, Message
from onewindow.notify.services import enqueue, enqueue_many

pytestmark = pytest.mark.django_db

CONTEXT = {"number": "N1", "item": "食品经营许可", "due_on": None, "remaining": 1, "department": "市场监管局"}


def _request(key, phone="13912345678"):
    return {"phone": phone, "event": Event.URGED, "context": CONTEXT, "key": key, "subject_kind": "case",
            "subject_key": "N1"}  # fmt: skip


@pytest.mark.parametrize("fast", [False, True])
def test_the_same_rows_as_enqueue_an_existing_key_kept_and_no_mobile_none(fast):
    with transaction.atomic():
        first = enqueue(**_request("k:1"))
        built = enqueue_many(
            [_request("k:1"), _request("k:2"), _request("k:3", phone="0534-1234567")], fast=fast
        )
    assert [m is not None for m in built] == [True, True, False]
    assert Message.objects.count() == 2
    assert Message.objects.get(key="k:1").pk == first.pk  # left as it was: not a second message
    one, many = Message.objects.get(key="k:1"), Message.objects.get(key="k:2")
    assert (many.text, many.phone, many.event, many.subject_key) == (
        one.text,
        one.phone,
        one.event,
        one.subject_key,
    )
