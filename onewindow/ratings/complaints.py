"""投诉 (issue 17 item 3): the use cases of a complaint, one public function per thing a person does —
file (portal, the hall's complaint desk, the hotline), assign to a department, answer, record the
callback, decide upheld / not upheld, close. Each runs in one transaction, locks the complaint
(select_for_update), asks `refusal` (the same rule the pages' `allowed_actions` ask), changes the
state, appends the audit event and queues the SMS.

The answer limit is *configurable* per hall (ComplaintLimit), counted in working days from the
day of filing (not counted), like a case's deadline: `due_seq = seq(filed_on) + answer_days`.
DEFAULT_ANSWER_DAYS is a project default (decision record "complaints"): the 5 working days
RULES.md "Ratings" gives a bad rating's rectification and feedback (Dezhou 5), the nearest written
limit for a hall's answer to a citizen's dissatisfaction; the hotline's 13 days are the 12345
platform's own and stay with it."""

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import DEPARTMENT_ROLES, Applicant, Department, Role, User, Window
from onewindow.accounts.queries import staff_of
from onewindow.cases.audit import broken_at, event_hash, verify_chains
from onewindow.cases.models import Case, CaseEvent
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.notify.models import Event
from onewindow.notify.services import enqueue
from onewindow.ratings.complaint_queries import HALL_MANAGEMENT
from onewindow.ratings.models import (
    CallbackOutcome,
    Complaint,
    ComplaintEvent,
    ComplaintFinding,
    ComplaintLimit,
    ComplaintSource,
    ComplaintStatus,
)
from onewindow.serials import next_serial
from onewindow.workdays import calendar

DEFAULT_ANSWER_DAYS = 5
# Who may record a complaint for someone else, by source (the portal is the citizen's own).
DESK_FILERS = {
    ComplaintSource.DESK: HALL_MANAGEMENT,
    ComplaintSource.HOTLINE: (Role.HOTLINE_OPERATOR, *HALL_MANAGEMENT),
}
S = ComplaintStatus

# action → (the statuses it starts from, the status it leads to; None: unchanged), in the order the
# complaint page offers them. One table for the services, allowed_actions and the pages.
TRANSITIONS = {
    "assign": ((S.FILED, S.ASSIGNED), S.ASSIGNED),  # again while unanswered: re-assign
    "answer": ((S.ASSIGNED,), S.ANSWERED),
    "callback": ((S.ANSWERED,), S.CALLED_BACK),
    # 退回重办: the complainant, called back, is not satisfied — the department answers again.
    "reopen": ((S.CALLED_BACK,), S.ASSIGNED),
    "decide": ((S.ANSWERED, S.CALLED_BACK, S.CLOSED), None),
    "close": ((S.CALLED_BACK,), S.CLOSED),
}
ACTION_LABELS = {"file": "登记投诉", "assign": "分派", "answer": "答复", "callback": "回访", "reopen": "退回重办", "decide": "认定",
                 "close": "办结"}  # fmt: skip
TEXT_MAX = 2000


def answer_days_of(hall_id: int) -> int:
    limit = ComplaintLimit.objects.filter(hall_id=hall_id).values_list("answer_days", flat=True).first()
    return limit or DEFAULT_ANSWER_DAYS


def is_hall_management(user: User, hall_id: int) -> bool:
    if user.is_superuser:
        return True
    staff = staff_of(user)
    return staff is not None and staff.role in HALL_MANAGEMENT and staff.hall_id == hall_id


def is_department_staff(user: User, department_id: int | None) -> bool:
    if user.is_superuser:
        return True
    staff = staff_of(user)
    return (
        staff is not None and staff.role in DEPARTMENT_ROLES and department_id is not None
        and staff.department_id == department_id
    )  # fmt: skip


# ---- the one rule of every action: who, from which status, in what state -----------------------


