"""Yearly grades of the agencies (年度信用评价, issue 19 item 5; RULES.md "Intermediary market";
docs/market.md "Grades", after GB/T 39683-2020 in spirit).

Hall management records the upheld complaints and the violations (Misconduct), computes a year
— recomputable until it is published — publishes it, and decides the agencies' appeals. The
figures of a year, per agency, are one statement (a subquery per figure, never a query per
agency):

- contracts: its contracts accepted in the year (hall time);
- evaluation_avg: the mean of the three scores of the owners' evaluations of those contracts,
  2 decimals;
- on_time_rate: the share delivered on time among its contracts delivered in the year, 4 decimals;
- complaints, violations: its Misconduct of each kind that occurred in the year.

points = weight_evaluation × avg / 5 + weight_on_time × on-time rate
         − deduct_complaint × complaints − deduct_violation × violations,
computed from the figures as published (so anyone can redo the sum from the report), floored
at 0, 2 decimals (half up). A part without data (no contract accepted, no evaluation given, no
delivery in the year) counts at NEUTRAL_SHARE = 80 %: a new or idle agency is graded B before
deductions — neither rewarded nor blacklisted for having no work, while its complaints and
violations still bite. Grades by MarketSettings' thresholds: A ≥ grade_a_min, B ≥ grade_b_min,
C ≥ grade_c_min, else D.

Publishing sets each agency's grade (Agency.grade: D blacklisted from then on — services.
eligibility_refusal reads it; C on the warning list; only A and B for government-invested
purchases) and opens the appeal window (appeal_days working days). One appeal per grade."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.market import services
from onewindow.market.audit import append_event
from onewindow.market.models import (
    Agency,
    Contract,
    Evaluation,
    Grade,
    GradeAppeal,
    Misconduct,
    Purchase,
    YearGrade,
)
from onewindow.workdays import calendar

NEUTRAL_SHARE = Decimal("0.8")  # a part without data (docs/market.md "Grades")
FIRST_YEAR = 2000
# Who is graded for a year: admitted during or before it and not gone before it began.
GRADED_STATUSES = (Agency.Status.ADMITTED, Agency.Status.EXITED, Agency.Status.EXPELLED)
DETAIL_MAX, REASON_MAX, DECISION_MAX = 500, 2000, 500
CENT, TEN_THOUSANDTH = Decimal("0.01"), Decimal("0.0001")


def require_management(by: User) -> None:
    if not services.is_management(by):
        raise Forbidden("market.not_management", "只有大厅管理人员可以执行此操作。")


def parse_year(value) -> int:
    try:
        year = int(str(value).strip())
    except ValueError:
        year = 0
    if not FIRST_YEAR <= year <= clock.today().year:
        raise DomainError("market.year", f"年度应在{FIRST_YEAR}年至今年之间。", details={"field": "year"})
    return year


def _span(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = clock.hall_tz()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


# ---- misconduct ------------------------------------------------------------------------------------


@transaction.atomic
def record_misconduct(agency: Agency, *, kind: str, occurred_on: dt.date | None, detail: str,
                      purchase: Purchase | None = None, by: User) -> Misconduct:  # fmt: skip
    """投诉成立 / 违规: hall management records it with its facts; it counts in the grade of the
    year it occurred (a year already published keeps its grades: appeals decide those)."""
    require_management(by)
    if kind not in Misconduct.Kind.values:
        raise DomainError("market.misconduct_kind", "请选择投诉成立或违规行为。", details={"field": "kind"})
    if occurred_on is None or occurred_on > clock.today():
        raise DomainError(
            "market.misconduct_date", "请填写发生日期（不能晚于今天）。", details={"field": "occurred_on"}
        )
    detail = services.text(detail, "detail", "事实及依据", DETAIL_MAX)
    if purchase is not None and not purchase.registrations.filter(agency=agency).exists():
        raise DomainError(
            "market.misconduct_purchase", "该机构没有报名这个项目。", details={"field": "purchase"}
        )
    a = Agency.objects.select_for_update().get(pk=agency.pk)
    found = Misconduct.objects.create(agency=a, kind=kind, purchase=purchase, occurred_on=occurred_on,
                                      detail=detail, recorded_by=by, recorded_at=clock.now())  # fmt: skip
    append_event(a, by=by, action="misconduct", from_status=a.status, reason=detail,
                 payload={"kind": kind, "occurred_on": occurred_on.isoformat(),
                          "purchase": purchase.number if purchase else ""})  # fmt: skip
    a.save(update_fields=["event_count", "last_hash"])
    return found


# ---- the figures -------------------------------------------------------------------------------------


def _per_agency(qs: QuerySet, agency_field: str, value) -> Coalesce:
    """A correlated subquery: `value` aggregated over the agency's rows of `qs` (0 when none)."""
    rows = qs.filter(**{agency_field: OuterRef("pk")}).order_by().values(agency_field).annotate(v=value)
    return Coalesce(Subquery(rows.values("v")[:1], output_field=IntegerField()), 0)


