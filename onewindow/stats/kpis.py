"""The KPIs from the daily roll-up (RULES.md "Supervision"; decision 29 defines each):

- 即办率 = on the spot ÷ accepted;
- 按时办结率 = closed on or before the deadline ÷ closed;
- 即期办结率 = closed ÷ accepted in the same period (the seed: Jinan Shizhong accepted 18.8万,
  closed 18.57万, "即期办结率 98.8%");
- average working days used = days used ÷ closed;
- compression (压缩率) = 1 − promised ÷ legal days of the closed cases (承诺 ÷ 法定 is shown too);
- 提速率 = (the base period's average days used − this period's) ÷ the base's (Zibo: 5.1 → 3.61
  days is 29.2%);
- 一次办好率 = closed cases whose item version asks at most one visit (A/B 级 0/1 次跑腿,
  ItemVersion.visits ≤ 1) ÷ closed (decision 32).
Rates are Decimal fractions rounded to 4 places, None where the divisor is 0."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from onewindow.stats.models import DailyFigure
from onewindow.stats.rollup import COUNTS


def totals(figures=None) -> dict[str, int]:
    figures = DailyFigure.objects.all() if figures is None else figures
    sums = figures.aggregate(**{name: Sum(name) for name in COUNTS})
    return {name: sums[name] or 0 for name in COUNTS}


def ratio(a: int | Decimal, b: int | Decimal, places: str = "0.0001") -> Decimal | None:
    if not b:
        return None
    return (Decimal(a) / Decimal(b)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def speedup(base_average: Decimal | None, average: Decimal | None) -> Decimal | None:
    """提速率 against a base period's average working days used."""
    if base_average is None or average is None or not base_average:
        return None
    return ratio(Decimal(base_average) - Decimal(average), base_average)


def percent(value: Decimal | None) -> str:
    """A rate as the seed halls print it, one decimal (98.8%); — when there is none (divisor 0)."""
    return "—" if value is None else f"{value * 100:.1f}%"


def kpis(t: dict[str, int], base: dict[str, int] | None = None) -> dict[str, Decimal | int | None]:
    average = ratio(t["days_used"], t["closed"], "0.01")
    share = ratio(t["promised_days"], t["legal_days"])
    return {
        **t,
        "on_the_spot_rate": ratio(t["on_the_spot"], t["accepted"]),
        "on_time_rate": ratio(t["closed_on_time"], t["closed"]),
        "closing_rate": ratio(t["closed"], t["accepted"]),
        "average_days": average,
        "promised_share": share,
        "compression": None if share is None else 1 - share,
        "speedup": speedup(ratio(base["days_used"], base["closed"], "0.01"), average) if base else None,
        "one_visit_rate": ratio(t["one_visit"], t["closed"]),
        # Issue 17: the ratings' KPI (满意率 = satisfied ÷ rated) goes here, from its roll-up columns.
    }
