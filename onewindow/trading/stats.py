"""Trading statistics (交易统计; issue 20 item 6): volumes and savings by kind and method per month —
the table Jinan Shizhong publishes (项目数, 预算金额, 成交金额, 节约金额, 节约率).

A project counts in the month of its award (定标, `awarded_at` in the hall's time zone) with its
budget and its award (成交金额): works and procurement save (节约金额 = 预算 − 成交, 节约率 =
节约金额 ÷ 预算); land and property sell above the reserve (溢价金额 = 成交 − 底价, 溢价率 =
溢价金额 ÷ 底价). Rates are percentages, two decimals, half up. The totals of a year are given
apart for the two families — a saving and a premium do not add up.

One grouped query (values().annotate() on the month, kind and method) makes the rows; the
totals are sums of those rows."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear, TruncMonth

from onewindow import clock
from onewindow.accounts.models import Role, User
from onewindow.accounts.queries import staff_of
from onewindow.errors import DomainError, Forbidden
from onewindow.trading import services
from onewindow.trading.models import AUCTION_KINDS, Kind, Method, Project

FIRST_YEAR = 2000
KIND_ORDER = [k for k, _ in Kind.choices]
METHOD_ORDER = [m for m, _ in Method.choices]
CENT = Decimal("0.01")


def may_read(user: User) -> bool:
    """The trading center and hall management (supervisors, admins)."""
    if services.is_officer(user):
        return True
    staff = staff_of(user) if user.is_authenticated else None
    return staff is not None and staff.role in (Role.SUPERVISOR, Role.HALL_ADMIN)


def require_reader(user: User) -> None:
    if not may_read(user):
        raise Forbidden(
            "trading.not_statistics_reader", "只有公共资源交易中心和大厅管理人员可以查看交易统计。"
        )


def parse_year(value) -> int:
    """The year asked for (this year when none is given)."""
    if value in (None, ""):
        return clock.today().year
    text = str(value).strip()
    year = int(text) if text.isdigit() else 0
    if not FIRST_YEAR <= year <= clock.today().year:
        raise DomainError("trading.year", f"年度应在{FIRST_YEAR}年至今年之间。", details={"field": "year"})
    return year


def rate(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a percentage, 2 decimals, half up (None without a whole)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def _awarded():
    return Project.objects.filter(awarded_at__isnull=False, award_fen__isnull=False)


def years() -> list[int]:
    """The years with an award, latest first (the page's year tabs)."""
    found = (_awarded().annotate(y=ExtractYear("awarded_at", tzinfo=clock.hall_tz()))
             .values_list("y", flat=True).distinct())  # fmt: skip
    return sorted(set(found), reverse=True)


def _figures(kind: str, projects: int, budget: int, awarded: int) -> dict:
    auction = kind in AUCTION_KINDS
    row = {"projects": projects, "budget_fen": budget, "award_fen": awarded,
           "saving_fen": None, "saving_rate": None, "premium_fen": None, "premium_rate": None}  # fmt: skip
    if auction:
        row["premium_fen"] = awarded - budget
        row["premium_rate"] = rate(awarded - budget, budget)
    else:
        row["saving_fen"] = budget - awarded
        row["saving_rate"] = rate(budget - awarded, budget)
    return row


def project_figures(project: Project) -> dict | None:
    """One awarded project's figures, as the table counts them: a tender's saving (预算 − 成交),
    land's and property's premium (成交 − 底价); None before the award. The project page shows
    these, so the page and the table cannot disagree."""
    if project.award_fen is None:
        return None
    return _figures(project.kind, 1, project.budget_fen, project.award_fen)


def _family(rows: list[dict], auction: bool) -> dict:
    mine = [r for r in rows if (r["kind"] in AUCTION_KINDS) == auction]
    return _figures(Kind.LAND if auction else Kind.WORKS, sum(r["projects"] for r in mine),
                    sum(r["budget_fen"] for r in mine), sum(r["award_fen"] for r in mine))  # fmt: skip


def table(year: int) -> dict:
    """The year's table: rows per month × kind × method (in that order), the subtotal of each
    kind, and the totals of the two families (tenders: savings; land and property: premium)."""
    tz = clock.hall_tz()
    start, end = dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)
    grouped = (
        _awarded()
        .filter(awarded_at__gte=start, awarded_at__lt=end)
        .annotate(month=TruncMonth("awarded_at", tzinfo=tz))
        .values("month", "kind", "method")
        .annotate(projects=Count("pk"), budget=Sum("budget_fen"), awarded=Sum("award_fen"))
        .order_by()
    )
    rows = []
    for g in grouped:
        month = g["month"]
        month = month.astimezone(tz).date() if isinstance(month, dt.datetime) else month
        rows.append({"month": month.strftime("%Y-%m"), "kind": g["kind"], "method": g["method"],
                     **_figures(g["kind"], g["projects"], g["budget"], g["awarded"])})  # fmt: skip
    rows.sort(key=lambda r: (r["month"], KIND_ORDER.index(r["kind"]), METHOD_ORDER.index(r["method"])))
    kinds = []
    for kind in KIND_ORDER:
        mine = [r for r in rows if r["kind"] == kind]
        if mine:
            kinds.append({"kind": kind, **_figures(kind, sum(r["projects"] for r in mine),
                                                   sum(r["budget_fen"] for r in mine),
                                                   sum(r["award_fen"] for r in mine))})  # fmt: skip
    return {"year": year, "rows": rows, "kinds": kinds, "tenders": _family(rows, False),
            "auctions": _family(rows, True)}  # fmt: skip
