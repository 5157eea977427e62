"""The supervision job and the supervisor's decisions (RULES.md "Supervision").

`sweep`: one set-based query finds the open, accepted cases whose clock runs (审查中) at yellow or
red by the case light (cases.clock_rules.light_expression, the inbox's), without an Urge of that
light yet. Each is handled in its own transaction: the Urge row first (unique per case and light:
a second run, or a concurrent one, inserts nothing and sends nothing), then the SMS through the
notify outbox — 催办 to the department's reviewers at yellow, 督办 to its head at red — and at red
the over-time Violation. A stopped clock (特别程序, correction) is not urged: its light is frozen.
A hall's SupervisionSettings may turn urging or escalation off."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from onewindow import clock
from onewindow.accounts.models import Role, Staff, User, Window
from onewindow.cases import queries as cases
from onewindow.cases.models import Case, CaseEvent, Light, Status, SupervisionSettings
from onewindow.errors import Conflict, DomainError
from onewindow.notify.models import Event
from onewindow.notify.services import enqueue
from onewindow.supervision import cards
from onewindow.supervision.models import CardClearance, Urge, Violation
from onewindow.supervision.queries import officer_card, window_card
from onewindow.workdays import calendar

SUBJECT = "case"


def due_for_action(today: dt.date):
    """The cases to urge or escalate today: (pk, light) rows, one query."""
    sent = Urge.objects.filter(case=OuterRef("pk"), light=OuterRef("light"))
    return (
        cases.with_light(Case.objects.filter(status=Status.IN_REVIEW, due_seq__isnull=False), today)
        .filter(light__in=(Light.YELLOW, Light.RED))
        .exclude(Exists(sent))
    )


def _switches() -> dict[int, tuple[bool, bool]]:
    return {h: (u, e) for h, u, e in SupervisionSettings.objects.values_list("hall_id", "urge", "escalate")}


def sweep(today: dt.date | None = None) -> int:
    """催办 and 督办 due today; returns how many were recorded (each case and light once)."""
    today = today or clock.today()
    switches = _switches()
    done = 0
    for pk, light, hall_id in due_for_action(today).values_list("pk", "light", "hall_id").iterator():
        urge_on, escalate_on = switches.get(hall_id, (True, True))
        if not (urge_on if light == Light.YELLOW else escalate_on):
            continue
        done += _act(pk, light, today)
    return done


def _recipients(case: Case, role: str) -> list[Staff]:
    return list(
        Staff.objects.filter(department_id=case.department_id, role=role, is_active=True).order_by("pk")
    )


def counted_against(case: Case) -> dict:
    """Whom a violation of the case counts against (issue 16: the officer, window and department):
    the case's department, its 受理窗口 (Case.window, recorded at intake; none online or for
    art. 32's acceptance) and the handler (`_officer`). Every kind of violation takes these."""
    return {"department_id": case.department_id, "window_id": case.window_id, "officer": _officer(case)}


def _officer(case: Case) -> User | None:
    """The handler it counts against: the last staff of the case's department who acted on it."""
    handlers = Staff.objects.filter(user=OuterRef("actor"), department_id=case.department_id)
    event = CaseEvent.objects.filter(case=case).filter(Exists(handlers)).order_by("-seq").first()
    return event.actor if event is not None else None


def _act(pk: int, light: str, today: dt.date) -> int:
    with transaction.atomic():
        case = Case.objects.select_related("item_version", "department").get(pk=pk)
        kind = Urge.Kind.URGE if light == Light.YELLOW else Urge.Kind.ESCALATE
        urge = Urge(case=case, light=light, kind=kind, at=clock.now())
        try:
            with transaction.atomic():
                urge.save(force_insert=True)
        except IntegrityError:  # another run got there first: nothing more to do
            return 0
        role = Role.REVIEWER if kind == Urge.Kind.URGE else Role.DEPARTMENT_HEAD
        event = Event.URGED if kind == Urge.Kind.URGE else Event.ESCALATED
        context = {"number": case.number, "item": case.item_version.name, "due_on": case.due_on,
                   "remaining": max(0, case.due_seq - calendar.seq(today)), "department": case.department.name}  # fmt: skip
        sent = 0
        for staff in _recipients(case, role):
            message = enqueue(phone=staff.phone, event=event, context=context, subject_kind=SUBJECT,
                              subject_key=case.number, hall=staff.hall,
                              key=f"supervision:{kind}:{case.number}:{staff.pk}")  # fmt: skip
            sent += message is not None
        if sent:
            Urge.objects.filter(pk=urge.pk).update(recipients=sent)
        if light == Light.RED:
            Violation.objects.create(
                kind=Violation.Kind.OVER_TIME, case=case, event_seq=case.event_count or None,
                found_on=today, found_at=clock.now(), **counted_against(case),
            )  # fmt: skip
    return 1


# The supervisor's decisions: which status may go to which (one source: the page offers these).
DECISIONS = {
    Violation.Status.OPEN: (Violation.Status.EXPLAINED, Violation.Status.UPHELD, Violation.Status.DISMISSED),
    Violation.Status.EXPLAINED: (Violation.Status.UPHELD, Violation.Status.DISMISSED),
    Violation.Status.UPHELD: (),
    Violation.Status.DISMISSED: (),
}


def allowed_decisions(violation: Violation) -> tuple[str, ...]:
    return DECISIONS[violation.status]


def decide(violation: Violation, *, to: str, reason: str, by: User) -> Violation:
    """The supervisor records the department's explanation (explained) or decides (upheld,
    dismissed), with a reason; compare-and-set on the status, so two decisions cannot both pass."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("supervision.reason_required", "请写明认定理由或情况说明。")
    if to not in allowed_decisions(violation):
        raise DomainError("supervision.decision_not_allowed", "该违规记录的当前状态不能作此认定。")
    now = clock.now()
    values = {"status": to}
    if to == Violation.Status.EXPLAINED:
        values["explanation"] = reason
    else:
        values |= {"decided_by": by, "decided_at": now, "decision_reason": reason}
    with transaction.atomic():
        changed = Violation.objects.filter(pk=violation.pk, status=violation.status).update(**values)
        if not changed:
            raise Conflict("supervision.decided_meanwhile", "该违规记录已被他人处理，请刷新后再看。")
    return Violation.objects.get(pk=violation.pk)


def can_clear(card: str) -> bool:
    """销牌 is offered, and allowed, while a card is open."""
    return card != cards.NONE


def clear_card(officer: User, *, reason: str, by: User) -> CardClearance:
    """销牌: the officer's open card is cleared, with a reason. Under a lock of the officer's row,
    so two clearances (or a clearance and a decision read) are serialized."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("supervision.reason_required", "请写明销牌理由。")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=officer.pk).first()
        if not can_clear(officer_card(officer.pk)):
            raise Conflict("supervision.no_open_card", "该责任人当前没有未销的黄牌或红牌。")
        return CardClearance.objects.create(officer=officer, at=clock.now(), by=by, reason=reason)


def clear_window_card(window: Window, *, reason: str, by: User) -> CardClearance:
    """销牌 of a window's open card, as `clear_card` for an officer: under a lock of the window's row."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("supervision.reason_required", "请写明销牌理由。")
    with transaction.atomic():
        Window.objects.select_for_update().filter(pk=window.pk).first()
        if not can_clear(window_card(window.pk)):
            raise Conflict("supervision.no_open_card", "该窗口当前没有未销的黄牌或红牌。")
        return CardClearance.objects.create(window=window, at=clock.now(), by=by, reason=reason)
