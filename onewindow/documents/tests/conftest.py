import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import services
from onewindow.cases.models import Channel
from onewindow.personas import published_item


@pytest.fixture
def food(world):
    """食品经营许可 of department A: 1 申请书 (key), 2 营业执照 (shared), 3 管理制度 (tolerable)."""
    return published_item(world)


@pytest.fixture
def walk_in(world, food):
    """walk_in(handed_in=(1, 2, 3)) → a case handed in at window 01 by Alice, on the clock's day
    (the shared 营业执照 on paper: Alice holds no license).
    Materials are named by their number in the item's list."""

    def submit(handed_in=(1, 2, 3), applicant=None):
        version = food.current
        by_no = {m.order: m.pk for m in version.materials.all()}
        return services.submit(version=version, applicant=applicant or world.alice_applicant, hall=world.hall,
                               channel=Channel.WINDOW, by=world.clerk, handed_in=[by_no[n] for n in handed_in])  # fmt: skip

    return submit


@pytest.fixture
def accepted(world, walk_in):
    """A case accepted on Wednesday 2026-09-30: 5 working days over the National Day holiday,
    due on 2026-10-13."""
    with clock.frozen(dt.date(2026, 9, 30)):
        return services.accept(walk_in(), by=world.clerk)
