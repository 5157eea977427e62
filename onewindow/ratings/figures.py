"""满意度与差评整改 figures (issue 17 item 4): the one home of the numbers the public disclosure page,
the stats dashboard, its Excel export and the assessment criteria read — so they cannot disagree.
Set-based: one grouped query per table (COUNT … FILTER), never a loop over ratings.

Definitions (decision 39; RULES.md "Ratings"; 国办发〔2019〕51号):

- **counted ratings** (评价数): first ratings (一事一评 / 一次一评) rated in the period, without the
  ones an upheld appeal excluded (Rating.excluded: never counted in any score or rate). A
  follow-up rating (追评) is not counted: it rates the rectification of a bad rating, not a second
  service — counting it would count one case twice and let a rectification "repair" the month's
  rate by adding a good rating beside the bad one. Its level is shown beside the rectified bad
  rating instead (`rectified_list`).
- **satisfaction rate** (满意度) = ratings at level ≥ 3 (非常满意 + 满意 + 基本满意) ÷ counted
  ratings, the national practice of the 好差评 platforms (levels: RULES.md "Ratings"; levels 1–2
  are the bad ratings, so 满意度 = 1 − 差评率). Neither RULES.md nor the seed defines the rate; the
  seed halls quote it (新泰 "群众评价满意率达到99%以上", 潍坊 "群众满意率100%").
- **bad ratings** (差评): counted ratings at level ≤ 2 (Rating.is_bad).
- **rectified** (已整改): bad ratings whose rectification has been fed back to the rater
  (status fed_back, or closed after the follow-up rating) — as the records stand now: a month's
  rectification rate rises while its last bad ratings are still being rectified.
- **rectification rate** (差评整改率) = rectified ÷ bad ratings.
- **on-time rectification rate** (按期整改率) = rectified and fed back within the limit
  (Rectification.fed_back_on_time, the hall's rectify_days) ÷ rectified.

Rates are Decimal fractions rounded to 4 places (as stats.kpis), None where the divisor is 0."""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery

from onewindow.ratings.models import BAD_LEVEL_MAX, Rating, RatingKind, RatingLevel, RectificationStatus

SATISFIED_MIN = BAD_LEVEL_MAX + 1  # 基本满意 (3) and above: satisfied; 1–2 are the bad ratings

RECTIFIED = (RectificationStatus.FED_BACK, RectificationStatus.CLOSED)
NO_DEPARTMENT = "大厅综合服务"  # a queue service or hotline rating no department handled
SUMMARY_CHARS = 60
LIST_LIMIT = 500  # the public list of one month (the page says when there are more)


def ratio(a: int, b: int) -> Decimal | None:
    if not b:
        return None
    return (Decimal(a) / Decimal(b)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    """One department's (or the total's) figures for the period."""

    hall: str
    department: str
    rated: int
    satisfied: int
    bad: int
    rectified: int
    rectified_on_time: int

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return ratio(self.satisfied, self.rated)

    @property
    def rectification_rate(self) -> Decimal | None:
        return ratio(self.rectified, self.bad)

    @property
    def on_time_rate(self) -> Decimal | None:
        return ratio(self.rectified_on_time, self.rectified)


COUNTS = ("rated", "satisfied", "bad", "rectified", "rectified_on_time")


def counted(first: dt.date, last: dt.date, *, hall_id: int | None = None, department_id: int | None = None):
    """The ratings the figures count: first ratings of first..last (hall days), not excluded."""
    ratings = Rating.objects.filter(
        kind=RatingKind.FIRST, excluded=False, rated_on__gte=first, rated_on__lte=last
    )
    if hall_id is not None:
        ratings = ratings.filter(hall_id=hall_id)
    if department_id is not None:
        ratings = ratings.filter(department_id=department_id)
    return ratings


def _is_rectified() -> Q:
    return Q(is_bad=True, rectification__status__in=RECTIFIED)


@dataclass(frozen=True)
class Figures:
    first: dt.date
    last: dt.date
    lines: list[Line]  # per hall and department, by hall then department name
    total: Line


def satisfaction(first: dt.date, last: dt.date, *, hall_id: int | None = None,
                 department_id: int | None = None) -> Figures:  # fmt: skip
    """Per department (and hall) and in total, for first..last: one grouped query."""
    rows = (
        counted(first, last, hall_id=hall_id, department_id=department_id)
        .order_by()
        .values("hall_id", "department_id", hall_name=F("hall__name"), department_name=F("department__name"))
        .annotate(
            rated=Count("pk"),
            satisfied=Count("pk", filter=Q(level__gte=SATISFIED_MIN)),
            bad=Count("pk", filter=Q(is_bad=True)),
            rectified=Count("pk", filter=_is_rectified()),
            rectified_on_time=Count("pk", filter=_is_rectified() & Q(rectification__fed_back_on_time=True)),
        )
    )
    lines = sorted(
        (Line(r["hall_name"], r["department_name"] or NO_DEPARTMENT, *(r[n] for n in COUNTS)) for r in rows),
        key=lambda line: (line.hall, line.department == NO_DEPARTMENT, line.department),
    )
    total = Line("", "合计", *(sum(getattr(line, n) for line in lines) for n in COUNTS))
    return Figures(first, last, lines, total)


# Digit runs that may be a phone or an ID number (7 or more digits, spaces or dashes between):
# the public summary hides them, whatever a department typed into its measures.
_NUMBER = re.compile(r"\d[\d\s-]{5,}[\dXx]")


def summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    text = _NUMBER.sub("＊＊＊", " ".join((text or "").split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


LEVELS = dict(RatingLevel.choices)


def rectified_list(first: dt.date, last: dt.date, *, hall_id: int | None = None, department_id: int | None = None,
                   limit: int = LIST_LIMIT) -> list[dict]:  # fmt: skip
    """Each rectified bad rating of first..last with its outcome, for the public (issue 17 item 4:
    no personal data): the item, department, rating day, level, tags, a summary of the measures
    and the follow-up level. Not shown: the rater (name, phone, account), the rater's text, the
    case number (not personal itself, but it leads to the applicant), the officer, and the
    feedback to the rater (addressed to a person, it is the likeliest place for a name)."""
    follow_up = Rating.objects.filter(follows=OuterRef("pk"), kind=RatingKind.FOLLOW_UP).values("level")[:1]
    rows = (
        counted(first, last, hall_id=hall_id, department_id=department_id)
        .filter(_is_rectified())
        .annotate(follow_up_level=Subquery(follow_up))
        .order_by("rated_on", "pk")
        .values_list(
            "hall__name", "department__name", "case__item_version__name", "ticket_id", "rated_on", "level", "tags",
            "rectification__measures", "rectification__fed_back_on_time", "follow_up_level",
        )[:limit]
    )  # fmt: skip
    return [
        {"hall": hall, "department": department or NO_DEPARTMENT,
         "item": item or ("排队服务" if ticket else "12345热线工单"), "rated_on": rated_on, "level": level,
         "level_label": LEVELS[level], "tags": "、".join(tags or []), "measures": summary(measures),
         "on_time": bool(on_time), "follow_up_level": follow,
         "follow_up_label": LEVELS[follow] if follow else ""}
        for hall, department, item, ticket, rated_on, level, tags, measures, on_time, follow in rows
    ]  # fmt: skip
