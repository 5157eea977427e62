"""Which transitions of a case the applicant is told of by SMS, and with what.

What to say for a case event is the cases module's to decide (issue 14: notify knows no case):
`apply_transition` (transitions.py) asks `message_writes` for the outbox row and writes it with
the transition's own rows (one round trip on PostgreSQL), so the message is committed with the
event or not at all. Its key is the event's place in the case's audit chain, so the same event
can never queue twice (a repeat is skipped, ON CONFLICT); its subject is ("case", the number).
A case of a bundle (一件事) gets none: the bundle sends one message for all its cases."""

import datetime as dt
from collections.abc import Callable

from django.urls import reverse

from onewindow import fastsql, links
from onewindow.cases.models import Case, CaseEvent, Suspension
from onewindow.notify.models import Event
from onewindow.notify.services import build
from onewindow.workdays.calendar import provisional_note

# 受理 in all its forms: the applicant learns the case number and the deadline (RULES.md).
ACCEPTED = {"accept", "auto_accept", "accept_tolerantly", "approve_by_commitment"}


def _materials(payload: dict) -> list[str]:
    return [m["material"] if isinstance(m, dict) else str(m) for m in payload.get("materials", [])]


def _day(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def _kind(payload: dict) -> str:
    kind = payload.get("kind", "")
    return Suspension.Kind(kind).label if kind in Suspension.Kind.values else "特别"


def progress_url(case: Case) -> str:
    """The public progress page of the case (the notices' QR code too): the link in the SMS
    that tell of a written answer, so the applicant can read and download it on the phone."""
    return links.public_url(reverse("cases:progress"), {"number": case.number})


def message_for(case: Case, action: str, event: CaseEvent) -> tuple[str, dict] | None:
    """(event name, template context beyond number and item), or None when nothing is sent."""
    payload = event.payload or {}
    if action in ACCEPTED:
        return Event.ACCEPTED, {"action": action, "due_on": case.due_on, "due_note": provisional_note(case.due_on),
                                "supply_by": case.tolerance_due_on}  # fmt: skip
    if action in ("request_supplement", "return_for_correction"):
        return Event.SUPPLEMENT_REQUESTED, {"materials": _materials(payload), "url": progress_url(case),
                                            "online": case.channel == "portal",
                                            "during_review": action == "return_for_correction"}  # fmt: skip
    if action == "refuse":
        return Event.REFUSED, {"reason": event.reason, "where_to_turn": payload.get("where_to_turn", ""),
                               "url": progress_url(case)}  # fmt: skip
    if action == "suspend":
        return Event.SUSPENDED, {"kind": _kind(payload), "expected_days": payload.get("expected_days")}
    if action == "resume":
        return Event.RESUMED, {"due_on": case.due_on, "due_note": provisional_note(case.due_on)}
    if action == "extend":  # 行政许可法 art. 42: the reason and the new date, told in writing
        return Event.EXTENDED, {"days": payload.get("days"), "reason": event.reason, "due_on": case.due_on,
                                "due_note": provisional_note(case.due_on)}  # fmt: skip
    if action == "recompute_deadline":  # a calendar change moved the deadline (issue 13 rule 6)
        return Event.DEADLINE_MOVED, {"from_on": _day(payload.get("from")), "due_on": case.due_on,
                                      "due_note": provisional_note(case.due_on)}  # fmt: skip
    if action == "decide":
        return Event.DECIDED, {
            "approve": payload.get("approve"),
            "reason": event.reason,
            "url": progress_url(case),
        }
    if action == "issue" and payload.get("delivery") == "pickup":
        return Event.READY_FOR_PICKUP, {
            "license_number": payload.get("license", ""),
            "hall": case.hall.name,
        }
    if action == "deliver" and payload.get("method") == "post":
        return Event.POSTED, {"courier": payload.get("courier", ""),
                              "tracking_number": payload.get("tracking_number", "")}  # fmt: skip
    return None


def key_for(case: Case, event: CaseEvent) -> str:
    return f"case:{case.number}:event:{event.seq}"


def message_writes(case: Case, action: str, event: CaseEvent, *, item_name: Callable[[], str],
                   fast: bool = False) -> list[fastsql.Insert]:  # fmt: skip
    """The outbox row of the event's message, if any. `item_name`: the item's name, asked only
    when a message is sent (transitions.published: no catalog read for a silent transition).
    `fast`: intake's hot path with fastsql on."""
    if case.bundle_number:
        return []
    found = message_for(case, action, event)
    if found is None:
        return []
    name, context = found
    if name in (Event.ACCEPTED, Event.DEADLINE_MOVED) and case.project_code:
        return []  # a project stage's acceptance or moved limit sends one message for the stage (projects.messages)
    message = build(phone=case.applicant.phone, event=name, key=key_for(case, event), subject_kind="case",
                    subject_key=case.number, hall_id=case.hall_id,
                    context={"number": case.number, "item": item_name(), **context}, fast=fast)  # fmt: skip
    return [] if message is None else [fastsql.Insert([message], skip_conflicting="key")]
