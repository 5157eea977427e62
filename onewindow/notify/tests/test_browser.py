"""Ada, the hall admin, finds a message the gateway refused on her phone and sends it again."""

import pytest
from django.db import transaction

from onewindow.notify.models import Event, Message
from onewindow.notify.services import enqueue
from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_the_hall_admin_sends_a_refused_message_again_from_a_phone(world, live_server, phone):
    with transaction.atomic():
        message = enqueue(phone="13912345678", event=Event.RATING_CALLBACK, key="rating:R1:callback",
                          hall=world.hall, context={"number": "371400-20261102-000001", "item": "食品经营许可"})  # fmt: skip
    Message.objects.filter(pk=message.pk).update(
        state=Message.State.DEAD,
        attempts=1,
        last_error="HTTP 400: 该号码已停机",
        last_attempt_at=message.created_at,
    )
    log_in(phone, live_server.url, "hall_admin", PASSWORD)
    page = phone.page
    page.goto(live_server.url + "/staff/messages/")
    assert page.inner_text("[data-testid=count-dead] strong") == "1"
    assert "该号码已停机" in page.inner_text("[data-testid=dead-error]")
    assert "139****5678" in page.inner_text("[data-testid=dead-row]")
    assert page.evaluate(FITS), "the messages page is wider than the phone"
    phone.screenshot("messages-dead-phone")
    page.click("[data-testid=retry]")
    page.wait_for_load_state("networkidle")
    assert "已重新排队发送" in page.inner_text("main")
    assert page.inner_text("[data-testid=count-dead] strong") == "0"
    assert page.inner_text("[data-testid=count-pending] strong") == "1"
    assert Message.objects.get(pk=message.pk).state == Message.State.PENDING
    assert phone.errors == []
