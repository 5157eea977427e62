"""Read side of the calendar: which years exist and which are still provisional."""

from django.db.models import Count, DateField, IntegerField, Q, Subquery

from onewindow.workdays.models import Day


def years() -> list[dict]:
    """One row per year: workdays, holidays, and whether any day is still provisional."""
    rows = (
        Day.objects.values("date__year")
        .annotate(
            workdays=Count("date", filter=Q(is_workday=True)),
            holidays=Count("date", filter=Q(kind=Day.Kind.HOLIDAY)),
            provisional=Count("date", filter=Q(source=Day.Source.PROVISIONAL)),
        )
        .order_by("date__year")
    )
    return [
        {
            "year": r["date__year"],
            "workdays": r["workdays"],
            "holidays": r["holidays"],
            "provisional": r["provisional"] > 0,
        }
        for r in rows
    ]


def provisional_years() -> list[int]:
    return sorted({d.year for d in Day.objects.filter(source=Day.Source.PROVISIONAL).dates("date", "year")})


def provisional_years_in_use(today_year: int) -> list[int]:
    """Provisional years that deadlines may reach soon: this year and the next. The
    State Council publishes next year's schedule each November, so from then on the
    next year shows the warning to hall admins."""
    return [y for y in provisional_years() if y <= today_year + 1]


# ---- the calendar inside other modules' set-based statements (issue 13 rule 7) ----------------


def seq_of(date_expression) -> Subquery:
    """SQL for seq(d) of a date column or expression of the outer row (OuterRef("accepted_on"))."""
    return Subquery(Day.objects.filter(date=date_expression).values("seq")[:1], output_field=IntegerField())


def date_of(seq_expression) -> Subquery:
    """SQL for date_of_seq(k): the working day whose ordinal is k (non-working days share the
    ordinal of the working day before them, hence is_workday). Served by Day.seq's index."""
    return Subquery(
        Day.objects.filter(seq=seq_expression, is_workday=True).values("date")[:1], output_field=DateField()
    )
