"""差评整改 (issue 17 item 2; RULES.md "Ratings"): the bad-rating loop — callback within 1 working
day, verification, rectification and feedback within 5 (both *configurable* per hall:
RatingSettings), the rater's follow-up rating; appeal review (申诉复核) decided by hall management.
Limits are working days counted from the rating day (not counted), like a case's deadline."""

from onewindow.errors import Conflict
from onewindow.ratings.audit import append_event
from onewindow.ratings.models import Rating, RatingSettings, Rectification, RectificationStatus
from onewindow.workdays import calendar

DEFAULT_CALLBACK_DAYS = 1
DEFAULT_RECTIFY_DAYS = 5


def limits_of(hall_id: int) -> tuple[int, int]:
    """(callback days, rectification-and-feedback days) of the hall."""
    row = RatingSettings.objects.filter(hall_id=hall_id).values_list("callback_days", "rectify_days").first()
    return row or (DEFAULT_CALLBACK_DAYS, DEFAULT_RECTIFY_DAYS)


def open_for(rating: Rating) -> Rectification:
    """A bad first rating opens its rectification, assigned to the rating's department."""
    callback_days, rectify_days = limits_of(rating.hall_id)
    start = calendar.seq(rating.rated_on)
    rect = Rectification.objects.create(
        rating=rating, hall_id=rating.hall_id, department_id=rating.department_id, opened_at=rating.rated_at,
        callback_due_seq=start + callback_days, callback_due_on=calendar.date_of_seq(start + callback_days),
        rectify_due_seq=start + rectify_days, rectify_due_on=calendar.date_of_seq(start + rectify_days),
    )  # fmt: skip
    append_event(rating, by=None, action="rectification_open",
                 payload={"callback_due_on": rect.callback_due_on.isoformat(),
                          "rectify_due_on": rect.rectify_due_on.isoformat()})  # fmt: skip
    return rect


def check_follow_up(bad: Rating) -> None:
    """A follow-up rating (追评) only of a bad rating whose rectification was fed back."""
    status = Rectification.objects.filter(rating=bad).values_list("status", flat=True).first()
    if status != RectificationStatus.FED_BACK:
        raise Conflict("rating.follow_up_not_open", "整改反馈后才能追评。")


def followed_up(bad: Rating, follow_up: Rating) -> None:
    """The rater's follow-up rating closes the rectification."""
    Rectification.objects.filter(rating=bad, status=RectificationStatus.FED_BACK).update(
        status=RectificationStatus.CLOSED, closed_at=follow_up.rated_at
    )
