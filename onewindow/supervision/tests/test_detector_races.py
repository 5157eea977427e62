"""The detectors and the import run concurrently with themselves (two workers; cron and the
worker; an import started twice): each violation, each imported record and its audit event once —
the unique constraints decide, not a prior read."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases.models import CaseEvent, CaseStep
from onewindow.concurrently import run_together
from onewindow.payments.models import PaymentNotice
from onewindow.payments.tests.fixtures import decided
from onewindow.supervision import detectors, imports
from onewindow.supervision.models import ImportedRecord, Violation

pytestmark = pytest.mark.django_db(transaction=True)
NEXT_DAY = dt.date(2026, 11, 3)


def _at_next_day(fn):
    def run():
        with clock.frozen(NEXT_DAY):
            return fn()

    return run


def test_three_detector_runs_at_once_record_each_violation_once(world, charged):
    cases = [decided(world, charged) for _ in range(3)]
    PaymentNotice.objects.update(amount_fen=100)
    CaseStep.objects.filter(kind=CaseStep.Kind.REVIEW).update(done_at=None)
    with clock.frozen(NEXT_DAY):
        imports.import_records(world.dept_a, [
            (2, {"record_id": f"R{c.pk}", "case_number": c.number, "action": "审查", "at": "2026-11-02 10:00",
                 "in_hall_system": "否"}) for c in cases])  # fmt: skip
    results = run_together(*[_at_next_day(detectors.detect)] * 3)
    assert all(isinstance(r, int) for r in results), results
    assert Violation.objects.count() == 9
    for kind in ("out_of_process", "irregular_fee", "outside_system"):
        assert sorted(Violation.objects.filter(kind=kind).values_list("case_id", flat=True)) == sorted(
            c.pk for c in cases
        )


def test_the_same_file_imported_twice_at_once_records_each_record_once(world, charged):
    cases = [decided(world, charged) for _ in range(2)]
    rows = [(i, {"record_id": f"R{i}", "case_number": c.number, "action": "审查", "at": "2026-11-02 10:00",
                 "in_hall_system": "否"}) for i, c in enumerate(cases * 2, start=2)]  # fmt: skip
    before = {c.pk: c.event_count for c in cases}
    results = run_together(*[_at_next_day(lambda: imports.import_records(world.dept_a, rows))] * 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.imported for r in results) == [0, 4]
    assert ImportedRecord.objects.count() == 4
    for c in cases:
        assert CaseEvent.objects.filter(case=c, action="external_record").count() == 2
        c.refresh_from_db()
        assert c.event_count == before[c.pk] + 2
