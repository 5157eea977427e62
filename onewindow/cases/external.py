"""外部系统记录: what a department's own system says was done to a case, entered in the case's
audit trail (网上留痕) as it is — the case itself (status, clock, steps) is not changed: the hall's
record of what the hall's system did stays the hall's. supervision's import calls this (decision
20: cases owns its trail; the upper module calls down) and judges the records (体外循环)."""

from onewindow import clock
from onewindow.cases import audit
from onewindow.cases.models import Case, CaseEvent

ACTION = "external_record"  # transitions.ACTION_NAMES: 外部系统记录


def record(case: Case, *, reason: str, payload: dict) -> CaseEvent:
    """Appends the record as the case's next audit event and returns it (seq = its number in
    the trail). The caller holds the case row's lock (transitions.lock_case), as every writer of
    the chain does, so two writers never take the same seq."""
    event = audit.build_event(case, at=clock.now(), actor=None, action=ACTION, from_status=case.status,
                              to_status=case.status, reason=reason, payload=payload)  # fmt: skip
    event.save(force_insert=True)
    Case.objects.filter(pk=case.pk).update(event_count=case.event_count, last_hash=case.last_hash)
    return event
