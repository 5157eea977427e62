"""Read side of supervision: the supervisor's list of open cases across departments by light
(the case light, in SQL), the violation register with filters, and the cards of an officer or
a window."""

from collections import defaultdict

from django.db.models import QuerySet

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.cases import queries as cases
from onewindow.cases.models import AT_RISK, OPEN_STATUSES, Case, Light
from onewindow.supervision import cards, watches
from onewindow.supervision.holders import Holder
from onewindow.supervision.models import CardClearance, Violation
from onewindow.workdays import calendar

WARN = "warn"  # red and yellow: what needs acting on


def watched(user: User, *, light: str = "", department: str = "", limit: int = 200) -> list[Case]:
    """Open, accepted cases in the watcher's scope (watches.scope_for: received at the hall or
    decided by a department deciding there; a department head: their department; a superuser:
    all), most urgent first, each with its `light`; `light` filters (red: the overdue list;
    warn: red and yellow)."""
    scope = watches.scope_for(user)
    qs = Case.objects.filter(status__in=OPEN_STATUSES, due_seq__isnull=False).filter(
        scope.q("hall_id", "department_id")
    )
    if department.isdigit():
        qs = qs.filter(department_id=int(department))
    today = clock.today()
    qs = cases.with_risk(
        cases.with_light(qs.select_related("item_version", "department", "hall", "risk"), today), today
    )
    if light == AT_RISK:  # 预警: the forecast's most likely first
        rows = list(
            cases.filter_light(qs, AT_RISK).order_by("-risk__probability", "due_seq", "number")[:limit]
        )
    elif light == Light.RED:  # the overdue list: two index ranges (cases.queries.red_rows)
        rows = cases.red_rows(qs, today, ("due_seq", "number"), limit, key=lambda c: (c.due_seq, c.number))
    else:
        if light in Light.values:
            qs = cases.filter_light(qs, light)
        elif light == WARN:
            qs = qs.filter(light__in=(Light.RED, Light.YELLOW))
        rows = list(qs.order_by("due_seq", "number")[:limit])
    today_seq = calendar.seq(today)
    for case in rows:
        # Working days past the deadline; a stopped clock's deadline waits (it moves on resume).
        case.days_over = 0 if case.clock_stopped else max(0, today_seq - case.due_seq)
        case.openable = scope.opens(case.hall_id)
    return rows


def violations(user: User, *, status: str = "", department: str = "", kind: str = "") -> QuerySet[Violation]:
    qs = Violation.objects.select_related(
        "case",
        "department",
        "officer",
        "window",
        "decided_by",
        "notice",
        "project",
        "silent_consent__stage",
        "rectification",
        "complaint",
        "work_order",
    )
    staff = getattr(user, "staff", None)
    if not user.is_superuser and staff is not None:
        qs = qs.filter(department__in=staff.hall.departments.all())
    if status in Violation.Status.values:
        qs = qs.filter(status=status)
    if kind in Violation.Kind.values:
        qs = qs.filter(kind=kind)
    if department.isdigit():
        qs = qs.filter(department_id=int(department))
    return qs


def _events(holder: Holder, pks) -> dict[int, list[str]]:
    """What happened to the cards of these holders, per holder and in time order: each upheld
    violation counted against it (by its decision time) and each clearance (销牌). Two queries,
    whatever the number of holders."""
    upheld = Violation.objects.filter(status=Violation.Status.UPHELD, **holder.among(pks))
    cleared = CardClearance.objects.filter(**holder.among(pks))
    found = defaultdict(list)
    for who, at, pk in upheld.values_list(holder.field, "decided_at", "pk"):
        found[who].append((at, pk, cards.UPHELD))
    for who, at, pk in cleared.values_list(holder.field, "at", "pk"):
        found[who].append((at, pk, cards.CLEARED))
    return {who: [event for *_, event in sorted(events)] for who, events in found.items()}


def card_events(holder: Holder, pk: int) -> list[str]:
    """The card events of one officer or window (`_events`; a window's: the violations counted
    against it — Violation.window, the case's 受理窗口 — and its clearances)."""
    return _events(holder, [pk]).get(pk, [])


def card(holder: Holder, pk: int | None) -> str:
    """The current card of an officer or a window (supervision.cards over `card_events`)."""
    return cards.NONE if pk is None else cards.current(card_events(holder, pk))


def carded(user: User, holder: Holder) -> list[dict]:
    """The officers (or windows) with an upheld violation in the supervisor's departments, in
    the holder's order, each with the current card and how many were upheld (`upheld`; the row's
    holder under its kind: `officer` or `window`). Three queries, however many are listed."""
    ids = violations(user, status=Violation.Status.UPHELD).filter(**{f"{holder.field}__isnull": False})
    found = list(
        holder.model.objects.filter(pk__in=ids.order_by().values(holder.field)).order_by(*holder.order_by)
    )
    events = _events(holder, [h.pk for h in found])
    rows = []
    for h in found:
        sequence = events.get(h.pk, [])
        current = cards.current(sequence)
        rows.append({holder.kind: h, "card": current, "label": cards.LABELS[current],
                     "upheld": sequence.count(cards.UPHELD)})  # fmt: skip
    return rows
