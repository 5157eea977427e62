"""好差评 API (API.md; issue 17 item 1): a case's ratings (GET, the applicant or staff who may see
the case), the applicant's online rating (POST, channel portal; Idempotency-Key honoured by the
middleware), the window device's rating (POST with X-Device-Key, no person's login) and the tags a
rater may tick. Errors: rating.already_rated 409, rating.not_yet 409, rating.invalid_level /
invalid_indicator / invalid_tag 400, rating.device_key_invalid 401, rating.no_service 409."""

import datetime as dt

from ninja import Field, Router, Schema
from ninja import Status as HttpStatus
from ninja.pagination import paginate

from onewindow.accounts.permissions import public, requires
from onewindow.cases.queries import case_for
from onewindow.errors import DomainError
from onewindow.inputs import column
from onewindow.paging import Paged
from onewindow.ratings import channels, devices
from onewindow.ratings.models import BAD_LEVEL_MAX, INDICATORS, Rating, RatingChannel, RatingMode, RatingTag
from onewindow.ratings.services import offered_tags

router = Router(tags=["ratings"])
HEADER = "X-Device-Key"
INDICATOR_NAMES = sorted({name for pairs in INDICATORS.values() for name, _ in pairs})


class RatingOut(Schema):
    id: int
    case: str | None
    ticket: str | None
    mode: str
    mode_display: str
    channel: str
    channel_display: str
    kind: str
    level: int
    level_display: str
    is_bad: bool
    indicators: dict[str, int]
    tags: list[str]
    text: str
    window: str | None
    department: str | None
    rated_at: dt.datetime
    excluded: bool


def out(r: Rating) -> dict:
    return {
        "id": r.pk, "case": r.case.number if r.case_id else None, "ticket": r.ticket.number if r.ticket_id else None,
        "mode": r.mode, "mode_display": r.get_mode_display(), "channel": r.channel,
        "channel_display": r.get_channel_display(), "kind": r.kind, "level": r.level,
        "level_display": r.get_level_display(), "is_bad": r.level <= BAD_LEVEL_MAX,  # not r.is_bad: a just-saved row would be re-read
        "indicators": {n: getattr(r, n) for n in INDICATOR_NAMES if getattr(r, n) is not None},
        "tags": r.tags, "text": r.text, "window": r.window.number if r.window_id else None,
        "department": r.department.code if r.department_id else None, "rated_at": r.rated_at, "excluded": r.excluded,
    }  # fmt: skip


class RateIn(Schema):
    level: int = Field(description="总体评价：5 非常满意 … 1 非常不满意")
    indicators: dict[str, int] = Field(default_factory=dict, description="分项指标（网上：efficiency, guide_accuracy, "
                                       "convenience, usability；现场：efficiency, skill, attitude），各 1–5，可选")  # fmt: skip
    tags: list[column(RatingTag, "text")] = Field(
        default_factory=list, description="评价标签（GET /rating-tags 所列）"
    )
    text: column(Rating, "text", code="rating.text_too_long") = Field("", description="评价内容（≤500字）")


@router.get("/cases/{number}/ratings", response=list[RatingOut], operation_id="ratings_list_case_ratings")
@paginate(Paged)
@requires()
def list_case_ratings(request, number: str):
    """A case's ratings: the applicant, or staff who may see the case (its department or hall)."""
    case = case_for(request.user, number)
    return [
        out(r) for r in channels.ratings_of(case).select_related("case", "ticket", "window", "department")
    ]


@router.post("/cases/{number}/ratings", response={201: RatingOut}, operation_id="ratings_rate_case")
@requires()
def rate_case(request, number: str, payload: RateIn):
    """网上评价: the applicant rates their case once (一事一评), after the intake answer."""
    case = channels.applicant_case(request.user, number)
    rating = channels.rate_case_online(case, channel=RatingChannel.PORTAL, by=request.user, level=payload.level,
                                       indicators=payload.indicators, tags=payload.tags, text=payload.text)  # fmt: skip
    return HttpStatus(201, out(rating))


@router.post(
    "/rating-devices/ratings", auth=None, response={201: RatingOut}, operation_id="ratings_device_rate"
)
@public
def device_rate(request, payload: RateIn):
    """窗口评价器（设备密钥认证）: rates the service at the device's window now (一次一评)."""
    device = devices.device_for_key(request.headers.get(HEADER, ""))
    rating = channels.rate_at_window(device, level=payload.level, indicators=payload.indicators, tags=payload.tags,
                                     text=payload.text)  # fmt: skip
    return HttpStatus(201, out(rating))


class TagOut(Schema):
    text: str
    for_bad: bool
    mode: str


@router.get("/rating-tags", response=list[TagOut], auth=None, operation_id="ratings_list_tags")
@public
def list_tags(request, mode: str = "", bad: bool | None = None):
    """The tags a rater may tick: `mode` online / on_site, `bad` for levels 1–2."""
    if mode and mode not in RatingMode.values:
        raise DomainError("rating.invalid_mode", "评价方式参数不正确（online / on_site）。")
    if mode and bad is not None:
        rows = offered_tags(mode, bad=bad)
    else:
        rows = RatingTag.objects.filter(is_active=True)
        rows = rows.filter(mode__in=("", mode)) if mode else rows
        rows = rows.filter(for_bad=bad) if bad is not None else rows
    return [{"text": t.text, "for_bad": t.for_bad, "mode": t.mode} for t in rows]