def graded_agencies(year: int) -> QuerySet[Agency]:
    start, end = _span(year)
    return Agency.objects.filter(status__in=GRADED_STATUSES, decided_at__lt=end).exclude(exited_at__lt=start)


def figures(year: int) -> QuerySet[Agency]:
    """The graded agencies of the year, each annotated with its raw figures (one statement)."""
    start, end = _span(year)
    accepted = Contract.objects.filter(accepted_at__gte=start, accepted_at__lt=end)
    delivered = Contract.objects.filter(delivered_at__gte=start, delivered_at__lt=end)
    evaluations = Evaluation.objects.filter(direction=Evaluation.Direction.OF_AGENCY,
                                            contract__accepted_at__gte=start, contract__accepted_at__lt=end)  # fmt: skip
    misconduct = Misconduct.objects.filter(occurred_on__gte=start.date(), occurred_on__lt=end.date())
    return graded_agencies(year).annotate(
        f_contracts=_per_agency(accepted, "agency", Count("pk")),
        f_evaluations=_per_agency(evaluations, "contract__agency", Count("pk")),
        f_score_sum=_per_agency(evaluations, "contract__agency", Sum(F("quality") + F("timeliness") + F("conduct"))),
        f_delivered=_per_agency(delivered, "agency", Count("pk")),
        f_on_time=_per_agency(delivered.filter(delivered_on_time=True), "agency", Count("pk")),
        f_complaints=_per_agency(misconduct.filter(kind=Misconduct.Kind.COMPLAINT), "agency", Count("pk")),
        f_violations=_per_agency(misconduct.filter(kind=Misconduct.Kind.VIOLATION), "agency", Count("pk")),
    )  # fmt: skip


def points_of(evaluation_avg: Decimal | None, on_time_rate: Decimal | None, complaints: int, violations: int,
              settings) -> Decimal:  # fmt: skip
    """The formula of the module docstring on the published figures (None: the neutral share)."""
    evaluation = evaluation_avg / 5 if evaluation_avg is not None else NEUTRAL_SHARE
    on_time = on_time_rate if on_time_rate is not None else NEUTRAL_SHARE
    points = (settings.weight_evaluation * evaluation + settings.weight_on_time * on_time
              - settings.deduct_complaint * complaints - settings.deduct_violation * violations)  # fmt: skip
    return max(Decimal(0), points).quantize(CENT, rounding=ROUND_HALF_UP)


def grade_of(points: Decimal, settings) -> str:
    if points >= settings.grade_a_min:
        return Grade.A
    if points >= settings.grade_b_min:
        return Grade.B
    if points >= settings.grade_c_min:
        return Grade.C
    return Grade.D


