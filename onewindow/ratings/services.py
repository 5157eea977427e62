"""好差评 (issue 17 items 1–2; RULES.md "Ratings"): `record`, the one home where a rating is
written, whatever the channel (window device, portal, SMS link, QR code, hotline). Every channel's
page and API call it; it checks the level, indicators, tags and text, fixes whom the rating counts
for (hall, department, window, officer — copied from the subject), refuses a second rating of the
same case and mode (the unique constraints decide, so two concurrent taps give one rating and one
`rating.already_rated`), appends the audit event, and for a bad rating (level 1–2) opens the
rectification (ratings.rectification). A follow-up rating (追评) rates a rectification fed back to
the rater."""

from django.db import IntegrityError, transaction

from onewindow import clock
from onewindow.accounts.models import Applicant, User
from onewindow.cases.models import Case
from onewindow.errors import Conflict, DomainError
from onewindow.queueing.models import Ticket
from onewindow.ratings import devices, rectification
from onewindow.ratings.audit import append_event
from onewindow.ratings.complaints import accepting_officer_id
from onewindow.ratings.models import (
    BAD_LEVEL_MAX,
    CHANNEL_MODE,
    INDICATORS,
    Rating,
    RatingChannel,
    RatingKind,
    RatingLevel,
    RatingTag,
)

TEXT_MAX = 500
TAGS_MAX = 10


def _level(value, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in RatingLevel.values:
        raise DomainError("rating.invalid_level", f"{label}须为1至5的整数（5非常满意，1非常不满意）。",
                          details={"field": field})  # fmt: skip
    return value


def clean(mode: str, level, indicators: dict | None, tags: list | None, text: str | None) -> dict:
    """The rating's fields, checked: the overall level; only the indicators of the mode (each
    1–5, optional); tags among the active ones offered for this level and mode; text trimmed."""
    fields = {"level": _level(level, "level", "总体评价")}
    allowed = dict(INDICATORS[mode])
    for name, value in (indicators or {}).items():
        if name not in allowed:
            raise DomainError(
                "rating.invalid_indicator", "该评价方式没有这一评价指标。", details={"field": name}
            )
        if value is not None:
            fields[name] = _level(value, name, allowed[name])
    tags = list(dict.fromkeys(t.strip() for t in (tags or []) if isinstance(t, str) and t.strip()))
    if len(tags) > TAGS_MAX:
        raise DomainError("rating.too_many_tags", f"评价标签最多选{TAGS_MAX}个。")
    if tags:
        offered = set(offered_tags(mode, bad=fields["level"] <= BAD_LEVEL_MAX).values_list("text", flat=True))
        unknown = [t for t in tags if t not in offered]
        if unknown:
            raise DomainError(
                "rating.invalid_tag", f"评价标签「{unknown[0][:20]}」不可选。", details={"field": "tags"}
            )
    fields["tags"] = tags
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise DomainError(
            "rating.text_too_long", f"评价内容不能超过{TEXT_MAX}字。", details={"field": "text"}
        )
    fields["text"] = text
    return fields


def offered_tags(mode: str, *, bad: bool):
    """The tags a rater may tick: active, for bad (1–2) or other levels, for this mode or both."""
    return RatingTag.objects.filter(is_active=True, for_bad=bad, mode__in=("", mode))


def subject_of_case(case: Case, mode: str) -> dict:
    """Whom a rating of the case counts for: its hall and department, the 受理窗口, and the officer
    — on site the clerk at that window, online the officer who accepted the case."""
    clerk = devices.clerk_at(case.window) if mode == "on_site" and case.window else None
    officer = clerk.user_id if clerk else (None if mode == "on_site" else accepting_officer_id(case))
    return {"case": case, "hall_id": case.hall_id, "department_id": case.department_id,
            "window_id": case.window_id, "officer_id": officer}  # fmt: skip


def subject_of_ticket(ticket: Ticket) -> dict:
    """A queue service (一次一评 at the window): the hall, window and clerk who served it; the
    department of its first case, else the window's only department (None: hall management)."""
    department_id = None
    if ticket.case_numbers:
        department_id = (
            Case.objects.filter(number=ticket.case_numbers[0]).values_list("department_id", flat=True).first()
        )
    if department_id is None and ticket.window_id is not None:
        ids = list(ticket.window.departments.values_list("pk", flat=True)[:2])
        department_id = ids[0] if len(ids) == 1 else None
    return {"ticket": ticket, "hall_id": ticket.hall_id, "department_id": department_id,
            "window_id": ticket.window_id, "officer_id": ticket.clerk_id}  # fmt: skip


def record(*, subject: dict, channel: str, level, indicators: dict | None = None, tags: list | None = None,
           text: str = "", rater_user: User | None = None, rater: Applicant | None = None, rater_phone: str = "",
           real_name: bool = False, follows: Rating | None = None) -> Rating:  # fmt: skip
    """Write one rating. `subject` from subject_of_case / subject_of_ticket (or a hotline order's
    {"hotline_ref", "hall_id", …}); `follows`: the bad rating whose rectification this rates.
    Refused: a second first rating of the subject in the same mode, a second follow-up, a
    follow-up before the feedback (`rating.already_rated`, `rating.follow_up_not_open`)."""
    if channel not in RatingChannel.values:
        raise DomainError("rating.invalid_channel", "评价渠道不正确。")
    mode = CHANNEL_MODE[RatingChannel(channel)]
    fields = clean(mode, level, indicators, tags, text)
    now = clock.now()
    with transaction.atomic():
        if follows is not None:
            rectification.check_follow_up(follows)
        rating = Rating(
            **subject, **fields, mode=mode, channel=channel,
            kind=RatingKind.FOLLOW_UP if follows is not None else RatingKind.FIRST, follows=follows,
            rater_user=rater_user, rater=rater, rater_phone=(rater_phone or "")[:20], real_name=real_name,
            rated_at=now, rated_on=now.astimezone(clock.hall_tz()).date(),
        )  # fmt: skip
        try:
            with transaction.atomic():
                rating.save()
        except IntegrityError as exc:
            raise Conflict("rating.already_rated", "该服务已评价过，不能重复评价。") from exc
        append_event(rating, by=rater_user, action="rate",
                     payload={"channel": channel, "mode": mode, "level": rating.level, "kind": rating.kind})  # fmt: skip
        if follows is not None:
            rectification.followed_up(follows, rating)
        elif rating.level <= BAD_LEVEL_MAX:
            rectification.open_for(rating)
    return rating