def refusal(action: str, complaint: Complaint, by: User) -> DomainError | None:
    """Why `by` may not take `action` on the complaint now (None: allowed)."""
    froms, _ = TRANSITIONS[action]
    if action == "answer":
        if not is_department_staff(by, complaint.department_id):
            return Forbidden("complaint.role", "只有承办部门的工作人员可以答复该投诉。")
    elif not is_hall_management(by, complaint.hall_id):
        return Forbidden("complaint.role", "只有大厅管理人员可以执行此操作。")
    if complaint.status not in froms:
        return Conflict("complaint.state", f"投诉当前状态为“{ComplaintStatus(complaint.status).label}”，不能{ACTION_LABELS[action]}。",
                        details={"status": complaint.status})  # fmt: skip
    if action == "reopen" and complaint.callback_outcome != CallbackOutcome.UNSATISFIED:
        return Conflict("complaint.not_unsatisfied", "只有回访不满意的投诉可以退回重办。")
    if action in ("decide", "reopen") and complaint.finding:
        return Conflict("complaint.already_decided", "该投诉已认定，不能重复认定。")
    if action == "close" and not complaint.finding:
        return Conflict("complaint.not_decided", "请先认定投诉是否属实，再办结。")
    return None


def allowed_actions(complaint: Complaint, by: User) -> list[str]:
    """The actions of the complaint page `by` may take now: exactly those the services accept."""
    return [action for action in TRANSITIONS if refusal(action, complaint, by) is None]


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _append(complaint: Complaint, *, by: User | None, action: str, from_status: str, reason: str = "",
            payload: dict | None = None) -> ComplaintEvent:  # fmt: skip
    """The next event of the complaint's hash chain (saved); advances the chain head on the row
    (the caller saves the complaint)."""
    payload = payload or {}
    at = clock.now()
    seq = complaint.event_count + 1
    actor_id = by.pk if by is not None else None
    digest = event_hash(complaint.last_hash, complaint.number, seq, at, actor_id, action, from_status,
                        complaint.status, reason, payload)  # fmt: skip
    event = ComplaintEvent.objects.create(
        complaint=complaint, seq=seq, at=at, actor_id=actor_id, action=action, from_status=from_status,
        to_status=complaint.status, reason=reason, payload=payload, prev_hash=complaint.last_hash, hash=digest,
    )  # fmt: skip
    complaint.event_count, complaint.last_hash = seq, digest
    return event


def _transition(complaint: Complaint, action: str, by: User, change, *, reason: str = "",
                payload: dict | None = None) -> Complaint:  # fmt: skip
    """Lock, check (refusal), change (`change(locked)` sets the fields), move the status, append
    the event, save. Two staff acting at once: the second waits for the lock and then finds the
    new status, and is refused."""
    locked = _locked(complaint)
    problem = refusal(action, locked, by)
    if problem is not None:
        raise problem
    from_status = locked.status
    change(locked)
    to_status = TRANSITIONS[action][1]
    if to_status is not None:
        locked.status = to_status
    _append(locked, by=by, action=action, from_status=from_status, reason=reason, payload=payload)
    locked.save()
    return locked


def _text(value: str, field: str, label: str, max_length: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"complaint.{field}_required", f"请填写{label}。")
    if len(value) > max_length:
        raise DomainError(f"complaint.{field}_too_long", f"{label}不能超过{max_length}字。")
    return value


def accepting_officer_id(case: Case) -> int | None:
    """The officer who accepted the case (受理): the actor of its first accept event, as
    supervision and stats find it."""
    return (
        CaseEvent.objects.filter(case=case, action="accept")
        .order_by("seq")
        .values_list("actor", flat=True)
        .first()
    )


# ---- filing ---------------------------------------------------------------------------------------


