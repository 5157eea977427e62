"""The caller's history (来电历史) the operator's workbench shows while a call is on: the latest
orders of a phone number, newest first. Served by the index order_caller_history (caller_phone,
-received_at); bench/hotline.py measures it at 1,000,000 orders (< 50 ms, issue 18). The flow's
workbench should call `caller_history` rather than write its own query."""

from onewindow import pii
from onewindow.hotline.models import WorkOrder

HISTORY_LIMIT = 20


def caller_history(phone: str, limit: int = HISTORY_LIMIT) -> list[WorkOrder]:
    """The `limit` latest orders of `phone` (an exact number: as received), with their category
    and lead department; empty for an empty number (an anonymous caller has no history)."""
    phone = (phone or "").strip()
    if not phone:
        return []
    return list(
        WorkOrder.objects.filter(caller_phone_digest=pii.digest("phone", phone))
        .select_related("category", "lead_department")
        .only("number", "received_at", "type", "status", "title", "category__name", "lead_department__name",
              "replied_on_time", "direct_answer", "process_satisfaction", "result_satisfaction", "reopen_count")
        .order_by("-received_at", "-pk")[:limit]
    )  # fmt: skip