def _row(agency: Agency, year: int, settings, now: dt.datetime) -> YearGrade:
    avg = rate = None
    if agency.f_evaluations:
        avg = (Decimal(agency.f_score_sum) / (3 * agency.f_evaluations)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
    if agency.f_delivered:
        rate = (Decimal(agency.f_on_time) / agency.f_delivered).quantize(
            TEN_THOUSANDTH, rounding=ROUND_HALF_UP
        )
    points = points_of(avg, rate, agency.f_complaints, agency.f_violations, settings)
    return YearGrade(agency=agency, year=year, contracts=agency.f_contracts, evaluation_avg=avg, on_time_rate=rate,
                     complaints=agency.f_complaints, violations=agency.f_violations, points=points,
                     grade=grade_of(points, settings), status=YearGrade.Status.COMPUTED, computed_at=now)  # fmt: skip


# ---- compute, publish ----------------------------------------------------------------------------------

COMPUTED_FIELDS = ["contracts", "evaluation_avg", "on_time_rate", "complaints", "violations", "points", "grade",
                   "status", "computed_at"]  # fmt: skip


@transaction.atomic
def compute(year, *, by: User) -> list[YearGrade]:
    """计算年度等级: one YearGrade per graded agency (updated in place when computed before);
    refused once the year is published."""
    require_management(by)
    year = parse_year(year)
    held = list(YearGrade.objects.select_for_update().filter(year=year).values_list("agency_id", "status"))
    if any(status == YearGrade.Status.PUBLISHED for _, status in held):
        raise Conflict("market.grades_published", f"{year}年度等级已公布，不能重新计算。")
    settings, now = services.market_settings(), clock.now()
    rows = [_row(agency, year, settings, now) for agency in figures(year)]
    graded = {row.agency_id for row in rows}
    YearGrade.objects.filter(year=year).exclude(agency_id__in=graded).delete()
    YearGrade.objects.bulk_create(rows, update_conflicts=True, unique_fields=["agency", "year"],
                                  update_fields=COMPUTED_FIELDS)  # fmt: skip
    return list(
        YearGrade.objects.filter(year=year).select_related("agency").order_by("-points", "agency__name")
    )


@transaction.atomic
def publish(year, *, by: User) -> int:
    """公布: the year's grades become the agencies' grades (D blacklisted from now on), each an
    event of the agency's chain; the appeal window is appeal_days working days from today.
    Only a year that is over, once. Returns how many were published."""
    require_management(by)
    year = parse_year(year)
    if year >= clock.today().year:
        raise Conflict("market.year_not_over", f"{year}年度尚未结束，不能公布等级。")
    rows = list(YearGrade.objects.select_for_update().filter(year=year).order_by("agency_id"))
    if not rows:
        raise DomainError("market.grades_not_computed", f"{year}年度等级尚未计算。")
    if any(r.status == YearGrade.Status.PUBLISHED for r in rows):
        raise Conflict("market.grades_published", f"{year}年度等级已公布。")
    now, today = clock.now(), clock.today()
    appeal_due_on = calendar.add_workdays(today, services.market_settings().appeal_days)
    YearGrade.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=YearGrade.Status.PUBLISHED, published_at=now, appeal_due_on=appeal_due_on
    )
    by_agency = {r.agency_id: r for r in rows}
    agencies = list(Agency.objects.select_for_update().filter(pk__in=by_agency).order_by("pk"))
    for agency in agencies:
        row = by_agency[agency.pk]
        newer = agency.grade_year is not None and agency.grade_year > year
        if not newer:
            agency.grade, agency.grade_year = row.grade, year
        append_event(agency, by=by, action="grade", from_status=agency.status,
                     payload={"year": year, "grade": row.grade, "points": str(row.points),
                              "appeal_due_on": appeal_due_on.isoformat()})  # fmt: skip
    Agency.objects.bulk_update(agencies, ["grade", "grade_year", "event_count", "last_hash"])
    return len(rows)


# ---- appeals -------------------------------------------------------------------------------------------


def appeal_refusal(year_grade: YearGrade, today: dt.date) -> DomainError | None:
    """Why the grade may not be appealed now (None: it may): published, within its window, once."""
    if year_grade.status != YearGrade.Status.PUBLISHED:
        return Conflict("market.grade_not_published", "该等级尚未公布，不能申诉。")
    if today > year_grade.appeal_due_on:
        return Conflict("market.appeal_closed", f"申诉期限已于{year_grade.appeal_due_on:%Y-%m-%d}截止。")
    if GradeAppeal.objects.filter(year_grade=year_grade).exists():
        return Conflict("market.appealed_once", "该年度等级已提出过申诉，不能重复申诉。")
    return None


