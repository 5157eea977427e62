"""Read side of supervision: the supervisor's list of open cases across departments by light
(the case light, in SQL), the violation register with filters, and the cards of an officer or
a window."""

from django.db.models import QuerySet

from onewindow import clock
from onewindow.accounts.models import User, Window
from onewindow.cases import queries as cases
from onewindow.cases.models import OPEN_STATUSES, Case, Light
from onewindow.supervision import cards, watches
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
    qs = cases.with_light(qs.select_related("item_version", "department", "hall"), today)
    if light == Light.RED:  # the overdue list: two index ranges (cases.queries.red_rows)
        rows = cases.red_rows(qs, today, ("due_seq", "number"), limit, key=lambda c: (c.due_seq, c.number))
    else:
        if light in Light.values:
            qs = qs.filter(light=light)
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
        "case", "department", "officer", "window", "decided_by", "notice", "project", "silent_consent__stage"
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


def _card_events(**who) -> list[str]:
    """What happened to one card (`officer_id=` or `window_id=`), in time order: each upheld
    violation counted against it (by its decision time) and each clearance (销牌)."""
    upheld = Violation.objects.filter(status=Violation.Status.UPHELD, **who)
    cleared = CardClearance.objects.filter(**who)
    events = [(at, pk, cards.UPHELD) for pk, at in upheld.values_list("pk", "decided_at")]
    events += [(at, pk, cards.CLEARED) for pk, at in cleared.values_list("pk", "at")]
    return [event for *_, event in sorted(events)]


def card_events(officer_id: int) -> list[str]:
    """The officer's card events (`_card_events`)."""
    return _card_events(officer_id=officer_id)


def window_card_events(window_id: int) -> list[str]:
    """The window's card events: the violations counted against the window (Violation.window,
    the case's 受理窗口) and the window's clearances."""
    return _card_events(window_id=window_id)


def officer_card(officer_id: int | None) -> str:
    """The officer's current card (supervision.cards over card_events)."""
    return cards.NONE if officer_id is None else cards.current(card_events(officer_id))


def window_card(window_id: int | None) -> str:
    """The window's current card (supervision.cards over window_card_events)."""
    return cards.NONE if window_id is None else cards.current(window_card_events(window_id))


def carded(user: User) -> list[dict]:
    """The officers with an upheld violation in the supervisor's departments, each with the
    current card and how many were upheld."""
    officers = (
        violations(user, status=Violation.Status.UPHELD)
        .filter(officer__isnull=False)
        .values_list("officer", flat=True)
        .distinct()
    )
    rows = []
    for officer in User.objects.filter(pk__in=list(officers)).order_by("display_name", "pk"):
        upheld = Violation.objects.filter(officer=officer, status=Violation.Status.UPHELD).count()
        card = officer_card(officer.pk)
        rows.append({"officer": officer, "card": card, "label": cards.LABELS[card], "upheld": upheld})
    return rows


def carded_windows(user: User) -> list[dict]:
    """The windows with an upheld violation in the supervisor's departments, in window order,
    each with the current card and how many were upheld."""
    windows = (
        violations(user, status=Violation.Status.UPHELD)
        .filter(window__isnull=False)
        .values_list("window", flat=True)
        .distinct()
    )
    rows = []
    for window in Window.objects.filter(pk__in=list(windows)).order_by("hall", "number"):
        upheld = Violation.objects.filter(window=window, status=Violation.Status.UPHELD).count()
        card = window_card(window.pk)
        rows.append({"window": window, "card": card, "label": cards.LABELS[card], "upheld": upheld})
    return rows
