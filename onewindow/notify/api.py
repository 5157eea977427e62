"""Messages API for hall management and monitoring: the outbox by state (an alert on `dead`),
and the hall admin's retry. Phones masked (API.md "Personal data"); a message is named by its
idempotency key, never a database id."""

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from onewindow.accounts.masking import mask_phone
from onewindow.accounts.models import Role
from onewindow.accounts.permissions import requires
from onewindow.errors import DomainError
from onewindow.notify import queries, services
from onewindow.notify.models import Message
from onewindow.paging import Paged

router = Router(tags=["notify"])


class MessageOut(Schema):
    key: str
    event: str
    event_display: str
    phone: str
    subject_kind: str = Field(
        description="事由类型：case（办件）、bundle（一件事）、project（项目）、appointment（预约）"
    )
    subject_key: str = Field(description="事由编号：办件编号、一件事编号、项目代码或预约码")
    state: str
    state_display: str
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    last_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None
    last_error: str

    @staticmethod
    def resolve_event_display(obj):
        return obj.get_event_display()

    @staticmethod
    def resolve_state_display(obj):
        return obj.get_state_display()

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)


class MessageFilters(Schema):
    state: str | None = None
    subject_kind: str | None = None
    subject_key: str | None = None


@router.get("/messages", response=list[MessageOut], operation_id="notify_list_messages")
@paginate(Paged)
@requires(Role.SUPERVISOR, Role.HALL_ADMIN)
def list_messages(request, filters: MessageFilters = Query(...)):
    qs = queries.visible(request.user)
    if filters.state:
        if filters.state not in Message.State.values:
            raise DomainError("notify.state_filter", f"状态应为 {', '.join(Message.State.values)} 之一。")
        qs = qs.filter(state=filters.state)
    if filters.subject_kind:
        qs = qs.filter(subject_kind=filters.subject_kind)
    if filters.subject_key:  # the messages of one case: ?subject_kind=case&subject_key=<number>
        qs = qs.filter(subject_key=filters.subject_key)
    return qs.order_by("-created_at", "-pk")


@router.get("/messages/counts", response=dict[str, int], operation_id="notify_count_messages")
@requires(Role.SUPERVISOR, Role.HALL_ADMIN)
def count_messages(request):
    """{"pending": n, "sending": n, "sent": n, "dead": n} — for monitoring (alert when dead > 0)."""
    return queries.counts(request.user)


@router.post("/messages/{key}/retry", response=MessageOut, operation_id="notify_retry_message")
@requires(Role.HALL_ADMIN)
def retry_message(request, key: str):
    return services.retry(key, by=request.user)
