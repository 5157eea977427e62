"""The audit chain of a work order (网上留痕, issue 18): every step is a WorkOrderEvent, hash-chained
per order with cases.audit's scheme (the order's number in the hash)."""

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.cases.audit import broken_at, event_hash, verify_chains
from onewindow.hotline.models import WorkOrder, WorkOrderEvent


def append_event(order: WorkOrder, *, by: User | None, action: str, from_status: str, reason: str = "",
                 payload: dict | None = None) -> WorkOrderEvent:  # fmt: skip
    """The next event of the order's chain (saved); advances the chain head on the row — the
    caller holds the order (just created, or locked) and saves it."""
    payload = payload or {}
    at = clock.now()
    seq = order.event_count + 1
    actor_id = by.pk if by is not None else None
    digest = event_hash(order.last_hash, order.number, seq, at, actor_id, action, from_status, order.status, reason,
                        payload)  # fmt: skip
    event = WorkOrderEvent.objects.create(
        order=order, seq=seq, at=at, actor_id=actor_id, action=action, from_status=from_status,
        to_status=order.status, reason=reason, payload=payload, prev_hash=order.last_hash, hash=digest,
    )  # fmt: skip
    order.event_count, order.last_hash = seq, digest
    return event


def chain_broken_at(order: WorkOrder) -> int | None:
    """The seq of the first event whose hash does not verify (None: the chain is whole)."""
    found = broken_at(WorkOrderEvent.objects.filter(order=order).order_by("seq"), order.number, order.event_count,
                      order.last_hash)  # fmt: skip
    return found and found[0]


def verify_all(batch: int = 2000):
    """Yields (order number, first bad event seq, why) for every work order whose chain is broken
    (manage.py verify_audit)."""
    yield from verify_chains(WorkOrder.objects.values_list("pk", "number", "event_count", "last_hash"),
                             lambda pk: WorkOrderEvent.objects.filter(order_id=pk), batch)  # fmt: skip