@transaction.atomic
def file_complaint(*, by: User, subject: str, text: str, source: str = ComplaintSource.PORTAL, case_number: str = "",
                   name: str = "", phone: str = "", source_ref: str = "", hall=None,
                   department: Department | None = None, window: Window | None = None) -> Complaint:  # fmt: skip
    """投诉 from the portal (`by` is the citizen: about one of their own cases, or none, then to
    the hall named), from the hall's complaint desk (`by` is hall management, recording a walk-in:
    name and phone of the complainant), or from the hotline (`source_ref` the work order's
    number). Linked, where known, to the case, its window, its accepting officer and its
    department; the answer limit starts today."""
    if source not in ComplaintSource.values:
        raise DomainError("complaint.source", "投诉来源不正确。")
    subject = _text(subject, "subject", "投诉事由", 100)
    text = _text(text, "text", "投诉内容")
    staff = staff_of(by)
    case = None
    complainant = None
    if source == ComplaintSource.PORTAL:
        complainant = Applicant.objects.filter(user=by).first()
        if case_number:
            case = Case.objects.filter(number=case_number.strip(), applicant__user=by).first()
            if case is None:
                raise NotFound("complaint.case_not_found", "未找到您名下的该办件。")
        name = complainant.name if complainant else (by.display_name or by.username)
        phone = (phone or "").strip() or (complainant.phone if complainant else "")
    else:
        if not by.is_superuser and (staff is None or staff.role not in DESK_FILERS[source]):
            raise Forbidden("complaint.role", "您的角色不能登记此来源的投诉。")
        if source == ComplaintSource.HOTLINE:
            source_ref = _text(source_ref, "source_ref", "12345工单编号", 40)
        else:
            source_ref = ""
        name = _text(name, "name", "投诉人姓名", 50)
        phone = (phone or "").strip()[:20]
        if case_number:
            cases = Case.objects.filter(number=case_number.strip())
            if not by.is_superuser:
                cases = cases.filter(hall_id=staff.hall_id)
            case = cases.first()
            if case is None:
                raise NotFound("complaint.case_not_found", "本中心未找到该办件编号。")
        if hall is None and staff is not None:
            hall = staff.hall
    if case is not None:
        hall = case.hall
        window = case.window
        department = case.department
    if hall is None:
        raise DomainError("complaint.hall_required", "请选择投诉的政务服务中心。")
    if department is not None and not hall.departments.filter(pk=department.pk).exists():
        raise DomainError("complaint.department", "该部门未进驻本中心。")
    if window is not None and window.hall_id != hall.pk:
        raise DomainError("complaint.window", "该窗口不属于本中心。")
    now = clock.now()
    today = now.astimezone(clock.hall_tz()).date()
    days = answer_days_of(hall.pk)
    due_seq = calendar.seq(today) + days
    complaint = Complaint(
        number=f"TS{today.year}{next_serial(f'complaint-{today.year}'):06d}", hall=hall, source=source,
        source_ref=source_ref, complainant_user=by if source == ComplaintSource.PORTAL else None,
        complainant=complainant or (case.applicant if case is not None else None), name=name[:50], phone=phone[:20],
        case=case, window=window, officer_id=accepting_officer_id(case) if case is not None else None,
        department=department, subject=subject, text=text, filed_at=now, filed_on=today, filed_by=by,
        answer_days=days, due_seq=due_seq, due_on=calendar.date_of_seq(due_seq),
    )  # fmt: skip
    complaint.save()
    _append(complaint, by=by, action="file", from_status="",
            payload={"source": source, "case": case.number if case else "", "due_on": complaint.due_on.isoformat()})  # fmt: skip
    complaint.save(update_fields=["event_count", "last_hash"])
    return complaint


# ---- the steps ---------------------------------------------------------------------------------


@transaction.atomic
def assign(complaint: Complaint, *, by: User, department: Department, note: str = "") -> Complaint:
    """分派 to the department that answers (hall management); again before the answer to correct it."""
    if department is None or not complaint.hall.departments.filter(pk=department.pk).exists():
        raise DomainError("complaint.department", "请选择进驻本中心的承办部门。")

    def change(c):
        c.department = department
        c.assigned_at = clock.now()

    return _transition(complaint, "assign", by, change, reason=(note or "").strip()[:500],
                       payload={"department": department.code})  # fmt: skip


