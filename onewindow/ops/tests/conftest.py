import pytest

from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.personas import all_required, published_item


@pytest.fixture
def submitted(world):
    """submitted() → a new case of Alice's at window 01 (食品经营许可), every required material handed in."""
    food = published_item(world)

    def make():
        return cases.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                            channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(food.current))  # fmt: skip

    return make
