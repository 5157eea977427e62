"""Every outbox operation runs concurrently with itself (threads, each with its own connection)."""

import datetime as dt

import pytest
from django.db import transaction

from onewindow import clock
from onewindow.concurrently import run_together
from onewindow.notify import outbox
from onewindow.notify.models import Event, Message
from onewindow.notify.services import enqueue

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_cause_queued_twice_at_once_is_one_message(world):
    def queue():
        with transaction.atomic():
            return enqueue(phone="13912345678", event=Event.RATING_CALLBACK, key="rating:R1:callback",
                           context={"number": "N1", "item": "食品经营许可"})  # fmt: skip

    first, second = run_together(queue, queue)
    assert isinstance(first, Message) and isinstance(second, Message), (first, second)
    assert first.pk == second.pk
    assert Message.objects.count() == 1


def test_claims_at_once_never_share_a_message(queued):
    queued(30, at=clock.now() - dt.timedelta(minutes=1))  # due
    results = run_together(*[lambda: outbox.claim(batch=8, lease_seconds=60)[1]] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    claimed = [m.pk for batch in results for m in batch]
    assert len(claimed) == len(set(claimed)) == 30  # 4 × 8 places: every message, each once
    assert Message.objects.filter(state=Message.State.SENDING).count() == len(claimed)