@transaction.atomic
def answer(complaint: Complaint, *, by: User, text: str) -> Complaint:
    """答复 by the assigned department; on time when by the due working day. The complainant
    gets an SMS (notify's outbox, in this transaction)."""
    text = _text(text, "answer", "答复内容")
    now = clock.now()

    def change(c):
        c.answer, c.answered_at, c.answered_by = text, now, by
        c.answered_on_time = calendar.seq(now.astimezone(clock.hall_tz()).date()) <= c.due_seq

    done = _transition(complaint, "answer", by, change)
    # One SMS per answer: a reopened complaint's new answer is a new message (its own key).
    rounds = ComplaintEvent.objects.filter(complaint=done, action="reopen").count()
    key = f"complaint:{done.number}:answered" + (f":{rounds + 1}" if rounds else "")
    enqueue(phone=done.phone, event=Event.COMPLAINT_ANSWERED, key=key,
            context={"number": done.number, "department": done.department.name if done.department else ""},
            subject_kind="complaint", subject_key=done.number, hall=done.hall)  # fmt: skip
    return done


@transaction.atomic
def record_callback(complaint: Complaint, *, by: User, outcome: str, note: str = "") -> Complaint:
    """回访: the complainant called back after the answer, with the outcome."""
    if outcome not in CallbackOutcome.values:
        raise DomainError("complaint.callback_outcome", "请选择回访结果：满意、不满意或联系不上。")
    note = (note or "").strip()[:TEXT_MAX]

    def change(c):
        c.callback_outcome, c.callback_note, c.called_back_at = outcome, note, clock.now()

    return _transition(complaint, "callback", by, change, reason=note, payload={"outcome": outcome})


@transaction.atomic
def reopen(complaint: Complaint, *, by: User, reason: str) -> Complaint:
    """退回重办 (hall management): the complainant called back is not satisfied, so the department
    answers again, within a new answer limit from today (the hall's answer days, as at filing).
    The first answer and callback stay in the audit event; the row holds the current round."""
    reason = _text(reason, "reason", "退回理由", 500)
    today = clock.now().astimezone(clock.hall_tz()).date()

    def change(c):
        c.due_seq = calendar.seq(today) + answer_days_of(c.hall_id)
        c.due_on = calendar.date_of_seq(c.due_seq)
        c.answer, c.answered_at, c.answered_by, c.answered_on_time = "", None, None, None
        c.callback_outcome, c.callback_note, c.called_back_at = "", "", None

    previous = {"answer": complaint.answer, "answered_on_time": complaint.answered_on_time,
                "callback_note": complaint.callback_note}  # fmt: skip
    return _transition(complaint, "reopen", by, change, reason=reason, payload={"previous": previous})


@transaction.atomic
def decide(complaint: Complaint, *, by: User, finding: str, reason: str) -> Complaint:
    """认定: upheld (属实, counted against the window and the officer by the assessment) or not
    upheld, once, with a reason, by hall management, once the department has answered."""
    if finding not in ComplaintFinding.values:
        raise DomainError("complaint.finding", "请选择认定结果：投诉属实或不属实。")
    reason = _text(reason, "finding_reason", "认定理由", 500)

    def change(c):
        c.finding, c.finding_reason, c.found_at = finding, reason, clock.now()

    return _transition(complaint, "decide", by, change, reason=reason, payload={"finding": finding})


@transaction.atomic
def close(complaint: Complaint, *, by: User) -> Complaint:
    """办结 after the callback and the finding."""

    def change(c):
        c.closed_at = clock.now()

    return _transition(complaint, "close", by, change)


def verify(complaint: Complaint) -> int | None:
    """The seq of the first event whose hash no longer matches (None: the chain is intact)."""
    found = broken_at(ComplaintEvent.objects.filter(complaint=complaint).order_by("seq"), complaint.number,
                      complaint.event_count, complaint.last_hash)  # fmt: skip
    return found and found[0]


def verify_all(batch: int = 2000):
    """Yields (complaint number, first bad event seq, why) for every complaint whose chain is
    broken (manage.py verify_audit)."""
    yield from verify_chains(Complaint.objects.values_list("pk", "number", "event_count", "last_hash"),
                             lambda pk: ComplaintEvent.objects.filter(complaint_id=pk), batch)  # fmt: skip
