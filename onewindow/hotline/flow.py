"""The steps of a 12345 work order after `services.receive` (issue 18; RULES.md "Hotline": accept →
dispatch → handle → reply → (urge) → close → callback → rate; transfer with reason, counted; one
objection to a dispatch per department; lead and assisting departments named by the hotline
office; reopen when the caller is unsatisfied; duplicates merged). One public function per thing
a person does. Each runs in one transaction, locks the order (select_for_update), asks `refusal`
(the same rule `allowed_actions` gives the pages and the API), changes the state, appends the
audit event (hotline.audit) and saves.

Who: the hotline office (HOTLINE_OFFICE: the operator, and hall management standing in for the
hotline office) answers directly, dispatches, decides objections, closes, calls back, reopens
and merges; the lead department's staff (DEPARTMENT_ROLES of that department) sign for it,
transfer it and reply; any department dispatched to (lead or assisting) may object, once."""

import datetime as dt

from django.db import IntegrityError, transaction

from onewindow import clock
from onewindow.accounts.models import DEPARTMENT_ROLES, Department, Role, User
from onewindow.accounts.queries import staff_of
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.hotline import queries
from onewindow.hotline.audit import append_event
from onewindow.hotline.models import (
    ORDER_OPEN,
    Assignment,
    AssignmentRole,
    Attachment,
    Objection,
    ObjectionStatus,
    OrderStatus,
    Satisfaction,
    WorkOrder,
)
from onewindow.hotline.services import due_of, limits_of
from onewindow.workdays import calendar

S = OrderStatus
# 热线办 (the hotline office): the operators, and hall management acting as the office.
HOTLINE_OFFICE = (Role.HOTLINE_OPERATOR, Role.HALL_ADMIN, Role.SUPERVISOR)
OFFICE, LEAD, DISPATCHED_TO = "office", "lead", "dispatched"

# action → (the statuses it starts from, the status it leads to (None: unchanged, or the step
# decides), who may take it). One table for the services, allowed_actions, the pages and the API,
# in the order the order page offers them.
TRANSITIONS = {
    "answer_directly": ((S.ACCEPTED,), S.CLOSED, OFFICE),  # 直接答复 from the knowledge base
    "dispatch": ((S.ACCEPTED,), S.DISPATCHED, OFFICE),
    "sign": ((S.DISPATCHED,), S.HANDLING, LEAD),
    "transfer": ((S.DISPATCHED, S.HANDLING), S.DISPATCHED, LEAD),  # or the office
    "object": ((S.DISPATCHED, S.HANDLING), None, DISPATCHED_TO),
    # upheld against the lead: back to accepted for re-dispatch; against an assisting one: it leaves
    "decide_objection": ((S.DISPATCHED, S.HANDLING), None, OFFICE),
    "reply": ((S.HANDLING,), S.REPLIED, LEAD),
    "close": ((S.REPLIED,), S.CLOSED, OFFICE),
    "callback": ((S.CLOSED,), S.CALLED_BACK, OFFICE),
    "reopen": ((S.CALLED_BACK,), S.DISPATCHED, OFFICE),  # accepted when there is no lead (direct answer)
    "merge": (ORDER_OPEN, S.MERGED, OFFICE),
}
ACTION_LABELS = {
    "receive": "受理", "answer_directly": "直接答复", "dispatch": "派单", "sign": "签收", "transfer": "转办",
    "object": "申请退单（异议）", "decide_objection": "审核异议", "reply": "答复", "close": "办结", "callback": "回访",
    "reopen": "重办", "merge": "合并", "merge_in": "并入重复工单",
    # Written by supervision's sweep (supervision.work_orders), not an action anyone takes here.
    "urge": "催办", "escalate": "督办",
}  # fmt: skip
TEXT_MAX = 4000


# ---- who ---------------------------------------------------------------------------------------


def is_office(user: User) -> bool:
    if user.is_superuser:
        return True
    staff = staff_of(user)
    return staff is not None and staff.role in HOTLINE_OFFICE


