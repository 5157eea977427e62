"""Periodic work of the licenses module, run by the worker (ops/periodic.py)."""

from onewindow import clock
from onewindow.cases.after_decision import delivery_due_on
from onewindow.licenses import queries
from onewindow.licenses.models import LateDelivery


def record_late_deliveries() -> int:
    """Records a supervision event for every license past art. 44's 10 working days that has none yet.
    Idempotent: one event per case (a unique key), so running it again adds nothing. Reads only
    the late cases without an event (one query), never every case."""
    now = clock.now()
    late = queries.late_deliveries().filter(late_delivery__isnull=True).select_related("delivery")
    events = [
        LateDelivery(case=case, department_id=case.department_id, due_on=delivery_due_on(case), found_at=now,
                     delivered_at=getattr(getattr(case, "delivery", None), "delivered_at", None))
        for case in late
    ]  # fmt: skip
    LateDelivery.objects.bulk_create(events, ignore_conflicts=True)
    return len(events)
