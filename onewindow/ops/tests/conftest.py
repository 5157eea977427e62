import pytest

from onewindow.cases import services as cases
from onewindow.cases.models import Channel

# The hotline's and trading's fixtures, for a hall's day to back up (test_backup_restore.py).
from onewindow.hotline.tests.conftest import category, operator, receive  # noqa: F401
from onewindow.personas import all_required, published_item
from onewindow.trading.tests.conftest import announce, at, bid, new_bidder, opened, pool, trading  # noqa: F401


@pytest.fixture
def submitted(world):
    """submitted() → a new case of Alice's at window 01 (食品经营许可), every required material handed in."""
    food = published_item(world)

    def make():
        return cases.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                            channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(food.current))  # fmt: skip

    return make
