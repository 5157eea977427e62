"""The audit trail (网上留痕, 终身追溯): every transition appends an event whose hash covers
the previous one. `verify` recomputes the chains and names every case whose history no longer
matches (ARCHITECTURE.md "Audit trail")."""

import hashlib
import json

from onewindow import clock, fastsql
from onewindow.cases.models import Case, CaseEvent


def event_hash(prev_hash: str, number: str, seq: int, at, actor_id, action: str, from_status: str,
               to_status: str, reason: str, payload: dict) -> str:  # fmt: skip
    body = json.dumps(
        [prev_hash, number, seq, at.isoformat(timespec="microseconds"), actor_id, action, from_status, to_status,
         reason, payload],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )  # fmt: skip
    return hashlib.sha256(body.encode()).hexdigest()


def build_event(case: Case, *, at, actor, action: str, from_status: str, to_status: str, reason: str = "",
                payload: dict | None = None, fast: bool = False) -> CaseEvent:  # fmt: skip
    """The next event of the case's chain (not saved); advances the chain head on `case`. `fast`:
    built by fastsql.new (intake's hot path, decision 13), else by the model class."""
    payload = payload or {}
    seq = case.event_count + 1
    actor_id = actor.pk if actor is not None else None
    digest = event_hash(case.last_hash, case.number, seq, at, actor_id, action, from_status, to_status, reason,
                        payload)  # fmt: skip
    event = (fastsql.new if fast else _model)(CaseEvent, case=case, seq=seq, at=at, actor_id=actor_id, action=action, from_status=from_status,
                      to_status=to_status, reason=reason, payload=payload, prev_hash=case.last_hash, hash=digest)  # fmt: skip
    case.event_count, case.last_hash = seq, digest
    return event


def _model(model, **values):
    return model(**values)


def append_to_chain(subject, key: str, model, subject_field: str, *, by, action: str, from_status: str,
                    reason: str = "", payload: dict | None = None):  # fmt: skip
    """The next event of another module's chain (a cases.chain.ChainEvent `model`, saved): its
    subject's row carries `event_count`, `last_hash` and `status`; `key` is what the hash names it
    by (a purchase's or a project's number). Advances the chain head on the row — the caller holds
    the row (just created, or locked) and saves it."""
    payload = payload or {}
    at = clock.now()
    seq = subject.event_count + 1
    actor_id = by.pk if by is not None else None
    digest = event_hash(subject.last_hash, key, seq, at, actor_id, action, from_status, subject.status, reason,
                        payload)  # fmt: skip
    event = model.objects.create(
        **{subject_field: subject}, seq=seq, at=at, actor_id=actor_id, action=action, from_status=from_status,
        to_status=subject.status, reason=reason, payload=payload, prev_hash=subject.last_hash, hash=digest,
    )  # fmt: skip
    subject.event_count, subject.last_hash = seq, digest
    return event


TAMPERED = "事件内容与哈希链不符（记录被修改）"


def broken_at(events, number: str, event_count: int, last_hash: str) -> tuple[int, str] | None:
    """(seq, why) of the first break in one subject's chain — its events in seq order, `number`
    the key its hashes were made with, `event_count` and `last_hash` the head kept on its row —
    or None when whole. Every hash chain of the project (cases, ratings, complaints, work orders)
    is checked here; events without statuses (ratings) hash them as ""."""
    prev, seen = "", 0
    for e in events:
        seen += 1
        expected = event_hash(prev, number, e.seq, e.at, e.actor_id, e.action, getattr(e, "from_status", ""),
                              getattr(e, "to_status", ""), e.reason, e.payload)  # fmt: skip
        if e.seq != seen or e.prev_hash != prev or e.hash != expected:
            return e.seq, TAMPERED
        prev = e.hash
    if seen != event_count or prev != last_hash:
        return seen, "事件数量或链尾与记录不符（记录被删除或插入）"
    return None


def verify_chains(subjects, events_of, batch: int = 2000):
    """Yields (key, first bad event seq, why) for every subject whose chain is broken: `subjects`
    a queryset of (pk, key, event_count, last_hash) rows, `events_of(pk)` its events. The one loop
    of manage.py verify_audit over every chain of the project (cases, complaints, work orders,
    the market's agencies and purchases)."""
    for pk, key, count, head in subjects.order_by("pk").iterator(chunk_size=batch):
        found = broken_at(events_of(pk).order_by("seq").iterator(chunk_size=500), key, count, head)
        if found is not None:
            yield key, *found


def verify(batch: int = 2000):
    """Yields (case number, first bad event seq, why) for every case whose chain is broken."""
    yield from verify_chains(Case.objects.values_list("pk", "number", "event_count", "last_hash"),
                             lambda pk: CaseEvent.objects.filter(case_id=pk), batch)  # fmt: skip
