"""The hotline's figures (issue 18 item 5; RULES.md "Hotline" KPIs): per lead department and in
total, for the orders received in a period. Set-based: one grouped query.

Definitions (docs/decisions/0042-hotline-figures.md):
- orders: received in the period, merged duplicates excluded (they live on in the order kept);
- on-time rate (按期答复率): replied on time among the replied (replied_on_time set);
- direct-answer rate (直接答复率): answered directly by the operator among the closed
  (closed or called back);
- close rate (办结率): closed or called back among the orders;
- process / result satisfaction (过程 / 结果满意率): satisfied or basically satisfied among the
  called back that gave that answer.
A rate with nothing to divide by is None (shown "—"), never 0 or 100 %. Orders answered directly
have no lead department, nor the orders not dispatched yet: their row is
NO_DEPARTMENT (department None)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from onewindow.accounts.models import Department
from onewindow.hotline.models import OrderStatus, Satisfaction, WorkOrder

DONE = (OrderStatus.CLOSED, OrderStatus.CALLED_BACK)
CONTENT = (Satisfaction.SATISFIED, Satisfaction.BASIC)
COUNTS = ("orders", "replied", "on_time", "closed", "direct", "called_back", "process_rated", "process_ok",
          "result_rated", "result_ok")  # fmt: skip


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


@dataclass
class Row:
    department_id: int | None
    department: str
    orders: int = 0
    replied: int = 0
    on_time: int = 0
    closed: int = 0
    direct: int = 0
    called_back: int = 0
    process_rated: int = 0
    process_ok: int = 0
    result_rated: int = 0
    result_ok: int = 0

    @property
    def on_time_rate(self):
        return _rate(self.on_time, self.replied)

    @property
    def direct_answer_rate(self):
        return _rate(self.direct, self.closed)

    @property
    def close_rate(self):
        return _rate(self.closed, self.orders)

    @property
    def process_satisfaction_rate(self):
        return _rate(self.process_ok, self.process_rated)

    @property
    def result_satisfaction_rate(self):
        return _rate(self.result_ok, self.result_rated)


# Orders with no lead department: answered directly by the operator, or not dispatched yet.
NO_DEPARTMENT = "未派单（含直接答复）"


def by_department(start: dt.date, end: dt.date, department_id: int | None = None) -> tuple[list[Row], Row]:
    """(a row per lead department, by name; the total) for the orders received start..end
    (inclusive); `department_id`: that department only (a department head's scope)."""
    orders = WorkOrder.objects.filter(received_on__gte=start, received_on__lte=end).exclude(
        status=OrderStatus.MERGED
    )
    if department_id is not None:
        orders = orders.filter(lead_department_id=department_id)
    called_back = Q(status=OrderStatus.CALLED_BACK)
    grouped = (
        orders.values("lead_department_id")
        .annotate(
            orders=Count("pk"),
            replied=Count("pk", filter=Q(replied_on_time__isnull=False)),
            on_time=Count("pk", filter=Q(replied_on_time=True)),
            closed=Count("pk", filter=Q(status__in=DONE)),
            direct=Count("pk", filter=Q(status__in=DONE, direct_answer=True)),
            called_back=Count("pk", filter=called_back),
            process_rated=Count("pk", filter=called_back & ~Q(process_satisfaction="")),
            process_ok=Count("pk", filter=called_back & Q(process_satisfaction__in=CONTENT)),
            result_rated=Count("pk", filter=called_back & ~Q(result_satisfaction="")),
            result_ok=Count("pk", filter=called_back & Q(result_satisfaction__in=CONTENT)),
        )
        .order_by()
    )
    grouped = list(grouped)
    names = dict(
        Department.objects.filter(pk__in=[g["lead_department_id"] for g in grouped if g["lead_department_id"]])
        .values_list("pk", "name")
    )  # fmt: skip
    rows = [
        Row(g["lead_department_id"], names.get(g["lead_department_id"], NO_DEPARTMENT),
            **{k: g[k] for k in COUNTS})
        for g in grouped
    ]  # fmt: skip
    rows.sort(key=lambda r: (r.department_id is None, r.department))
    total = Row(None, "合计", **{k: sum(getattr(r, k) for r in rows) for k in COUNTS})
    return rows, total