def department_of(user: User) -> int | None:
    """The department a department's staff member acts for (None: not department staff)."""
    staff = staff_of(user)
    return staff.department_id if staff is not None and staff.role in DEPARTMENT_ROLES else None


def _active_departments(order: WorkOrder) -> set[int]:
    return set(order.assignments.filter(ended_at=None).values_list("department_id", flat=True))


# ---- the one rule of every action ----------------------------------------------------------------


def refusal(action: str, order: WorkOrder, by: User) -> DomainError | None:
    """Why `by` may not take `action` on the order now (None: allowed)."""
    froms, _, who = TRANSITIONS[action]
    mine = department_of(by)
    if who == OFFICE and not is_office(by):
        return Forbidden("hotline.role", "只有热线话务员或热线办可以执行此操作。")
    if who == LEAD and not (by.is_superuser or (mine is not None and mine == order.lead_department_id)
                            or (action == "transfer" and is_office(by))):  # fmt: skip
        return Forbidden("hotline.role", "只有主办部门的工作人员可以执行此操作。")
    if who == DISPATCHED_TO and not (
        by.is_superuser or (mine is not None and mine in _active_departments(order))
    ):
        return Forbidden("hotline.role", "只有被派单的部门可以对派单提出异议。")
    if order.status not in froms:
        return Conflict("hotline.state", f"工单当前状态为“{OrderStatus(order.status).label}”，不能{ACTION_LABELS[action]}。",
                        details={"status": order.status})  # fmt: skip
    if action == "object" and mine is not None:
        if Objection.objects.filter(order=order, department_id=mine).exists():
            return Conflict("hotline.objected_once", "本部门已对该工单提出过异议，每个部门只能提出一次。")
    if action == "decide_objection" and not order.objections.filter(status=ObjectionStatus.PENDING).exists():
        return Conflict("hotline.no_pending_objection", "该工单没有待审核的异议。")
    if action == "reopen" and Satisfaction.DISSATISFIED not in (
        order.process_satisfaction,
        order.result_satisfaction,
    ):
        return Conflict("hotline.not_dissatisfied", "只有回访不满意的工单可以重办。")
    if action == "merge" and not queries.duplicates_of(order).exists():
        return Conflict("hotline.no_duplicate", "没有可合并的疑似重复工单。")
    return None


def allowed_actions(order: WorkOrder, by: User) -> list[str]:
    """The actions of the order page `by` may take now: exactly those the steps accept."""
    return [action for action in TRANSITIONS if refusal(action, order, by) is None]


def _transition(order: WorkOrder, action: str, by: User, change, *, reason: str = "",
                payload: dict | None = None) -> WorkOrder:  # fmt: skip
    """Lock, check (refusal), change (`change(locked)` sets the fields and may return more of the
    payload), move the status, append the event, save. Two people acting at once: the second
    waits for the lock, then finds the new state, and is refused."""
    locked = WorkOrder.objects.select_for_update().get(pk=order.pk)
    problem = refusal(action, locked, by)
    if problem is not None:
        raise problem
    from_status = locked.status
    to_status = TRANSITIONS[action][1]
    if to_status is not None:
        locked.status = to_status
    more = change(locked)
    append_event(locked, by=by, action=action, from_status=from_status, reason=reason,
                 payload={**(payload or {}), **(more or {})})  # fmt: skip
    locked.save()
    return locked


def _text(value, field: str, label: str, max_length: int = TEXT_MAX, *, required: bool = True) -> str:
    value = (value if isinstance(value, str) else "").strip()
    if required and not value:
        raise DomainError(f"hotline.{field}_required", f"请填写{label}。", details={"field": field})
    if len(value) > max_length:
        raise DomainError(
            f"hotline.{field}_too_long", f"{label}不能超过{max_length}字。", details={"field": field}
        )
    return value


def _today() -> dt.date:
    return clock.now().astimezone(clock.hall_tz()).date()


