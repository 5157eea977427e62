"""各部门月度办件数据, published as the seed halls do (issue 16 part 5): per department of each
hall, a month's accepted, closed, on-the-spot and on-time figures and rates — counts only, from
the daily roll-up; no case, applicant or officer appears."""

import datetime as dt

from django.db.models import F, Sum

from onewindow.stats import kpis
from onewindow.stats.models import DailyFigure
from onewindow.stats.rollup import COUNTS


def month(first: dt.date) -> dict:
    first = first.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    rows = (
        DailyFigure.objects.filter(day__gte=first, day__lte=last)
        .values(hall_name=F("hall__name"), department_name=F("department__name"))
        .annotate(**{name: Sum(name) for name in COUNTS})
        .order_by("hall_name", "department_name")
    )
    lines = [{"hall": r["hall_name"], "department": r["department_name"], **kpis.kpis({n: r[n] or 0 for n in COUNTS})}
             for r in rows]  # fmt: skip
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    return {"first": first, "lines": lines, "previous": previous, "next": last + dt.timedelta(days=1)}
