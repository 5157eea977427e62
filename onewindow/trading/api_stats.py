"""The trading's statistics under /api/v1/trading/statistics (API.md): the year's table of
trading.stats — rows per month × kind × method, subtotals per kind, totals of the tenders
(savings) and of land and property (premium). Money in integer fen (CNY); rates as percentages
with two decimals (a string), null where they do not apply. The trading center and hall
management only."""

from ninja import Field, Router, Schema

from onewindow.accounts.permissions import requires
from onewindow.trading import stats
from onewindow.trading.models import Kind, Method

router = Router(tags=["trading"])


class FiguresOut(Schema):
    projects: int
    budget_fen: int = Field(description="预算金额（土地、产权：底价），分")
    award_fen: int = Field(description="成交金额，分")
    saving_fen: int | None = Field(description="节约金额（工程、采购），分")
    saving_rate: str | None = Field(description="节约率，百分比（两位小数）")
    premium_fen: int | None = Field(description="溢价金额（土地、产权），分")
    premium_rate: str | None = Field(description="溢价率，百分比（两位小数）")


class RowOut(FiguresOut):
    month: str = Field(description="YYYY-MM（定标月份）")
    kind: str
    kind_display: str
    method: str
    method_display: str


class KindOut(FiguresOut):
    kind: str
    kind_display: str


class StatisticsOut(Schema):
    year: int
    currency: str
    rows: list[RowOut]
    kinds: list[KindOut]
    tenders: FiguresOut = Field(description="工程建设与政府采购合计（节约）")
    auctions: FiguresOut = Field(description="土地与国有产权合计（溢价）")


def _out(figures: dict) -> dict:
    out = dict(figures)
    for key in ("saving_rate", "premium_rate"):
        out[key] = str(out[key]) if out[key] is not None else None
    if "kind" in out:
        out["kind_display"] = Kind(out["kind"]).label
    if "method" in out:
        out["method_display"] = Method(out["method"]).label
    return out


@router.get("/trading/statistics", response=StatisticsOut, operation_id="trading_statistics")
@requires()
def statistics(request, year: str = ""):
    """交易统计 of a year (this year by default), by month of the award."""
    stats.require_reader(request.user)
    found = stats.table(stats.parse_year(year))
    return {"year": found["year"], "currency": "CNY", "rows": [_out(r) for r in found["rows"]],
            "kinds": [_out(k) for k in found["kinds"]], "tenders": _out(found["tenders"]),
            "auctions": _out(found["auctions"])}  # fmt: skip