def _on_time(order: WorkOrder) -> bool:
    """按期答复: replied by the due working day (a rest day counts as the working day before it)."""
    return calendar.seq(_today()) <= order.due_seq


def _callback_due(order: WorkOrder) -> dt.date:
    """The callback limit (TypeLimit.callback_days; default the next working day) after closing."""
    return calendar.date_of_seq(calendar.seq(_today()) + limits_of(order.type)[1])


def _assign(order: WorkOrder, department: Department, role: str, by: User) -> Assignment:
    return Assignment.objects.create(order=order, department=department, role=role, assigned_at=clock.now(),
                                     assigned_by=by)  # fmt: skip


def _end(assignments, reason: str) -> int:
    return assignments.filter(ended_at=None).update(ended_at=clock.now(), end_reason=reason[:200])


# ---- the steps ---------------------------------------------------------------------------------


@transaction.atomic
def answer_directly(order: WorkOrder, *, by: User, answer: str) -> WorkOrder:
    """直接答复: the knowledge base covers it — the operator answers on the call and the order is
    closed (the callback owed like any closed order)."""
    answer = _text(answer, "answer", "答复内容")

    def change(o):
        now = clock.now()
        o.reply, o.replied_at, o.replied_by, o.replied_on_time = answer, now, by, _on_time(o)
        o.direct_answer, o.closed_at, o.callback_due_on = True, now, _callback_due(o)

    return _transition(order, "answer_directly", by, change)


@transaction.atomic
def dispatch(order: WorkOrder, *, by: User, lead: Department, assisting=(), note: str = "") -> WorkOrder:
    """派单 to a lead department, with assisting departments when ownership is unclear (RULES.md
    "Hotline": named by the hotline office). The handling limit keeps running from the day
    received. A department whose objection to this order was upheld is not dispatched to again."""
    if lead is None:
        raise DomainError("hotline.lead_required", "请选择主办部门。", details={"field": "lead"})
    assisting = list({d.pk: d for d in assisting if d is not None}.values())
    if any(d.pk == lead.pk for d in assisting):
        raise DomainError(
            "hotline.lead_assisting", "主办部门不能同时是协办部门。", details={"field": "assisting"}
        )
    upheld = set(
        Objection.objects.filter(order=order, status=ObjectionStatus.UPHELD).values_list(
            "department_id", flat=True
        )
    )
    if lead.pk in upheld or any(d.pk in upheld for d in assisting):
        raise DomainError("hotline.objection_upheld", "该部门对本工单的异议已成立，不能再派给该部门。")
    note = _text(note, "note", "派单说明", 500, required=False)

    def change(o):
        o.lead_department, o.dispatched_at, o.signed_at = lead, clock.now(), None
        _assign(o, lead, AssignmentRole.LEAD, by)
        for department in assisting:
            _assign(o, department, AssignmentRole.ASSIST, by)

    return _transition(order, "dispatch", by, change, reason=note,
                       payload={"lead": lead.code, "assisting": [d.code for d in assisting]})  # fmt: skip


@transaction.atomic
def sign(order: WorkOrder, *, by: User) -> WorkOrder:
    """签收 by the lead department: it is handling the order."""

    def change(o):
        o.signed_at = clock.now()

    return _transition(order, "sign", by, change)


@transaction.atomic
def transfer(order: WorkOrder, *, by: User, to: Department, reason: str) -> WorkOrder:
    """转办: the lead department (or the hotline office) passes the order to another department,
    with a reason. The active lead assignment ends and a new one starts; counted (transfer_count,
    and the department transferred away from in the event: the figures count transfers per
    department). The new lead signs for it again; the limit keeps running."""
    reason = _text(reason, "reason", "转办理由", 500)
    if to is None:
        raise DomainError("hotline.lead_required", "请选择转办的部门。", details={"field": "department"})

    def change(o):
        if to.pk == o.lead_department_id:
            raise DomainError(
                "hotline.same_department", "不能转办给当前主办部门。", details={"field": "department"}
            )
        away = o.lead_department
        _end(o.assignments.filter(role=AssignmentRole.LEAD), f"转办：{reason}")
        # An assisting department that becomes the lead leaves its assisting role.
        _end(o.assignments.filter(department=to), "转为主办")
        _assign(o, to, AssignmentRole.LEAD, by)
        o.lead_department, o.dispatched_at, o.signed_at = to, clock.now(), None
        o.transfer_count += 1
        return {"from": away.code if away else "", "to": to.code}

    return _transition(order, "transfer", by, change, reason=reason)


