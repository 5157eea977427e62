"""Read side of the forecast: the active model as a maintainer reads it."""

import math

from onewindow.accounts.models import Department
from onewindow.catalog.models import ServiceItem
from onewindow.foresight.features import CATEGORICAL, NUMERIC
from onewindow.foresight.models import RiskModel

# The model page lists this many categorical coefficients, the largest first.
TOP_LEVELS = 12


def readable(model: RiskModel) -> dict:
    """The model's numbers with their meaning: each numeric feature (mean, scale, coefficient,
    odds ratio per standard deviation) and the largest categorical coefficients by name."""
    spec = model.spec
    numeric = [
        {**f, "label": NUMERIC.get(f["name"], f["name"]), "odds": round(math.exp(f["coef"]), 2)}
        for f in spec["numeric"]
    ]
    departments = dict(Department.objects.values_list("pk", "name"))
    items = {str(i.pk): i.current.name if i.current_id else i.code
             for i in ServiceItem.objects.select_related("current")}  # fmt: skip
    rates = spec.get("late_rates", {})
    levels = []
    for kind, values in spec["levels"].items():
        for key, coef in values.items():
            name = _level_name(kind, key, departments, items)
            levels.append({"kind": CATEGORICAL[kind], "name": name, "coef": coef,
                           "odds": round(math.exp(coef), 2), "late": rates.get(kind, {}).get(key)})  # fmt: skip
    levels.sort(key=lambda r: -abs(r["coef"]))
    return {"numeric": numeric, "levels": levels[:TOP_LEVELS], "levels_total": len(levels),
            "intercept": spec["intercept"], "overall_late": rates.get("overall")}  # fmt: skip


def _level_name(kind: str, key: str, departments: dict, items: dict) -> str:
    if kind == "department":
        return departments.get(int(key), key)
    if kind == "item":
        return items.get(key, key)
    item, _, step = key.partition(":")  # a step of an item
    return f"「{step}」（{items.get(item, item)}）"


def versions(limit: int = 20) -> list[RiskModel]:
    return list(RiskModel.objects.defer("spec")[:limit])
