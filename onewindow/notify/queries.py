"""Reads of the outbox for hall management: who sees which messages, counts by state, the dead.

Hall management (supervisor, hall admin) sees the messages of its own hall and the city-wide ones
(no hall); a superuser sees all. Phones are shown masked (ARCHITECTURE.md "Personal data")."""

from django.db.models import Count, Q, QuerySet

from onewindow.accounts.models import Role, User
from onewindow.accounts.queries import staff_of
from onewindow.notify.models import Message

MANAGEMENT = (Role.SUPERVISOR, Role.HALL_ADMIN)


def visible(user: User) -> QuerySet[Message]:
    if user.is_authenticated and user.is_superuser:
        return Message.objects.all()
    staff = staff_of(user)
    if staff is None or staff.role not in MANAGEMENT:
        return Message.objects.none()
    return Message.objects.filter(Q(hall_id=staff.hall_id) | Q(hall__isnull=True))


def may_see(user: User, message: Message) -> bool:
    return _manages(user, message, MANAGEMENT)


def may_retry(user: User, message: Message) -> bool:
    return _manages(user, message, (Role.HALL_ADMIN,))


def _manages(user: User, message: Message, roles) -> bool:
    """A superuser, or staff of one of `roles` in the message's hall (or a city-wide message)."""
    if user.is_authenticated and user.is_superuser:
        return True
    staff = staff_of(user)
    return staff is not None and staff.role in roles and message.hall_id in (None, staff.hall_id)


def counts(user: User) -> dict[str, int]:
    """Messages by state (one grouped query), every state present."""
    found = dict(visible(user).order_by().values_list("state").annotate(n=Count("pk")))
    return {state: found.get(state, 0) for state in Message.State.values}


def dead(user: User, limit: int = 100) -> QuerySet[Message]:
    """The dead messages, the latest failure first."""
    return visible(user).filter(state=Message.State.DEAD).order_by("-last_attempt_at", "-pk")[:limit]