@transaction.atomic
def object_to(order: WorkOrder, *, by: User, reason: str) -> Objection:
    """退单申请: a department dispatched to (lead or assisting) objects that the order is not its
    own — once per order and department (RULES.md "Hotline"; the unique constraint
    objection_once_per_department keeps it once even when two of its staff object at once)."""
    reason = _text(reason, "reason", "异议理由", 1000)
    made = []

    def change(o):
        try:
            with transaction.atomic():
                made.append(Objection.objects.create(order=o, department_id=department_of(by), reason=reason,
                                                     filed_by=by, filed_at=clock.now()))  # fmt: skip
        except IntegrityError:
            raise Conflict(
                "hotline.objected_once", "本部门已对该工单提出过异议，每个部门只能提出一次。"
            ) from None
        return {"department": made[0].department.code}

    _transition(order, "object", by, change, reason=reason)
    return made[0]


@transaction.atomic
def decide_objection(
    order: WorkOrder, *, by: User, objection: Objection, upheld: bool, reason: str
) -> WorkOrder:
    """审核异议 (the hotline office): upheld — the department leaves the order (its assignment
    ends); if it was the lead, the order goes back to accepted for re-dispatch. Rejected — it
    stays with the department."""
    reason = _text(reason, "reason", "审核意见", 1000)

    def change(o):
        pending = (
            Objection.objects.select_for_update().filter(pk=getattr(objection, "pk", None), order=o).first()
        )
        if pending is None or pending.status != ObjectionStatus.PENDING:
            raise Conflict("hotline.no_pending_objection", "该异议不存在或已审核。")
        pending.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
        pending.decided_by, pending.decided_at, pending.decision_reason = by, clock.now(), reason
        pending.save()
        if upheld:
            _end(o.assignments.filter(department_id=pending.department_id), f"异议成立：{reason}")
            if pending.department_id == o.lead_department_id:
                _end(o.assignments.all(), "主办部门异议成立，重新派单")
                o.status, o.lead_department, o.dispatched_at, o.signed_at = S.ACCEPTED, None, None, None
        return {"department": pending.department.code, "upheld": bool(upheld)}

    return _transition(order, "decide_objection", by, change, reason=reason)


@transaction.atomic
def reply(order: WorkOrder, *, by: User, text: str) -> WorkOrder:
    """答复 by the lead department; on time when on or before the due working day."""
    text = _text(text, "reply", "答复内容")

    def change(o):
        o.reply, o.replied_at, o.replied_by, o.replied_on_time = text, clock.now(), by, _on_time(o)
        return {"on_time": o.replied_on_time}

    return _transition(order, "reply", by, change)


@transaction.atomic
def close(order: WorkOrder, *, by: User) -> WorkOrder:
    """办结 (the operator, after the department's reply); the callback is owed by callback_due_on."""

    def change(o):
        o.closed_at, o.callback_due_on = clock.now(), _callback_due(o)

    return _transition(order, "close", by, change)


@transaction.atomic
def callback(order: WorkOrder, *, by: User, process: str, result: str, note: str = "") -> WorkOrder:
    """回访: the caller's satisfaction with the process and with the result (RULES.md "Hotline" KPIs)."""
    if process not in Satisfaction.values or result not in Satisfaction.values:
        raise DomainError("hotline.satisfaction", "请选择过程满意度和结果满意度。")
    note = _text(note, "note", "回访记录", 2000, required=False)

    def change(o):
        o.process_satisfaction, o.result_satisfaction = process, result
        o.callback_note, o.called_back_at = note, clock.now()

    return _transition(
        order, "callback", by, change, reason=note, payload={"process": process, "result": result}
    )


