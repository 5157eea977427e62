"""The periodic command applies art. 32 to applications left without an answer."""

import datetime as dt

import pytest
from django.core.management import call_command

from onewindow import clock
from onewindow.cases import services
from onewindow.cases.models import Case, Channel
from onewindow.personas import all_required

pytestmark = pytest.mark.django_db


def test_it_accepts_what_intake_left_unanswered(world, food, capsys):
    with clock.frozen(dt.date(2026, 11, 2)):
        case = services.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                               channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(food.current))  # fmt: skip
    with clock.frozen(dt.date(2026, 11, 10)):
        call_command("periodic")
    assert "1 件" in capsys.readouterr().out
    assert Case.objects.get(pk=case.pk).status == "in_review"
