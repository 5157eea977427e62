"""Read side of 一件事 applications: who sees which, the status derived from the children in SQL,
the application sheet (children with departments, statuses, lights, due dates; working days
used), the public progress answer."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from onewindow import clock
from onewindow.accounts.masking import mask_answer
from onewindow.accounts.models import DEPARTMENT_ROLES, Role, User
from onewindow.accounts.queries import staff_of
from onewindow.bundles.models import BundleApplication, Status
from onewindow.cases import clock_rules
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.models import Status as CaseStatus
from onewindow.errors import DomainError, NotFound
from onewindow.workdays import calendar

FINAL = (CaseStatus.CLOSED, CaseStatus.REFUSED)
HALL_ROLES = (Role.CLERK, Role.SUPERVISOR, Role.HALL_ADMIN, Role.AGENT)


def _children(number=None) -> QuerySet[Case]:
    return Case.objects.filter(bundle_number=OuterRef("number") if number is None else number)


def _count(children: QuerySet[Case]):
    counted = children.order_by().values("bundle_number").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def status_expression():
    """The application's status from its children and its own two dates, in SQL (filterable):
    refused (all refused) / closed (all closed) / in_review (accepted) / supplement_requested
    (a child awaits its supplement) / submitted."""
    children = _children()
    return SqlCase(
        When(Q(closed_at__isnull=False) & ~Exists(children.exclude(status=CaseStatus.REFUSED)),
             then=Value(Status.REFUSED)),
        When(closed_at__isnull=False, then=Value(Status.CLOSED)),
        When(accepted_on__isnull=False, then=Value(Status.IN_REVIEW)),
        When(Exists(children.filter(status=CaseStatus.SUPPLEMENT_REQUESTED)), then=Value(Status.SUPPLEMENT_REQUESTED)),
        default=Value(Status.SUBMITTED),
        output_field=CharField(),
    )  # fmt: skip


def with_status(qs: QuerySet[BundleApplication]) -> QuerySet[BundleApplication]:
    """Adds `status`, `children_total` and `children_done` (closed or refused), set-based."""
    return qs.annotate(
        status=status_expression(),
        children_total=_count(_children()),
        children_done=_count(_children().filter(status__in=FINAL)),
    )


def visible_applications(user: User) -> QuerySet[BundleApplication]:
    """Applications this user may see: their own as applicant, their hall's (hall-wide roles), or —
    for a department — those with a child in the department (and then only that child)."""
    qs = BundleApplication.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    staff = staff_of(user)
    if staff is None:
        return qs.filter(applicant__user=user)
    if staff.role in DEPARTMENT_ROLES:
        return qs.filter(Exists(_children().filter(department_id=staff.department_id)))
    if staff.role in HALL_ROLES:
        return qs.filter(hall_id=staff.hall_id)
    return qs.none()


def may_view(user: User, application: BundleApplication) -> bool:
    return visible_applications(user).filter(pk=application.pk).exists()


def application_for(user: User, number: str) -> BundleApplication:
    found = (
        with_status(visible_applications(user))
        .select_related("bundle", "applicant", "hall", "accepted_by")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise NotFound("bundle.not_found", "未找到该一件事申请。")
    return found


def sees_own_child_only(user: User, application: BundleApplication) -> bool:
    """A department sees its own child only: not the other items, their answers or materials."""
    staff = None if user.is_superuser else staff_of(user)
    return staff is not None and staff.role in DEPARTMENT_ROLES and application.applicant.user_id != user.pk


def children_of(number: str) -> QuerySet[Case]:
    """The application's children with what every list of them shows, in the bundle's order."""
    return (
        _children(number)
        .select_related("item", "item_version", "department", "prerequisite__item_version")
        .order_by("pk")
    )


def visible_children(user: User, application: BundleApplication) -> QuerySet[Case]:
    qs = children_of(application.number)
    if sees_own_child_only(user, application):
        qs = qs.filter(department_id=staff_of(user).department_id)
    return qs


def light(case: Case, today_seq: int) -> str | None:
    """The light of an open, accepted child (a stopped clock shows the light it had)."""
    if not case.is_open or case.due_seq is None:
        return None
    return case.frozen_light or clock_rules.light(case.due_seq, case.promised_days, today_seq, case.hall_id)


def working_days(case: Case) -> int | None:
    """Working days from acceptance to close (the day of acceptance not counted)."""
    if case.accepted_on is None or case.closed_seq is None:
        return None
    return case.closed_seq - calendar.seq(case.accepted_on)


@dataclass
class Days:
    """Working days used: the bundle took as long as its longest child, not the sum (parallel)."""

    longest: int | None
    total: int | None
    each: dict[str, int]


def days_used(children: list[Case]) -> Days:
    each = {c.number: d for c in children if (d := working_days(c)) is not None}
    done = len(each) == len(children) and children
    return Days(
        longest=max(each.values()) if done else None, total=sum(each.values()) if done else None, each=each
    )


def materials(children: list[Case]) -> list[dict]:
    """The one material list as it stands: each name once, with the worst state among the
    children asking for it (a missing material is missing for the whole bundle)."""
    rank = {CaseMaterial.State.DEFECTIVE: 0, CaseMaterial.State.MISSING: 1, CaseMaterial.State.TOLERATED: 2,
            CaseMaterial.State.RECEIVED: 3, CaseMaterial.State.SHARED: 4, CaseMaterial.State.NOT_APPLICABLE: 5}  # fmt: skip
    rows = CaseMaterial.objects.filter(case_id__in=[c.pk for c in children]).order_by("case_id", "pk")
    merged: dict[str, dict] = {}
    for m in rows.values("name", "state", "note"):
        known = merged.setdefault(
            m["name"], {"name": m["name"], "state": m["state"], "note": m["note"], "items": 0}
        )
        known["items"] += 1
        if rank[m["state"]] < rank[known["state"]]:
            known.update(state=m["state"], note=m["note"] or known["note"])
    names = dict(CaseMaterial.State.choices)
    return [{**m, "state_display": names[m["state"]]} for m in merged.values()]


def sheet(user: User, application: BundleApplication, today: dt.date | None = None) -> dict:
    """Everything the application page and the API answer show."""
    today_seq = calendar.seq(today or clock.today())
    children = list(visible_children(user, application))
    for c in children:
        c.light = light(c, today_seq)
        c.working_days = working_days(c)
    everyone = (
        children if len(children) == application.children_total else list(_children(application.number))
    )
    bundle_open = application.accepted_on is not None and application.closed_at is None
    asked = {f["key"] for f in application.form_fields}
    if len(children) < len(everyone):
        asked = {key for c in children for key in c.form_data}
    return {
        "application": application,
        "children": children,
        "days": days_used(everyone),
        "light": clock_rules.light(application.due_seq, application.promised_days, today_seq) if bundle_open else None,
        "answers": [{"key": f["key"], "label": f["label"], "value": mask_answer(application.form_data.get(f["key"], ""))}
                    for f in application.form_fields if f["key"] in asked],
        "materials": materials(children),
        "status_display": Status(application.status).label,
    }  # fmt: skip


def my_applications(user: User) -> QuerySet[BundleApplication]:
    return with_status(BundleApplication.objects.filter(applicant__user=user)).select_related("bundle")


def public_progress(number: str, phone_last4: str) -> BundleApplication:
    """Nothing is shown unless both the number and the applicant's phone's last four match."""
    if not (number or "").strip() or not (phone_last4 or "").isdigit() or len(phone_last4) != 4:
        raise DomainError("bundle.progress_input", "请输入一件事申请编号和申请人手机号码后四位。")
    found = (
        with_status(BundleApplication.objects.filter(number=number.strip()))
        .select_related("bundle", "applicant")
        .first()
    )
    if found is None or not found.applicant.phone or found.applicant.phone[-4:] != phone_last4:
        raise NotFound("bundle.progress_not_found", "一件事申请编号或手机号码后四位不正确。")
    return found


def public_children(application: BundleApplication) -> list[Case]:
    today_seq = calendar.seq(clock.today())
    children = list(children_of(application.number))
    for c in children:
        c.light = light(c, today_seq)
    return children
