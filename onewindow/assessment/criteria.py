"""The criteria of the 1000-point score: a registry of small functions, each measuring one thing
for a hall's month from the records, per window and per officer, in set-based queries. The
points are not here: they are Criterion rows, editable in the admin (defaults: DEFAULTS below,
reasons in docs/assessment.md).

A measure answers {(subject, pk): Measure(units, measured)} — `units` (≥ 0) times the
criterion's points is what the subject loses (or, a bonus, gains), up to the cap; `measured`
says it in words for the breakdown. A subject the measure does not name has 0 units.

Adding a criterion is one entry in REGISTRY (its measure and default points): compute, the pages
and the export take it from there. The ratings and complaints criteria (issue 17) count what
ratings.figures counts (decision 39: first ratings, without those an upheld appeal excluded)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

from onewindow import clock
from onewindow.accounts.models import Hall, Staff, Window
from onewindow.assessment import attendance
from onewindow.assessment.models import Criterion, Subject
from onewindow.queueing.models import Ticket
from onewindow.ratings import figures as rating_figures
from onewindow.ratings.models import Complaint, ComplaintFinding, Rating, RatingKind
from onewindow.stats.models import DailyFigure
from onewindow.supervision import cards
from onewindow.supervision.models import CardClearance, Violation

CENT = Decimal("0.01")
WIN, OFF = Subject.WINDOW.value, Subject.OFFICER.value


def q2(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Measure:
    units: Decimal
    measured: str


@dataclass(frozen=True)
class Scope:
    """A hall's month and whom it scores: the hall's active windows and the users of its active
    staff who stand at a window (Staff.windows)."""

    hall: Hall
    first: dt.date
    last: dt.date
    windows: tuple[int, ...]
    officers: tuple[int, ...]

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=clock.hall_tz())

    @property
    def end_at(self) -> dt.datetime:  # exclusive
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=clock.hall_tz())


Measures = dict[tuple[str, int], Measure]


def on_time(scope: Scope, threshold: Decimal) -> Measures:
    """按时办结率 below the target (threshold, %): units = the percentage points short, over the
    cases closed in the month (stats.DailyFigure: the window the case was received at, the officer
    who accepted it). No case closed: nothing measured."""
    figures = DailyFigure.objects.filter(hall=scope.hall, day__gte=scope.first, day__lte=scope.last)
    out: Measures = {}
    for subject, field, pks in ((WIN, "window_id", scope.windows), (OFF, "officer_id", scope.officers)):
        rows = (figures.filter(**{f"{field}__in": pks}).values(field)
                .annotate(closed=Sum("closed"), on_time=Sum("closed_on_time")).values_list(field, "closed", "on_time"))  # fmt: skip
        for pk, closed, in_time in rows:
            if not closed:
                continue
            rate = q2(Decimal(in_time) * 100 / Decimal(closed))
            out[(subject, pk)] = Measure(max(Decimal(0), q2(threshold - rate)),
                                         f"办结{closed}件，按时{in_time}件，按时办结率{rate}%")  # fmt: skip
    return out


def violations(scope: Scope, threshold: Decimal) -> Measures:
    """违规记录 upheld (认定违规) in the month, counted against the window and the officer named."""
    upheld = Violation.objects.filter(status=Violation.Status.UPHELD, decided_at__gte=scope.start_at,
                                      decided_at__lt=scope.end_at)  # fmt: skip
    out: Measures = {}
    for subject, field, pks in ((WIN, "window_id", scope.windows), (OFF, "officer_id", scope.officers)):
        for pk, n in (
            upheld.filter(**{f"{field}__in": pks})
            .values(field)
            .annotate(n=Count("pk"))
            .values_list(field, "n")
        ):
            out[(subject, pk)] = Measure(Decimal(n), f"认定违规{n}起")
    return out


def _cards_in_month(scope: Scope) -> dict[tuple[str, int], list[str]]:
    """The cards raised in the month per holder: the card after each upheld violation (by decision
    time; supervision.cards over the whole history, so a second violation while a card is open
    is a red card) whose time falls in the month. Two queries per holder kind."""
    raised: dict[tuple[str, int], list[str]] = defaultdict(list)
    for subject, field, pks in ((WIN, "window_id", scope.windows), (OFF, "officer_id", scope.officers)):
        events = defaultdict(list)
        upheld = Violation.objects.filter(status=Violation.Status.UPHELD, decided_at__lt=scope.end_at,
                                          **{f"{field}__in": pks})  # fmt: skip
        for who, at, pk in upheld.values_list(field, "decided_at", "pk"):
            events[who].append((at, 1, pk, cards.UPHELD))
        cleared = CardClearance.objects.filter(at__lt=scope.end_at, **{f"{field}__in": pks})
        for who, at, pk in cleared.values_list(field, "at", "pk"):
            events[who].append((at, 0, pk, cards.CLEARED))
        for who, found in events.items():
            found.sort()
            for (at, *_), card in zip(found, cards.cards(e[-1] for e in found), strict=True):
                if at >= scope.start_at and card != cards.NONE:
                    raised[(subject, who)].append(card)
    return raised


def yellow_cards(scope: Scope, threshold: Decimal) -> Measures:
    """黄牌 raised in the month."""
    return {key: Measure(Decimal(n), f"黄牌{n}张") for key, found in _cards_in_month(scope).items()
            if (n := found.count(cards.YELLOW))}  # fmt: skip


def red_cards(scope: Scope, threshold: Decimal) -> Measures:
    """红牌 raised in the month (a report to the city government counts as one more)."""
    return {key: Measure(Decimal(n), f"红牌（含报告市政府）{n}张") for key, found in _cards_in_month(scope).items()
            if (n := found.count(cards.RED) + found.count(cards.REPORTED))}  # fmt: skip


def missing_check_ins(scope: Scope, threshold: Decimal) -> Measures:
    """缺卡: check-ins missing on the month's working days (assessment.attendance.missing); a
    window's is the sum of its staff's."""
    staff = Staff.objects.filter(hall=scope.hall, is_active=True, user_id__in=scope.officers)
    by_staff = attendance.missing(scope.hall, scope.first, staff)
    out: Measures = {}
    user_of = dict(staff.values_list("pk", "user_id"))
    for pk, row in by_staff.items():
        if row["missing"]:
            out[(OFF, user_of[pk])] = Measure(Decimal(row["missing"]),
                                            f"应打卡{row['expected']}次，缺{row['missing']}次")  # fmt: skip
    per_window: dict[int, int] = defaultdict(int)
    for staff_id, window_id in Staff.windows.through.objects.filter(
        staff__in=staff, window_id__in=scope.windows
    ).values_list("staff_id", "window_id"):
        per_window[window_id] += by_staff[staff_id]["missing"]
    for window_id, n in per_window.items():
        if n:
            out[(WIN, window_id)] = Measure(Decimal(n), f"本窗口工作人员缺卡{n}次")
    return out


def queue_wait(scope: Scope, threshold: Decimal) -> Measures:
    """平均等候 of the tickets served (办结) at the window / by the officer in the month, from
    queueing (called − queued), above the threshold in minutes: units = the minutes over."""
    served = Ticket.objects.filter(hall=scope.hall, status=Ticket.Status.DONE, day__gte=scope.first,
                                   day__lte=scope.last, called_at__isnull=False)  # fmt: skip
    wait = ExpressionWrapper(F("called_at") - F("queued_at"), output_field=DurationField())
    out: Measures = {}
    for subject, field, pks in ((WIN, "window_id", scope.windows), (OFF, "clerk_id", scope.officers)):
        rows = (served.filter(**{f"{field}__in": pks}).values(field)
                .annotate(n=Count("pk"), total=Sum(wait)).values_list(field, "n", "total"))  # fmt: skip
        for pk, n, total in rows:
            average = q2(Decimal(total.total_seconds()) / 60 / n)
            out[(subject, pk)] = Measure(max(Decimal(0), q2(average - threshold)),
                                         f"服务{n}人次，平均等候{average}分钟")  # fmt: skip
    return out


# Whom a rating or complaint counts against: the window and the officer it names.
_HOLDERS = ((WIN, "window_id", "windows"), (OFF, "officer_id", "officers"))


def bad_ratings(scope: Scope, threshold: Decimal) -> Measures:
    """差评: the bad first ratings (levels 1–2) rated in the month against the window and the
    officer (Rating.window / officer), without those an upheld appeal (申诉复核) excluded — an
    upheld appeal changes the score at the next computation (issue 17 acceptance)."""
    rated = rating_figures.counted(scope.first, scope.last, hall_id=scope.hall.pk)
    out: Measures = {}
    for subject, field, pks in _HOLDERS:
        rows = (rated.filter(**{f"{field}__in": getattr(scope, pks)}).order_by().values(field)
                .annotate(n=Count("pk"), bad=Count("pk", filter=Q(is_bad=True))).values_list(field, "n", "bad"))  # fmt: skip
        for pk, n, bad in rows:
            out[(subject, pk)] = Measure(
                Decimal(bad), f"评价{n}次，差评{bad}次" if bad else f"评价{n}次，无差评"
            )
    return out


def bad_ratings_unrectified(scope: Scope, threshold: Decimal) -> Measures:
    """差评逾期未整改: bad ratings (not excluded) whose rectification deadline (rectify_due_on, the
    hall's rectify_days) fell in the month and that were not fed back to the rater by it
    (Rectification.fed_back_on_time not true: still open, or fed back late). Counted in the month
    of the deadline, so each bad rating at most once, and every deadline of the month has passed
    when the month is computed."""
    late = (
        Rating.objects.filter(hall=scope.hall, kind=RatingKind.FIRST, excluded=False, is_bad=True,
                              rectification__rectify_due_on__gte=scope.first,
                              rectification__rectify_due_on__lte=scope.last)
        .exclude(rectification__fed_back_on_time=True)
    )  # fmt: skip
    out: Measures = {}
    for subject, field, pks in _HOLDERS:
        for pk, n in (late.filter(**{f"{field}__in": getattr(scope, pks)}).order_by().values(field)
                      .annotate(n=Count("pk")).values_list(field, "n")):  # fmt: skip
            out[(subject, pk)] = Measure(Decimal(n), f"差评{n}条未在整改期限内反馈")
    return out


def complaints_upheld(scope: Scope, threshold: Decimal) -> Measures:
    """投诉属实: complaints found upheld (认定属实, Complaint.found_at) in the month, counted against
    the window and the officer the complaint names (ratings.complaints links them from the case)."""
    upheld = Complaint.objects.filter(hall=scope.hall, finding=ComplaintFinding.UPHELD,
                                      found_at__gte=scope.start_at, found_at__lt=scope.end_at)  # fmt: skip
    out: Measures = {}
    for subject, field, pks in _HOLDERS:
        for pk, n in (upheld.filter(**{f"{field}__in": getattr(scope, pks)}).order_by().values(field)
                      .annotate(n=Count("pk")).values_list(field, "n")):  # fmt: skip
            out[(subject, pk)] = Measure(Decimal(n), f"投诉属实{n}件")
    return out


@dataclass(frozen=True)
class Definition:
    measure: Callable[[Scope, Decimal], Measures]
    name: str
    points: str
    cap: str = "0"
    threshold: str = "0"
    for_windows: bool = True
    for_officers: bool = True
    is_bonus: bool = False
    reason: str = ""


REGISTRY: dict[str, Definition] = {
    "on_time": Definition(on_time, "按时办结率", points="5", cap="200", threshold="100",
                         reason="限时办结是服务承诺的核心：低于100%每差1个百分点扣5分，最多扣200分。"),
    "violations": Definition(violations, "认定违规", points="20", cap="200",
                             reason="电子监察认定的违规（超期、未按流程、违规收费、体外循环）每起扣20分。"),
    "yellow_cards": Definition(yellow_cards, "黄牌", points="30", cap="0",
                               reason="黄牌是首次违规的警示，每张另扣30分。"),
    "red_cards": Definition(red_cards, "红牌", points="100", cap="0",
                            reason="红牌表示亮黄牌后再次违规，每张另扣100分，足以使其退出评优。"),
    "missing_check_ins": Definition(missing_check_ins, "考勤缺卡", points="2", cap="100",
                                    reason="每天4次考勤，缺1次扣2分，最多扣100分。"),
    "queue_wait": Definition(queue_wait, "平均等候时间", points="2", cap="100", threshold="15",
                             reason="群众平均等候超过15分钟后每多1分钟扣2分，最多扣100分。"),
    "bad_ratings": Definition(bad_ratings, "差评", points="10", cap="200",
                              reason="每条差评（申诉复核认定误评、恶意差评的不计）扣10分，最多扣200分。"),
    "bad_ratings_unrectified": Definition(bad_ratings_unrectified, "差评逾期未整改", points="20", cap="200",
                                          reason="差评整改期限在本月而未按期反馈的，每条另扣20分，最多扣200分。"),
    "complaints_upheld": Definition(complaints_upheld, "投诉属实", points="30", cap="300",
                                    reason="经认定属实的投诉每件扣30分，最多扣300分：群众投诉经核实，重于一条差评。"),
}  # fmt: skip
ORDER = list(REGISTRY)


def ensure_defaults() -> None:
    """The default Criterion row of every registered measure not yet in the table (an operator's
    edits are never overwritten)."""
    have = set(Criterion.objects.values_list("code", flat=True))
    Criterion.objects.bulk_create([
        Criterion(code=code, name=d.name, points=Decimal(d.points), cap=Decimal(d.cap), threshold=Decimal(d.threshold),
                  for_windows=d.for_windows, for_officers=d.for_officers, is_bonus=d.is_bonus, order=ORDER.index(code),
                  reason=d.reason)
        for code, d in REGISTRY.items() if code not in have
    ])  # fmt: skip


def active() -> list[Criterion]:
    """The enabled criteria that have a registered measure, in order."""
    ensure_defaults()
    return [c for c in Criterion.objects.filter(enabled=True) if c.code in REGISTRY]


def applies(criterion: Criterion, subject: str) -> bool:
    return criterion.for_windows if subject == WIN else criterion.for_officers


def points_for(criterion: Criterion, units: Decimal) -> Decimal:
    """The signed change of score: −min(cap, units × points), or + for a bonus."""
    amount = q2(units * criterion.points)
    if criterion.cap and amount > criterion.cap:
        amount = criterion.cap
    return amount if criterion.is_bonus else -amount


def scope_for(hall: Hall, first: dt.date, last: dt.date) -> Scope:
    windows = tuple(Window.objects.filter(hall=hall, is_active=True).values_list("pk", flat=True))
    officers = tuple(
        Staff.objects.filter(hall=hall, is_active=True, windows__isnull=False)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return Scope(hall, first, last, windows, officers)