def appeal(year_grade: YearGrade, *, by: User, reason: str) -> GradeAppeal:
    """等级申诉: the agency appeals its published grade until appeal_due_on, once."""
    agency = services.agency_of(by)
    if agency is None or agency.pk != year_grade.agency_id:
        raise Forbidden("market.not_your_grade", "只能对本机构的等级提出申诉。")
    reason = services.text(reason, "reason", "申诉理由", REASON_MAX)
    try:
        with transaction.atomic():
            yg = YearGrade.objects.select_for_update().get(pk=year_grade.pk)
            refused = appeal_refusal(yg, clock.today())
            if refused:
                raise refused
            found = GradeAppeal.objects.create(year_grade=yg, reason=reason, filed_at=clock.now())
            a = Agency.objects.select_for_update().get(pk=yg.agency_id)
            append_event(a, by=by, action="appeal", from_status=a.status, reason=reason,
                         payload={"year": yg.year, "grade": yg.grade})  # fmt: skip
            a.save(update_fields=["event_count", "last_hash"])
            return found
    except IntegrityError:  # grade_appeal_once: a concurrent second appeal
        raise Conflict("market.appealed_once", "该年度等级已提出过申诉，不能重复申诉。") from None


@transaction.atomic
def decide_appeal(
    found: GradeAppeal, *, by: User, upheld: bool, decision: str, new_grade: str = ""
) -> GradeAppeal:
    """申诉处理: hall management upholds (the grade becomes `new_grade`, marked adjusted; the
    agency's current grade too when it is that year's) or dismisses it, with its reasons."""
    require_management(by)
    decision = services.text(decision, "decision", "处理意见", DECISION_MAX)
    ap = GradeAppeal.objects.select_for_update().get(pk=found.pk)
    if ap.status != GradeAppeal.Status.PENDING:
        raise Conflict("market.appeal_decided", "该申诉已处理。")
    yg = YearGrade.objects.select_for_update().get(pk=ap.year_grade_id)
    before = yg.grade
    if upheld:
        if new_grade not in Grade.values:
            raise DomainError(
                "market.new_grade", "申诉成立时请选择调整后的等级。", details={"field": "new_grade"}
            )
        if new_grade == yg.grade:
            raise DomainError(
                "market.new_grade", "调整后的等级与原等级相同。", details={"field": "new_grade"}
            )
        yg.grade, yg.adjusted = new_grade, True
        yg.save(update_fields=["grade", "adjusted"])
    ap.status = GradeAppeal.Status.UPHELD if upheld else GradeAppeal.Status.DISMISSED
    ap.decided_at, ap.decided_by, ap.decision = clock.now(), by, decision
    ap.new_grade = new_grade if upheld else ""
    ap.save(update_fields=["status", "decided_at", "decided_by", "decision", "new_grade"])
    a = Agency.objects.select_for_update().get(pk=yg.agency_id)
    fields = ["event_count", "last_hash"]
    if upheld and a.grade_year == yg.year:
        a.grade = new_grade
        fields.append("grade")
    append_event(a, by=by, action="appeal_decided", from_status=a.status, reason=decision,
                 payload={"year": yg.year, "upheld": upheld, "from": before, "to": yg.grade})  # fmt: skip
    a.save(update_fields=fields)
    return ap


# ---- the report ----------------------------------------------------------------------------------------


def published(year: int) -> QuerySet[YearGrade]:
    return (
        YearGrade.objects.filter(year=year, status=YearGrade.Status.PUBLISHED)
        .select_related("agency")
        .order_by("grade", "-points", "agency__name")
    )


def published_years() -> list[int]:
    return list(
        YearGrade.objects.filter(status=YearGrade.Status.PUBLISHED)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def counts(year: int) -> dict[str, int]:
    """{A: n, B: n, C: n, D: n} of the year's published grades (one grouped query)."""
    found = dict.fromkeys(Grade.values, 0)
    rows = published(year).order_by().values("grade").annotate(n=Count("pk"))
    found.update({r["grade"]: r["n"] for r in rows})
    return found


def pending_appeals() -> QuerySet[GradeAppeal]:
    return GradeAppeal.objects.filter(status=GradeAppeal.Status.PENDING).select_related("year_grade__agency")


def is_published(year: int) -> bool:
    return YearGrade.objects.filter(year=year, status=YearGrade.Status.PUBLISHED).exists()
