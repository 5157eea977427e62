"""Pages of the forecast: the model a maintainer and the supervisors read (issue 22)."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.accounts.models import Role
from onewindow.accounts.permissions import requires
from onewindow.foresight import queries, services

READERS = (Role.SUPERVISOR, Role.HALL_ADMIN)


@requires(*READERS)
@require_GET
def model_page(request):
    """风险预判模型: the active version's features and coefficients, its held-out check against
    the two baselines with the calibration table, and the earlier versions."""
    model = services.active_model()
    return render(request, "foresight/model.html", {
        "model": model, "readable": queries.readable(model) if model else None,
        "versions": queries.versions(), "threshold": settings.ONEWINDOW_AT_RISK_PERCENT,
        "hour": settings.ONEWINDOW_FORECAST_HOUR, "months": settings.ONEWINDOW_FORECAST_MONTHS,
    })  # fmt: skip
