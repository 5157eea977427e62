"""The demo's 电子监察 story: the late case is over time and was reviewed outside the hall's system;
the rest of the demo's records, checked in full, hold no other violation but the bad-rating
loop's late steps (the demos go through the services, so no decision skips a step and every fee
is the item's)."""

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
    # The rest, checked in full: only the silent consents, the demo's bad-rating loop (one
    # rectification fed back late each month, one still waiting for its callback) and the 12345
    # order past its limit are found.
    added = detectors.detect(everything=True)
    later = Violation.objects.exclude(pk__in=[v.pk for v in found])
    assert added == later.count() > 0
    assert set(later.values_list("kind", flat=True)) <= {
        "silent_consent",
        "callback_overdue",
        "rectification_overdue",
        "hotline_overdue",
    }
    assert (
        later.filter(kind="callback_overdue").count() == 1
        and later.filter(kind="hotline_overdue").count() == 1
    )
