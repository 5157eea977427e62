"""The demo's 电子监察 story: the late case is over time and was reviewed outside the hall's system;
the rest of the demo's records, checked in full, hold no other violation (the demos go through
the services, so no decision skips a step and every fee is the item's)."""

import pytest
from django.core.management import call_command

from onewindow.supervision import detectors
from onewindow.supervision.models import Violation

pytestmark = pytest.mark.django_db


def test_the_demo_records_the_late_case_over_time_and_outside_the_system_and_nothing_else():
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: nothing twice
    found = list(Violation.objects.select_related("case").order_by("kind"))
    assert [v.kind for v in found] == ["outside_system", "over_time"]
    assert found[0].case_id == found[1].case_id and found[0].officer_id is None
    assert "马骏" in found[0].case.events.get(seq=found[0].event_seq).reason
    assert detectors.detect(everything=True) == Violation.objects.filter(kind="silent_consent").count()
