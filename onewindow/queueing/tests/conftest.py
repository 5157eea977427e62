import datetime as dt

import pytest

from onewindow import clock
from onewindow.queueing.models import Category, WindowCategory


@pytest.fixture
def queue(world):
    """Two categories in the persona hall; window 01 calls A then B, window 11 calls B only."""
    a = Category.objects.create(hall=world.hall, letter="A", name="企业开办", order=1)
    b = Category.objects.create(hall=world.hall, letter="B", name="社会事务", order=2)
    WindowCategory.objects.create(window=world.window_1, category=a, order=1)
    WindowCategory.objects.create(window=world.window_1, category=b, order=2)
    WindowCategory.objects.create(window=world.window_a, category=b, order=1)
    return {"A": a, "B": b}


@pytest.fixture
def open_hall():
    """Thursday 2026-11-26 10:00 in the hall: the persona hall is open, its kiosk issues tickets."""
    with clock.frozen(dt.datetime(2026, 11, 26, 10, 0, tzinfo=clock.hall_tz())):
        yield
