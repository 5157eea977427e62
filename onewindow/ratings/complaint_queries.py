"""投诉: the read side shared by the pages, the API and (later) supervision and the assessment —
who sees which complaints (one rule, `visible_complaints`), the staff list's filters, and the
overdue list (set-based on the indexed due_seq)."""

import datetime as dt

from django.db.models import Q, QuerySet

from onewindow import clock
from onewindow.accounts.models import DEPARTMENT_ROLES, Role, User
from onewindow.accounts.queries import staff_of
from onewindow.errors import NotFound
from onewindow.ratings.models import COMPLAINT_AWAITING_ANSWER, Complaint, ComplaintEvent
from onewindow.workdays import calendar

# 大厅管理: who files at the complaint desk, assigns, records callbacks, decides and closes.
HALL_MANAGEMENT = (Role.HALL_ADMIN, Role.SUPERVISOR)
STAFF_ROLES = (*HALL_MANAGEMENT, *DEPARTMENT_ROLES, Role.HOTLINE_OPERATOR)


def visible_complaints(user: User) -> QuerySet[Complaint]:
    """The one visibility rule: a citizen their own (filed on the portal); hall management their
    hall's; a department's staff those assigned to their department; a hotline operator the
    hotline's complaints of their hall; a superuser all."""
    if not user.is_authenticated:
        return Complaint.objects.none()
    if user.is_superuser:
        return Complaint.objects.all()
    own = Q(complainant_user=user)
    staff = staff_of(user)
    if staff is None:
        return Complaint.objects.filter(own)
    if staff.role in HALL_MANAGEMENT:
        return Complaint.objects.filter(own | Q(hall_id=staff.hall_id))
    if staff.role in DEPARTMENT_ROLES:
        return Complaint.objects.filter(own | Q(department_id=staff.department_id, assigned_at__isnull=False))
    if staff.role == Role.HOTLINE_OPERATOR:
        return Complaint.objects.filter(own | Q(hall_id=staff.hall_id, source="hotline"))
    return Complaint.objects.filter(own)


def complaint_for(user: User, number: str) -> Complaint:
    """The complaint, if `user` may see it; else 404 (never telling that it exists)."""
    complaint = (
        visible_complaints(user)
        .select_related("hall", "case", "window", "officer", "department", "answered_by", "filed_by")
        .filter(number=number)
        .first()
    )
    if complaint is None:
        raise NotFound("complaint.not_found", "未找到该投诉。")
    return complaint


def my_complaints(user: User) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(complainant_user=user)
        .select_related("case", "department")
        .order_by("-filed_at")
    )


def overdue(
    complaints: QuerySet[Complaint] | None = None, today: dt.date | None = None
) -> QuerySet[Complaint]:
    """Complaints still waiting for the answer past their limit: due_seq < seq(today), one indexed
    comparison (the partial index complaint_awaiting_due) — for supervision to watch."""
    complaints = Complaint.objects.all() if complaints is None else complaints
    today_seq = calendar.seq(today or clock.today())
    return complaints.filter(status__in=COMPLAINT_AWAITING_ANSWER, due_seq__lt=today_seq).order_by("due_seq")


def staff_list(user: User, *, status: str = "", department: str = "", source: str = "", overdue_only: bool = False,
               q: str = "") -> QuerySet[Complaint]:  # fmt: skip
    """The staff list with its filters (status, department code, source, overdue, number/name)."""
    complaints = visible_complaints(user).select_related("department", "window", "case")
    if status:
        complaints = complaints.filter(status=status)
    if department:
        complaints = complaints.filter(department__code=department)
    if source:
        complaints = complaints.filter(source=source)
    if q:
        complaints = complaints.filter(Q(number=q.strip()) | Q(subject__contains=q.strip()))
    if overdue_only:
        return overdue(complaints)
    return complaints.order_by("-filed_at")


def events_of(complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return complaint.events.select_related("actor").order_by("seq")


def days_left(complaint: Complaint, today: dt.date | None = None) -> int | None:
    """Working days left to answer (negative: overdue); None once answered."""
    if complaint.status not in COMPLAINT_AWAITING_ANSWER:
        return None
    return complaint.due_seq - calendar.seq(today or clock.today())
