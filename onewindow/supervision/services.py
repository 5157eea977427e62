"""The supervision job and the supervisor's decisions (RULES.md "Supervision").

`sweep`: one set-based query finds the open, accepted cases whose clock runs (审查中) at yellow or
red by the case light (cases.clock_rules.light_expression, the inbox's), without an Urge of that
light yet. They are handled in batches of BATCH cases, each in one transaction: the Urge rows
first (unique per case and light: a second run, or a concurrent one, inserts nothing and sends
nothing for that case), then the SMS through the notify outbox — 催办 to the department's reviewers at yellow, 督办 to its head at red — and at red
the over-time Violation. A stopped clock (特别程序, correction) is not urged: its light is frozen.
A hall's SupervisionSettings may turn urging or escalation off."""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Subquery

from onewindow import clock
from onewindow.accounts.models import Role, Staff, User
from onewindow.cases import queries as cases
from onewindow.cases.models import Case, CaseEvent, Light, Status, SupervisionSettings
from onewindow.errors import Conflict, DomainError
from onewindow.notify.models import Event
from onewindow.notify.services import enqueue_many
from onewindow.supervision import cards
from onewindow.supervision.holders import Holder
from onewindow.supervision.models import CardClearance, Urge, Violation
from onewindow.supervision.queries import card
from onewindow.workdays import calendar

SUBJECT = "case"


def due_for_action(today: dt.date, hall_id: int | None = None):
    """The cases to urge or escalate today: (pk, light) rows, one query. With `hall_id`, that
    hall's only: a range of the open cases' index (hall, due_seq), so one hall's sweep reads its
    own open cases whatever the size of the province's (bench/province.py, decision 48)."""
    sent = Urge.objects.filter(case=OuterRef("pk"), light=OuterRef("light"))
    open_in_review = Case.objects.filter(status=Status.IN_REVIEW, due_seq__isnull=False)
    if hall_id is not None:
        open_in_review = open_in_review.filter(hall_id=hall_id)
    return (
        cases.with_light(open_in_review, today)
        .filter(light__in=(Light.YELLOW, Light.RED))
        .exclude(Exists(sent))
    )


def _switches() -> dict[int, tuple[bool, bool]]:
    return {h: (u, e) for h, u, e in SupervisionSettings.objects.values_list("hall_id", "urge", "escalate")}


# Cases handled per transaction: a first sweep over a hall's open cases urges thousands at
# once (bench/supervision.py); each batch costs a fixed number of statements, not some per case.
BATCH = 500


def sweep(today: dt.date | None = None, hall_id: int | None = None) -> int:
    """催办 and 督办 due today (at one hall with `hall_id`, else at every hall); returns how many
    were recorded (each case and light once)."""
    today = today or clock.today()
    switches = _switches()
    due = []
    # In case order: two sweeps at once then wait on each other's Urge in the same order (no deadlock).
    for pk, light, case_hall in (
        due_for_action(today, hall_id).order_by("pk").values_list("pk", "light", "hall_id")
    ):
        urge_on, escalate_on = switches.get(case_hall, (True, True))
        if urge_on if light == Light.YELLOW else escalate_on:
            due.append((pk, light))
    return sum(_act(due[i : i + BATCH], today) for i in range(0, len(due), BATCH))


def _insert_urges(due: list[tuple[int, str]], at: dt.datetime) -> list[tuple[int, str]]:
    """The Urges of `due` that this run inserts — the first statements of the batch's
    transaction (SQLite then holds the write lock from the start). A case and light urged
    already, or by a concurrent run (its insert waits for that run's transaction), is left out:
    the unique (case, light) decides. With fastsql on (decision 17), one INSERT … ON CONFLICT DO
    NOTHING RETURNING; off, each insert in a savepoint."""
    kinds = {Light.YELLOW: Urge.Kind.URGE, Light.RED: Urge.Kind.ESCALATE}
    if settings.ONEWINDOW_FASTSQL:
        values = ", ".join(["(%s, %s, %s, %s, 0)"] * len(due))
        params = [
            v
            for pk, light in due
            for v in (pk, light, kinds[light], connection.ops.adapt_datetimefield_value(at))
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Urge._meta.db_table} (case_id, light, kind, at, recipients) VALUES {values} "
                "ON CONFLICT (case_id, light) DO NOTHING RETURNING case_id, light",
                params,
            )
            inserted = set(cursor.fetchall())
        return [row for row in due if row in inserted]
    won = []
    for pk, light in due:
        try:
            with transaction.atomic():
                Urge(case_id=pk, light=light, kind=kinds[light], at=at).save(force_insert=True)
        except IntegrityError:  # another run got there first: nothing more to do
            continue
        won.append((pk, light))
    return won


