"""The trading statistics page (交易统计, /staff/trading/statistics/): the year's table by month,
kind and method, for the trading center and hall management. Thin: parse, check, call
trading.stats, render."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow import clock
from onewindow.accounts.permissions import requires
from onewindow.errors import DomainError
from onewindow.trading import services, stats
from onewindow.trading.models import Kind, Method


def _labelled(figures: dict) -> dict:
    out = dict(figures)
    for key in ("budget_fen", "award_fen", "saving_fen", "premium_fen"):
        out[key.replace("_fen", "_yuan")] = services.yuan(out[key]) if out[key] is not None else None
    if "kind" in out:
        out["kind_display"] = Kind(out["kind"]).label
    if "method" in out:
        out["method_display"] = Method(out["method"]).label
    return out


@requires()
@require_GET
def statistics(request):
    stats.require_reader(request.user)
    error = ""
    try:
        year = stats.parse_year(request.GET.get("year", ""))
    except DomainError as exc:
        year, error = clock.today().year, exc.message
    found = stats.table(year)
    years = sorted({*stats.years(), clock.today().year}, reverse=True)
    return render(request, "trading/stats.html", {
        "year": year, "years": years, "error": error, "rows": [_labelled(r) for r in found["rows"]],
        "kinds": [_labelled(k) for k in found["kinds"]], "tenders": _labelled(found["tenders"]),
        "auctions": _labelled(found["auctions"]),
    }, status=400 if error else 200)  # fmt: skip
