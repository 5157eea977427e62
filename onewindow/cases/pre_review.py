"""网上预审: the online submissions waiting for their written answer (行政许可法 art. 32: within 5
working days of receipt — or of the supplement — the hall accepts, gives the one-time notice or
refuses; unanswered, the application counts as accepted, cases.jobs). The receiving hall's clerks
see their hall's; a department's staff see their department's items (issue 15 item 1).

The light is the art. 32 clock's: red on the last working day and after, yellow the day before,
green before that — computed in SQL from two cut-off dates (one indexed query, status and
intake_from), the days left only for the rows shown."""

import datetime as dt

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import CharField, Q, QuerySet, Value, When

from onewindow import clock
from onewindow.accounts.models import Role, User
from onewindow.cases.models import Case, Channel, Light, Status
from onewindow.cases.transitions import scope_of
from onewindow.workdays import calendar

# Who answers online submissions: the hall's clerks, and the department for its own items (the
# page, the staff home's count and the navigation read this one list).
ROLES = (Role.CLERK, Role.REVIEWER, Role.DEPARTMENT_HEAD)
ORDERS = {"oldest": ("intake_from", "received_at"), "newest": ("-intake_from", "-received_at")}


def waiting(user: User) -> QuerySet[Case]:
    """Online submissions in `user`'s scope still waiting for the written answer."""
    qs = Case.objects.filter(channel=Channel.PORTAL, status=Status.SUBMITTED)
    if user.is_superuser:
        return qs
    scope = scope_of(user)  # the one visibility rule: the hall's, or the department's
    return qs.filter(**{scope[0]: scope[1]}) if scope else qs.none()


def answer_due(intake_from: dt.date) -> dt.date:
    """The last working day for the written answer (art. 32)."""
    return calendar.add_workdays(intake_from, settings.ONEWINDOW_INTAKE_ANSWER_DAYS)


def with_light(qs: QuerySet[Case], today: dt.date) -> QuerySet[Case]:
    """`light` by the answer's due day: red when it is today or past, yellow when it is the next
    working day, else green (the same count cases.jobs uses for auto-acceptance)."""
    days = settings.ONEWINDOW_INTAKE_ANSWER_DAYS
    due_today = calendar.add_workdays(today, -days)  # received then: due today
    due_tomorrow = calendar.add_workdays(today, 1 - days)
    light = When_(
        When(intake_from__lte=due_today, then=Value(Light.RED)),
        When(intake_from__lte=due_tomorrow, then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=CharField(),
    )
    return qs.annotate(light=light)


def queue(
    user: User, *, light: str = "", item: str = "", order: str = "oldest", limit: int = 200
) -> list[Case]:
    """The rows of the queue page, each with `light`, `answer_due` and `days_left`."""
    today = clock.today()
    qs = with_light(waiting(user), today).select_related("item_version", "applicant", "hall")
    if light in Light.values:
        qs = qs.filter(light=light)
    if item:
        qs = qs.filter(Q(item_version__name__icontains=item) | Q(item__code=item))
    rows, bundles = [], set()
    for case in qs.order_by(*ORDERS.get(order, ORDERS["oldest"]), "pk")[:limit]:
        # A 一件事's cases are answered together on its application's page: one row for them.
        if case.bundle_number:
            if case.bundle_number in bundles:
                continue
            bundles.add(case.bundle_number)
        rows.append(case)
    today_seq = calendar.seq(today)  # a rest day counts as the working day before it (decision 2)
    for case in rows:
        case.answer_due = answer_due(case.intake_from)
        case.days_left = calendar.seq(case.answer_due) - today_seq
    return rows


def counts(user: User) -> dict[str, int]:
    """How many wait, by light (the staff home and the tabs)."""
    from django.db.models import Count
    from django.db.models.functions import Coalesce, NullIf

    found = {Light.RED: 0, Light.YELLOW: 0, Light.GREEN: 0}
    # A 一件事 counts once (its cases are answered together).
    application = Coalesce(NullIf("bundle_number", Value("")), "number")
    rows = (
        with_light(waiting(user), clock.today()).values("light").annotate(n=Count(application, distinct=True))
    )
    found.update({r["light"]: r["n"] for r in rows})
    return found