def _recipients(department_ids: set[int]) -> dict[tuple[int, str], list[Staff]]:
    """The department's reviewers (催办) and heads (督办), by (department, role), in staff order."""
    found = defaultdict(list)
    staff = Staff.objects.filter(department_id__in=department_ids, role__in=(Role.REVIEWER, Role.DEPARTMENT_HEAD),
                                 is_active=True).select_related("hall").order_by("pk")  # fmt: skip
    for s in staff:
        found[(s.department_id, s.role)].append(s)
    return found


def _officers(case_ids: list[int]) -> dict[int, int | None]:
    """The handler each case counts against: the last staff of the case's department who acted
    on it (one query for the batch)."""
    handlers = Staff.objects.filter(user=OuterRef("actor"), department_id=OuterRef(OuterRef("department_id")))
    last = (
        CaseEvent.objects.filter(case=OuterRef("pk"))
        .filter(Exists(handlers))
        .order_by("-seq")
        .values("actor")[:1]
    )
    return dict(
        Case.objects.filter(pk__in=case_ids).annotate(officer=Subquery(last)).values_list("pk", "officer")
    )


def counted_against(cases: dict[int, dict]) -> dict[int, dict]:
    """Whom a violation of each case counts against (issue 16: the officer, window and
    department): the case's department, its 受理窗口 (Case.window, recorded at intake; none online
    or for art. 32's acceptance) and the handler (`_officers`), for a batch of cases read as
    values (`department_id`, `window_id`)."""
    officers = _officers(list(cases))
    return {pk: {"department_id": c["department_id"], "window_id": c["window_id"], "officer_id": officers.get(pk)}
            for pk, c in cases.items()}  # fmt: skip


def _act(due: list[tuple[int, str]], today: dt.date) -> int:
    """One batch in one transaction: the Urges first, then the SMS through the outbox in one
    bulk insert, each Urge's count of messages, and at red the over-time Violations."""
    with transaction.atomic():
        now = clock.now()
        won = _insert_urges(due, now)
        if not won:
            return 0
        # Plain values, not instances: a first sweep reads thousands (bench/supervision.py).
        fields = ("number", "item_version__name", "due_on", "due_seq", "department_id", "department__name",
                  "event_count", "window_id")  # fmt: skip
        cases = {row[0]: dict(zip(fields, row[1:], strict=True)) for row in
                 Case.objects.filter(pk__in=[pk for pk, _ in won]).values_list("pk", *fields)}  # fmt: skip
        staff = _recipients({c["department_id"] for c in cases.values()})
        today_seq = calendar.seq(today)
        requests, owners = [], []
        for pk, light in won:
            case = cases[pk]
            kind = Urge.Kind.URGE if light == Light.YELLOW else Urge.Kind.ESCALATE
            role = Role.REVIEWER if kind == Urge.Kind.URGE else Role.DEPARTMENT_HEAD
            event = Event.URGED if kind == Urge.Kind.URGE else Event.ESCALATED
            context = {"number": case["number"], "item": case["item_version__name"], "due_on": case["due_on"],
                       "remaining": max(0, case["due_seq"] - today_seq), "department": case["department__name"]}  # fmt: skip
            for s in staff[(case["department_id"], role)]:
                requests.append({"phone": s.phone, "event": event, "context": context, "subject_kind": SUBJECT,
                                 "subject_key": case["number"], "hall": s.hall,
                                 "key": f"supervision:{kind}:{case['number']}:{s.pk}"})  # fmt: skip
                owners.append((pk, light))
        sent = defaultdict(int)
        for owner, message in zip(
            owners, enqueue_many(requests, fast=settings.ONEWINDOW_FASTSQL), strict=True
        ):
            sent[owner] += message is not None
        by_count = defaultdict(list)  # one UPDATE per (light, count of messages), not one per Urge
        for (pk, light), n in sent.items():
            if n:
                by_count[(light, n)].append(pk)
        for (light, n), pks in by_count.items():
            Urge.objects.filter(case_id__in=pks, light=light).update(recipients=n)
        red = [pk for pk, light in won if light == Light.RED]
        if red:
            against = counted_against({pk: cases[pk] for pk in red})
            Violation.objects.bulk_create([
                Violation(kind=Violation.Kind.OVER_TIME, case_id=pk, event_seq=cases[pk]["event_count"] or None,
                          found_on=today, found_at=now, **against[pk])
                for pk in red
            ])  # fmt: skip
    return len(won)


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


def clear_card(holder: Holder, subject, *, reason: str, by: User) -> CardClearance:
    """销牌: the open card of an officer or a window (`holder`; `subject` the User or Window) is
    cleared, with a reason. Under a lock of the holder's row (the user's or the window's), so two
    clearances (or a clearance and a decision read) are serialized."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("supervision.reason_required", "请写明销牌理由。")
    with transaction.atomic():
        holder.model.objects.select_for_update().filter(pk=subject.pk).first()
        if not can_clear(card(holder, subject.pk)):
            raise Conflict("supervision.no_open_card", f"{holder.noun}当前没有未销的黄牌或红牌。")
        return CardClearance.objects.create(**holder.of(subject.pk), at=clock.now(), by=by, reason=reason)
