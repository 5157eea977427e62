"""The channels of 好差评 (issue 17 item 1; RULES.md "Ratings"): who may rate what, and when, at
the window device, on the portal, through the QR code and through the SMS link — each ends in
services.record, the one home where a rating is written.

When a case may be rated online (一事一评): once it has its written intake answer (RULES.md
"Cases": accepted, refused or a one-time supplement notice — any status but `submitted`). Before
the answer there is nothing of the hall's to rate yet; after it the applicant may rate at once or
wait for the decision (the SMS invitation comes when the case is closed, unless they rated)."""

from django.db.models import QuerySet

from onewindow.accounts.models import User
from onewindow.cases.models import Case, Status
from onewindow.errors import Conflict, Forbidden, NotFound
from onewindow.ratings import devices
from onewindow.ratings.models import Rating, RatingChannel, RatingDevice, RatingKind, RatingMode
from onewindow.ratings.services import record, subject_of_case, subject_of_ticket


def may_rate_online(case: Case) -> bool:
    return case.status != Status.SUBMITTED


def online_rating(case: Case) -> Rating | None:
    """The case's first online rating (一事一评: at most one)."""
    return Rating.objects.filter(case=case, mode=RatingMode.ONLINE, kind=RatingKind.FIRST).first()


def ratings_of(case: Case) -> QuerySet[Rating]:
    return Rating.objects.filter(case=case).order_by("rated_at", "pk")


def applicant_case(user: User, number: str) -> Case:
    """The logged-in applicant's own case (anyone else: 404, never telling that it exists)."""
    case = (Case.objects.select_related("applicant", "item_version", "department", "hall")
            .filter(number=number, applicant__user=user).first()) if user.is_authenticated else None  # fmt: skip
    if case is None:
        raise NotFound("rating.case_not_found", "未找到该办件。")
    return case


def check_rateable(case: Case) -> None:
    if not may_rate_online(case):
        raise Conflict("rating.not_yet", "办件尚未作出受理答复，答复后即可评价。")
    if online_rating(case) is not None:
        raise Conflict("rating.already_rated", "该办件已评价过，不能重复评价。")


def rate_case_online(case: Case, *, channel: str, by: User | None, level, indicators=None, tags=None,
                     text: str = "") -> Rating:  # fmt: skip
    """The applicant rates their case online: portal, QR code (logged in) or the SMS link (by
    the token: `by` is None). The applicant is the rater, real-name (their phone for the callback)."""
    if channel not in (RatingChannel.PORTAL, RatingChannel.QR, RatingChannel.SMS):
        raise Forbidden("rating.invalid_channel", "评价渠道不正确。")
    check_rateable(case)
    applicant = case.applicant
    return record(subject=subject_of_case(case, RatingMode.ONLINE), channel=channel, level=level,
                  indicators=indicators, tags=tags, text=text, rater_user=by, rater=applicant,
                  rater_phone=applicant.phone, real_name=True)  # fmt: skip


def bad_ratings_of(case: Case) -> list[Rating]:
    """The case's bad first ratings (on site or online) with their rectification and follow-up:
    what the applicant's card shows of the bad-rating loop (回访、整改、反馈、追评)."""
    return list(
        Rating.objects.filter(case=case, kind=RatingKind.FIRST, is_bad=True)
        .select_related("rectification").prefetch_related("follow_ups").order_by("rated_at", "pk")
    )  # fmt: skip


def follow_up_target(case: Case, rating_id: int) -> Rating:
    """A bad rating of the case that the applicant may rate again (its rectification fed back)."""
    bad = Rating.objects.filter(case=case, kind=RatingKind.FIRST, is_bad=True, pk=rating_id).first()
    if bad is None:
        raise NotFound("rating.not_found", "未找到该评价。")
    return bad


def rate_follow_up(
    case: Case, bad: Rating, *, by: User, level, indicators=None, tags=None, text: str = ""
) -> Rating:
    """追评 (RULES.md "Ratings": the rater may rate the rectification): the applicant, once, after
    the department's feedback — services.record checks the rectification is fed back and closes it."""
    applicant = case.applicant
    return record(subject=subject_of_case(case, RatingMode.ONLINE), channel=RatingChannel.PORTAL, level=level,
                  indicators=indicators, tags=tags, text=text, rater_user=by, rater=applicant,
                  rater_phone=applicant.phone, real_name=True, follows=bad)  # fmt: skip


def rate_at_window(device: RatingDevice, *, level, indicators=None, tags=None, text: str = "") -> Rating:
    """The window device's tap (一次一评): the service at its window now and its first unrated
    case; refused with `rating.no_service` when nobody has been served there just now."""
    ticket = devices.current_ticket(device.window)
    if ticket is None:
        raise Conflict("rating.no_service", "该窗口当前没有可评价的服务，请在办理完成后评价。")
    subject = subject_of_ticket(ticket)
    case = devices.case_of(ticket)
    if case is not None:
        subject.update(case=case, department_id=case.department_id)
    applicant = ticket.applicant
    rating = record(subject=subject, channel=RatingChannel.DEVICE, level=level, indicators=indicators, tags=tags,
                    text=text, rater=applicant, rater_phone=applicant.phone if applicant else "",
                    real_name=applicant is not None)  # fmt: skip
    devices.seen(device)
    return rating
