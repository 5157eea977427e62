"""Read side of supervision: the supervisor's list of open cases across departments by light
(the case light, in SQL), the violation register with filters, and the cards of an officer."""

from django.db.models import QuerySet

from onewindow.accounts.models import User
from onewindow.cases import queries as cases
from onewindow.cases.models import OPEN_STATUSES, Case, Light
from onewindow.supervision import cards
from onewindow.supervision.models import CardClearance, Violation


def watched(user: User, *, light: str = "", department: str = "", limit: int = 200) -> list[Case]:
    """Open, accepted cases of the departments stationed in the supervisor's hall (a superuser:
    all), most urgent first, each with its `light`; `light` filters (red: the overdue list)."""
    qs = Case.objects.filter(status__in=OPEN_STATUSES, due_seq__isnull=False)
    staff = getattr(user, "staff", None)
    if not user.is_superuser and staff is not None:
        qs = qs.filter(department__in=staff.hall.departments.all())
    if department.isdigit():
        qs = qs.filter(department_id=int(department))
    qs = cases.with_light(qs.select_related("item_version", "department", "hall"))
    if light in Light.values:
        qs = qs.filter(light=light)
    return list(qs.order_by("due_seq", "number")[:limit])


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


def card_events(officer_id: int) -> list[str]:
    """What happened to the officer's card, in time order: each upheld violation (by its
    decision time) and each clearance (销牌)."""
    upheld = Violation.objects.filter(officer_id=officer_id, status=Violation.Status.UPHELD)
    cleared = CardClearance.objects.filter(officer_id=officer_id)
    events = [(at, pk, cards.UPHELD) for pk, at in upheld.values_list("pk", "decided_at")]
    events += [(at, pk, cards.CLEARED) for pk, at in cleared.values_list("pk", "at")]
    return [event for *_, event in sorted(events)]


def officer_card(officer_id: int | None) -> str:
    """The officer's current card (supervision.cards over card_events)."""
    return cards.NONE if officer_id is None else cards.current(card_events(officer_id))


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
