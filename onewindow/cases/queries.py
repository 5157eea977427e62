"""Read side of cases: the inbox by light, lists for the API, the public progress page."""

import datetime as dt

from django.db.models import Q, QuerySet

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.cases import clock_rules
from onewindow.cases.models import OPEN_STATUSES, Case
from onewindow.cases.transitions import scope_of
from onewindow.errors import DomainError, NotFound
from onewindow.workdays import calendar


def visible_cases(user: User) -> QuerySet[Case]:
    """Cases this user may see — the set form of cases.transitions.may_view (one rule): their
    own as applicant, and their department's or hall's (`scope_of`)."""
    if not user.is_authenticated:
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    own = Q(applicant__user=user)
    scope = scope_of(user)
    return Case.objects.filter(own | Q(**{scope[0]: scope[1]}) if scope else own)


def case_for(user: User, number: str) -> Case:
    case = (
        visible_cases(user)
        .select_related("item_version", "applicant", "department", "hall")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound("case.not_found", "未找到该办件。")
    return case


def with_light(qs: QuerySet[Case], today: dt.date | None = None) -> QuerySet[Case]:
    today_seq = calendar.seq(today or clock.today())
    return qs.annotate(light=clock_rules.light_expression(today_seq))


def inbox(department_id: int, *, light: str | None = None, limit: int = 200) -> list[Case]:
    """Open cases of a department, most urgent first: one indexed query (department, status,
    due_seq), the light computed in SQL."""
    qs = with_light(
        Case.objects.filter(department_id=department_id, status__in=OPEN_STATUSES)
        .select_related("item_version", "applicant")
        .only(
            "number",
            "status",
            "due_on",
            "due_seq",
            "promised_days",
            "frozen_light",
            "received_at",
            "applicant__name",
            "item_version__name",
            "accepted_on",
        )  # fmt: skip
    )
    if light:
        qs = qs.filter(light=light)
    return list(qs.order_by("due_seq", "number")[:limit])


def light_counts(department_id: int) -> dict[str, int]:
    from django.db.models import Count

    rows = (
        with_light(Case.objects.filter(department_id=department_id, status__in=OPEN_STATUSES))
        .values("light")
        .annotate(n=Count("pk"))
    )
    counts = {"red": 0, "yellow": 0, "green": 0}
    counts.update({r["light"]: r["n"] for r in rows})
    return counts


def public_progress(number: str, phone_last4: str) -> Case:
    """Nothing is shown unless both the case number and the applicant's phone's last four match."""
    if not (number or "").strip() or not (phone_last4 or "").isdigit() or len(phone_last4) != 4:
        raise DomainError("case.progress_input", "请输入办件编号和申请人手机号码后四位。")
    case = (
        Case.objects.select_related("item_version", "department", "applicant")
        .prefetch_related("steps")
        .filter(number=number.strip())
        .first()
    )
    if case is None or not case.applicant.phone or case.applicant.phone[-4:] != phone_last4:
        raise NotFound("case.progress_not_found", "办件编号或手机号码后四位不正确。")
    return case