@transaction.atomic
def reopen(order: WorkOrder, *, by: User, reason: str) -> WorkOrder:
    """重办: the caller, called back, is not satisfied — the order goes back to the same lead
    department (to sign and reply again) with a new handling limit from today; counted
    (reopen_count). The previous reply and callback stay in the event."""
    reason = _text(reason, "reason", "重办理由", 1000)

    def change(o):
        previous = {"reply": o.reply, "replied_on_time": o.replied_on_time, "process": o.process_satisfaction,
                    "result": o.result_satisfaction, "due_on": o.due_on.isoformat()}  # fmt: skip
        if o.lead_department_id is None:
            o.status = S.ACCEPTED  # a direct answer: the operator dispatches it now
        o.due_seq, o.due_on = due_of(_today(), o.handle_days)
        o.reply, o.replied_at, o.replied_by, o.replied_on_time = "", None, None, None
        o.closed_at, o.callback_due_on, o.called_back_at, o.callback_note = None, None, None, ""
        o.process_satisfaction = o.result_satisfaction = ""
        o.signed_at, o.direct_answer = None, False
        o.reopen_count += 1
        return {"previous": previous, "due_on": o.due_on.isoformat()}

    return _transition(order, "reopen", by, change, reason=reason)


@transaction.atomic
def merge(order: WorkOrder, *, by: User, into: WorkOrder, note: str = "") -> WorkOrder:
    """合并: the operator confirms that `order` duplicates `into`, one of its suggested duplicates
    (queries.duplicates_of) — `order` is merged (merged_into set, its assignments ended), and both
    chains say so. The two are locked in key order so two merges cannot deadlock."""
    if into is None or into.pk == order.pk:
        raise DomainError("hotline.merge_target", "请选择要并入的工单。", details={"field": "into"})
    note = _text(note, "note", "合并说明", 500, required=False)
    list(WorkOrder.objects.select_for_update().filter(pk__in=[order.pk, into.pk]).order_by("pk"))

    def change(o):
        if not queries.duplicates_of(o).filter(pk=into.pk).exists():
            raise Conflict("hotline.not_duplicate", "该工单不是本工单的疑似重复工单，不能合并。")
        o.merged_into_id = into.pk
        _end(o.assignments.all(), f"合并至{into.number}")
        return {"into": into.number}

    merged = _transition(order, "merge", by, change, reason=note)
    target = WorkOrder.objects.get(pk=into.pk)
    append_event(target, by=by, action="merge_in", from_status=target.status, reason=note,
                 payload={"duplicate": merged.number})  # fmt: skip
    target.save(update_fields=["event_count", "last_hash"])
    return merged


# ---- attachments ---------------------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 5
ATTACHMENT_TYPES = ("image/jpeg", "image/png", "application/pdf")


def attach(order: WorkOrder, files) -> list:
    """The photos and scans that came with the request (optional): at most ATTACHMENT_MAX_COUNT,
    each ≤ 10 MB, JPEG/PNG/PDF. Called inside the transaction that received the order."""
    files = [f for f in files if f is not None]
    if len(files) > ATTACHMENT_MAX_COUNT:
        raise DomainError("hotline.too_many_attachments", f"附件最多{ATTACHMENT_MAX_COUNT}个。")
    for f in files:
        if f.size > ATTACHMENT_MAX_BYTES:
            raise DomainError("hotline.attachment_too_large", f"附件“{f.name[:40]}”超过10MB。")
        if (getattr(f, "content_type", "") or "") not in ATTACHMENT_TYPES:
            raise DomainError("hotline.attachment_type", "附件只能是JPG、PNG图片或PDF文件。")
    now = clock.now()
    return [Attachment.objects.create(order=order, file=f, name=f.name[:100], content_type=f.content_type,
                                      size=f.size, uploaded_at=now) for f in files]  # fmt: skip
