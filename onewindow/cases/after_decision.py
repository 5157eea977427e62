"""After the decision (制证, 送达): the transitions of a closed, approved case that complete the
item's steps after the decision — the license issued once, then delivered once, within art.
44's ten days. The case stays closed: the clock of 行政许可法 stopped at the decision. The
licenses module calls these (licenses.services.issue_license / deliver_license)."""

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.cases import permits
from onewindow.cases.models import Case, CaseStep, Outcome
from onewindow.cases.transitions import (
    apply_transition,
    lock_case,
)
from onewindow.errors import Conflict, DomainError
from onewindow.workdays import calendar

DELIVERY_METHODS = {"pickup": "窗口领取", "post": "免费邮寄"}
# 行政许可法 art. 44: the license is issued and delivered within ten days of the decision —
# working days, as every limit of the law (art. 82); the day of the decision is not counted.
DELIVERY_DAYS = 10


def _open_after_steps(case: Case, *, delivery: bool):
    """The open 制证/送达 steps of the item (none, one or both). A step named with 送达 is
    completed by the delivery; every other step after the decision by the issue."""
    steps = case.steps.filter(kind=CaseStep.Kind.AFTER, done_at__isnull=True)
    return steps.filter(name__contains="送达") if delivery else steps.exclude(name__contains="送达")


# The one home of art. 44's dates: the delivery page, the services, the late sweep and the API
# all ask these three.


def delivery_due_on(case: Case) -> dt.date:
    """The last day of art. 44's ten working days after the decision's date (hall time)."""
    return calendar.add_workdays(case.decided_at.astimezone(clock.hall_tz()).date(), DELIVERY_DAYS)


def delivered_in_time(due_on: dt.date, at: dt.datetime) -> bool:
    """A delivery at `at` keeps art. 44 when its day (hall time) is on or before the due date —
    the one computation of the delivery's event, the licenses' Delivery row and its recount."""
    return at.astimezone(clock.hall_tz()).date() <= due_on


def late_if_decided_before(today: dt.date) -> dt.datetime:
    """The instant such that a decision before it is past art. 44's ten working days on `today`
    (so an undelivered license is late), and one at or after it is not — for set-based queries.
    The due date is a working day, so it is before `today` exactly when it is before the first
    working day on or after `today`; the earliest decision day still in time is then the one
    DELIVERY_DAYS working days before that day."""
    first_workday = today if calendar.is_workday(today) else calendar.add_workdays(today, 1)
    first_in_time = calendar.date_of_seq(calendar.seq(first_workday) - DELIVERY_DAYS)
    return dt.datetime.combine(first_in_time, dt.time(), tzinfo=clock.hall_tz())


def _done_after_the_decision(case: Case) -> set[str]:
    return set(case.events.filter(action__in=["issue", "deliver"]).values_list("action", flat=True))


@transaction.atomic
def issue(case: Case, *, by: User, delivery: str, license: Callable[[Case], str]) -> Case:
    """制证: the result of an approved case, by its department's reviewer or head, once.
    `license(case)` is called under the case lock and returns the new license's number: the
    licenses module owns the license (licenses.services.issue_license is the way to call this)."""
    case = lock_case(case)
    permits.require(by, case, "issue")
    permits.require_state("issue", case, permits.Facts(case))  # a 一件事 child: after its prerequisite
    if case.outcome != Outcome.APPROVED:
        raise Conflict("case.not_approved", "只有准予许可的办件才能制证。")
    if delivery not in DELIVERY_METHODS:
        raise DomainError("case.delivery_method", "送达方式应为窗口领取（pickup）或免费邮寄（post）。")
    if "issue" in _done_after_the_decision(case):
        raise Conflict("case.already_issued", "该办件已制证，不能重复制证。")
    number = license(case)
    _open_after_steps(case, delivery=False).update(
        done_at=clock.now(), done_by=by, opinion=f"证照编号 {number}"
    )
    apply_transition(case, "issue", by=by, payload={"license": number, "delivery": delivery})
    return case


DELIVERY_FIELD_LIMITS = {"signed_by": 50, "courier": 30, "tracking_number": 40, "address": 200}


def delivery_details(method: str, *, signed_by: str = "", id_checked: bool = False, courier: str = "",
                     tracking_number: str = "", address: str = "") -> dict:  # fmt: skip
    """The delivery's record as the audit event keeps it, checked and cleaned (a pure function)."""
    given = dict(signed_by=signed_by, courier=courier, tracking_number=tracking_number, address=address)
    given = {name: (value or "").replace("\x00", "").strip() for name, value in given.items()}
    too_long = [name for name, value in given.items() if len(value) > DELIVERY_FIELD_LIMITS[name]]
    if too_long:
        raise DomainError("case.delivery_field_length", "送达登记内容过长：签收人≤50字，快递公司≤30字，运单号≤40字，地址≤200字。",
                          details={"fields": too_long})  # fmt: skip
    if method == "pickup":
        if not given["signed_by"]:
            raise DomainError("case.delivery_signature", "窗口领取须登记签收人姓名。")
        return {"method": "pickup", "signed_by": given["signed_by"], "id_checked": bool(id_checked)}
    if method == "post":
        fields = {name: given[name] for name in ("courier", "tracking_number", "address")}
        missing = [name for name, value in fields.items() if not value]
        if missing:
            raise DomainError("case.delivery_post_details", "邮寄送达须登记收件地址、快递公司和运单号。",
                              details={"missing": missing})  # fmt: skip
        return {"method": "post", **fields}
    raise DomainError("case.delivery_method", "送达方式应为窗口领取（pickup）或免费邮寄（post）。")


@transaction.atomic
def deliver(case: Case, *, by: User, method: str, signed_by: str = "", id_checked: bool = False,
            courier: str = "", tracking_number: str = "", address: str = "") -> Case:  # fmt: skip
    """送达: once, after the issue — handed over at a window (who signed, ID checked) or posted
    free of charge (address, courier, tracking number). `on_time` per art. 44: within
    DELIVERY_DAYS working days of the decision's date."""
    case = lock_case(case)
    permits.require(by, case, "deliver")
    done = _done_after_the_decision(case)
    if "issue" not in done:
        raise Conflict("case.not_issued", "尚未制证，不能送达。")
    if "deliver" in done:
        raise Conflict("case.already_delivered", "该办件已送达，不能重复送达。")
    payload = delivery_details(method, signed_by=signed_by, id_checked=id_checked, courier=courier,
                                tracking_number=tracking_number, address=address)  # fmt: skip
    now, due_on = clock.now(), delivery_due_on(case)
    # Kept on the case for the caller (licenses records the Delivery row from the same values).
    case.delivered = {"at": now, "due_on": due_on, "on_time": delivered_in_time(due_on, now)}
    payload |= {"due_on": due_on.isoformat(), "on_time": case.delivered["on_time"]}
    _open_after_steps(case, delivery=True).update(done_at=now, done_by=by, opinion=DELIVERY_METHODS[method])
    apply_transition(case, "deliver", by=by, payload=payload)
    return case
