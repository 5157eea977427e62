"""差评整改: the read side shared by the pages, the API and supervision — who sees which
rectifications (one rule, `visible`), the clock that runs in each status with its limit (one
definition: the staff list's lights and supervision's watches read it), and the overdue lists
(set-based on the partial indexes rectification_callback_due / rectification_rectify_due)."""

import datetime as dt

from django.db.models import Case, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from onewindow import clock
from onewindow.accounts.models import DEPARTMENT_ROLES, User
from onewindow.accounts.queries import staff_of
from onewindow.cases import clock_rules
from onewindow.errors import NotFound
from onewindow.ratings.complaint_queries import HALL_MANAGEMENT
from onewindow.ratings.models import (
    Appeal,
    AppealStatus,
    RatingEvent,
    RatingSettings,
    Rectification,
    RectificationStatus,
)
from onewindow.ratings.rectification import DEFAULT_CALLBACK_DAYS, DEFAULT_RECTIFY_DAYS
from onewindow.workdays import calendar

S = RectificationStatus
# The statuses whose clocks run: waiting for the callback (callback_due_seq); waiting for the
# rectification and its feedback (rectify_due_seq) — from the opening on, the callback included.
# An appeal under review is hall management's to decide: no clock of the department is watched.
AWAITING_CALLBACK = (S.CALLBACK,)
AWAITING_FEEDBACK = (S.CALLBACK, S.VERIFYING, S.RECTIFYING)
STAFF_ROLES = (*HALL_MANAGEMENT, *DEPARTMENT_ROLES)


def _setting(field: str, default: int, hall: str = "hall_id"):
    row = RatingSettings.objects.filter(hall_id=OuterRef(hall)).values(field)[:1]
    return Coalesce(Subquery(row), Value(default), output_field=IntegerField())


def callback_limit(hall: str = "hall_id"):
    """The hall's callback limit in working days (RatingSettings, default 1), per row in SQL."""
    return _setting("callback_days", DEFAULT_CALLBACK_DAYS, hall)


def rectify_limit(hall: str = "hall_id"):
    """The hall's rectification-and-feedback limit (RatingSettings, default 5), per row in SQL."""
    return _setting("rectify_days", DEFAULT_RECTIFY_DAYS, hall)


def with_light(qs: QuerySet[Rectification], today: dt.date) -> QuerySet[Rectification]:
    """Each row with the clock running now (`r_due_seq`, `r_limit`; none once fed back, appealed or
    closed) and its `light` by the one rule (clock_rules.deadline_light): the callback's while
    waiting for it, then the rectification's."""
    qs = qs.annotate(
        r_due_seq=Case(When(status__in=AWAITING_CALLBACK, then=F("callback_due_seq")),
                       When(status__in=AWAITING_FEEDBACK, then=F("rectify_due_seq")), default=None),
        r_limit=Case(When(status__in=AWAITING_CALLBACK, then=callback_limit()),
                     When(status__in=AWAITING_FEEDBACK, then=rectify_limit()), default=None),
    )  # fmt: skip
    light = clock_rules.deadline_light(calendar.seq(today), due_seq=F("r_due_seq"), limit_days=F("r_limit"))
    return qs.annotate(light=Case(When(r_due_seq__isnull=True, then=Value("")), default=light))


def visible(user: User) -> QuerySet[Rectification]:
    """The one visibility rule: hall management their hall's; a department's staff their
    department's; a superuser all; anyone else none."""
    if not user.is_authenticated:
        return Rectification.objects.none()
    if user.is_superuser:
        return Rectification.objects.all()
    staff = staff_of(user)
    if staff is None:
        return Rectification.objects.none()
    if staff.role in HALL_MANAGEMENT:
        return Rectification.objects.filter(hall_id=staff.hall_id)
    if staff.role in DEPARTMENT_ROLES:
        return Rectification.objects.filter(department_id=staff.department_id)
    return Rectification.objects.none()


def rectification_for(user: User, rating_id: int) -> Rectification:
    """The rectification of the bad rating, if `user` may see it; else 404 (never telling that it exists)."""
    rect = (
        with_light(visible(user), clock.today())
        .select_related(
            "rating",
            "rating__window",
            "rating__officer",
            "rating__case",
            "department",
            "hall",
            "called_back_by",
        )  # fmt: skip
        .filter(rating_id=rating_id)
        .first()
    )
    if rect is None:
        raise NotFound("rectification.not_found", "未找到该差评整改。")
    return rect


def overdue_callbacks(qs: QuerySet[Rectification] | None = None, today: dt.date | None = None):
    """Still waiting for the callback past its limit: callback_due_seq < seq(today)."""
    qs = Rectification.objects.all() if qs is None else qs
    return qs.filter(status__in=AWAITING_CALLBACK, callback_due_seq__lt=calendar.seq(today or clock.today()))


def overdue_feedback(qs: QuerySet[Rectification] | None = None, today: dt.date | None = None):
    """Still waiting for the rectification's feedback past its limit: rectify_due_seq < seq(today)."""
    qs = Rectification.objects.all() if qs is None else qs
    return qs.filter(status__in=AWAITING_FEEDBACK, rectify_due_seq__lt=calendar.seq(today or clock.today()))


def staff_list(user: User, *, status: str = "", overdue_only: bool = False, department: str = "",
               today: dt.date | None = None) -> QuerySet[Rectification]:  # fmt: skip
    """The list with its filters, each row with its light; open ones first, most urgent first."""
    qs = visible(user).select_related("rating", "rating__window", "department")
    if status in S.values:
        qs = qs.filter(status=status)
    if department:
        qs = qs.filter(department__code=department)
    today = today or clock.today()
    if overdue_only:
        qs = overdue_callbacks(qs, today) | overdue_feedback(qs, today)
    return with_light(qs, today).order_by(F("r_due_seq").asc(nulls_last=True), "-opened_at", "-pk")


def pending_appeals(user: User) -> QuerySet[Appeal]:
    """The appeals waiting for hall management's decision, in the user's scope."""
    return (
        Appeal.objects.filter(status=AppealStatus.PENDING, rating__rectification__in=visible(user))
        .select_related("rating", "rating__department", "filed_by")
        .order_by("filed_at")
    )


def appeals(user: User) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(rating__rectification__in=visible(user))
        .select_related("rating", "rating__department", "filed_by", "decided_by")
        .order_by("-filed_at")
    )


def events_of(rect: Rectification) -> QuerySet[RatingEvent]:
    return RatingEvent.objects.filter(rating_id=rect.rating_id).select_related("actor").order_by("seq")


def days_left(rect: Rectification, today: dt.date | None = None) -> int | None:
    """Working days left on the clock running now (negative: overdue); None when none runs."""
    seq = calendar.seq(today or clock.today())
    if rect.status in AWAITING_CALLBACK:
        return rect.callback_due_seq - seq
    if rect.status in AWAITING_FEEDBACK:
        return rect.rectify_due_seq - seq
    return None


def appeal_of(rect: Rectification) -> Appeal | None:
    return Appeal.objects.filter(rating_id=rect.rating_id).select_related("filed_by", "decided_by").first()
