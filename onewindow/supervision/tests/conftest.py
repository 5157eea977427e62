import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import services
from onewindow.cases.models import Channel
from onewindow.payments.tests.fixtures import charged  # noqa: F401 - a charged item (the fee detector)
from onewindow.personas import all_required, published_item
from onewindow.projects.tests.conftest import cast  # noqa: F401 - the project departments (silent consent)


@pytest.fixture
def food(world):
    return published_item(world)


@pytest.fixture
def accept(world, food):
    """accept(day): a 食品经营许可 case (5 working days) accepted that day at the world's hall."""

    def make(day: dt.date):
        with clock.frozen(day):
            case = services.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                                   channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(food.current))  # fmt: skip
            return services.accept(case, by=world.clerk)

    return make
