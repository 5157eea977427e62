import datetime as dt

import pytest
from django.db import transaction

from onewindow import clock
from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.notify.models import Event, Message
from onewindow.notify.services import enqueue
from onewindow.notify.tests.gateway import API_KEY, Gateway
from onewindow.personas import all_required, published_item

QUEUED_AT = dt.datetime(2026, 11, 2, 8, 0, tzinfo=clock.hall_tz())


@pytest.fixture
def food(world):
    """食品经营许可 of department A: 1 申请书 (key), 2 营业执照 (shared), 3 管理制度 (tolerable)."""
    return published_item(world)


@pytest.fixture
def submitted(world, food):
    """submitted() → a new case of Alice's at window 01, every required material handed in."""

    def make(applicant=None):
        return cases.submit(version=food.current, applicant=applicant or world.alice_applicant, hall=world.hall,
                            channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(food.current))  # fmt: skip

    return make


@pytest.fixture
def gateway():
    server = Gateway().start()
    yield server
    server.stop()


@pytest.fixture
def sms_gateway(settings, gateway):
    """The http backend pointed at the local gateway, with short timeouts and backoff."""
    settings.ONEWINDOW_SMS_BACKEND = "http"
    settings.ONEWINDOW_SMS_URL = gateway.url
    settings.ONEWINDOW_SMS_KEY = API_KEY
    settings.ONEWINDOW_SMS_KEY_HEADER = "X-Api-Key"
    settings.ONEWINDOW_SMS_CONNECT_TIMEOUT = 1
    settings.ONEWINDOW_SMS_READ_TIMEOUT = 0.5
    settings.ONEWINDOW_SMS_RETRY_BASE_SECONDS = 30
    settings.ONEWINDOW_SMS_RETRY_CAP_SECONDS = 3600
    settings.ONEWINDOW_SMS_MAX_ATTEMPTS = 12
    return gateway


@pytest.fixture
def queued(world):
    """queued(n) → n pending appointment-reminder messages for n phones, queued together at
    QUEUED_AT (2026-11-02 08:00) unless `at` says otherwise."""

    def make(n: int, prefix: str = "T", at: dt.datetime | None = None) -> list[Message]:
        with clock.frozen(at or QUEUED_AT), transaction.atomic():
            return [
                enqueue(phone=f"139{i:08d}", event=Event.APPOINTMENT_REMINDER, key=f"test:{prefix}{i:04d}",
                        hall=world.hall, context={"hall": world.hall.name, "category": "企业开办", "code": f"C{i}"})
                for i in range(n)
            ]  # fmt: skip

    return make
