"""差评整改 (issue 17 item 2; RULES.md "Ratings"): the bad-rating loop — callback within 1 working
day, verification, rectification and feedback within 5 (both *configurable* per hall:
RatingSettings), the rater's follow-up rating; appeal review (申诉复核) decided by hall management.
Limits are working days counted from the rating day (not counted), like a case's deadline.

One public function per thing a person does (callback, verify, rectify, feedback, file_appeal,
decide_appeal), each in one transaction: it locks the rectification (select_for_update, with its
rating: the audit chain's head), asks `refusal` (the ONE rule the pages' and the API's
`allowed_actions` ask, read from TRANSITIONS), changes the state, appends the event to the
rating's hash chain and, for the feedback, queues the SMS to the rater. Two staff acting at
once: the second waits for the lock, finds the new status and is refused.

Who (decision 38): the staff of the rectification's department (DEPARTMENT_ROLES) and hall
management (大厅管理, complaint_queries.HALL_MANAGEMENT) of its hall take the steps; without a
department (a queue service of a comprehensive window) hall management alone. The department
files the appeal; hall management decides it — never the one who filed it.

A rater who never rates again: `close_unanswered` (the periodic job) closes a rectification
FOLLOW_UP_DAYS working days after the feedback, with an event saying so (decision 38)."""

import datetime as dt

from django.db import IntegrityError, transaction

from onewindow import clock
from onewindow.accounts.masking import mask_phone
from onewindow.accounts.models import DEPARTMENT_ROLES, PersonalDataRead, User
from onewindow.accounts.queries import staff_of
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.notify.models import Event
from onewindow.notify.services import enqueue
from onewindow.ratings.audit import append_event
from onewindow.ratings.complaints import is_hall_management
from onewindow.ratings.models import (
    Appeal,
    AppealGround,
    AppealStatus,
    Rating,
    RatingSettings,
    Rectification,
    RectificationStatus,
    VerificationFinding,
)
from onewindow.workdays import calendar

DEFAULT_CALLBACK_DAYS = 1
DEFAULT_RECTIFY_DAYS = 5
# Working days after the feedback the rater has for the follow-up rating (追评); then the job
# closes the rectification as fed back without one. A project default (decision 38): the
# rectification limit's own 5 days (RULES.md "Ratings", Dezhou 5).
FOLLOW_UP_DAYS = 5
TEXT_MAX = 2000
# The feedback goes to the rater as an SMS: with the template's words it stays within two
# segments (notify's rule for every template, 140 characters).
FEEDBACK_MAX = 70
S = RectificationStatus

# action → (the statuses it starts from, the status it leads to; None: unchanged), in the order the
# page offers them. One table for the services, allowed_actions, the pages and the API.
TRANSITIONS = {
    "callback": ((S.CALLBACK,), S.VERIFYING),
    "verify": ((S.VERIFYING,), S.RECTIFYING),
    # The measures may be written again (after a rejected appeal, or corrected) until the feedback.
    "rectify": ((S.RECTIFYING,), None),
    "feedback": ((S.RECTIFYING,), S.FED_BACK),
    # After the callback (owed to every bad rating, appeal or not), while not closed: once per rating.
    "appeal": ((S.VERIFYING, S.RECTIFYING, S.FED_BACK), S.APPEALED),
    "decide_appeal": ((S.APPEALED,), None),  # upheld → closed; rejected → rectifying
}
ACTION_LABELS = {
    "rectification_open": "差评整改开始", "rate": "评价", "callback": "回访", "verify": "核实",
    "rectify": "整改", "feedback": "反馈评价人", "follow_up": "评价人追评", "auto_close": "逾期未追评自动办结",
    "appeal": "申诉", "decide_appeal": "申诉复核",
}  # fmt: skip
# Who takes each step: the department (or hall management) — "handlers"; or hall management only.
DEPARTMENT_STEPS = ("callback", "verify", "rectify", "feedback")


def limits_of(hall_id: int) -> tuple[int, int]:
    """(callback days, rectification-and-feedback days) of the hall."""
    row = RatingSettings.objects.filter(hall_id=hall_id).values_list("callback_days", "rectify_days").first()
    return row or (DEFAULT_CALLBACK_DAYS, DEFAULT_RECTIFY_DAYS)


def open_for(rating: Rating) -> Rectification:
    """A bad first rating opens its rectification, assigned to the rating's department."""
    callback_days, rectify_days = limits_of(rating.hall_id)
    start = calendar.seq(rating.rated_on)
    rect = Rectification.objects.create(
        rating=rating, hall_id=rating.hall_id, department_id=rating.department_id, opened_at=rating.rated_at,
        callback_due_seq=start + callback_days, callback_due_on=calendar.date_of_seq(start + callback_days),
        rectify_due_seq=start + rectify_days, rectify_due_on=calendar.date_of_seq(start + rectify_days),
    )  # fmt: skip
    append_event(rating, by=None, action="rectification_open",
                 payload={"callback_due_on": rect.callback_due_on.isoformat(),
                          "rectify_due_on": rect.rectify_due_on.isoformat()})  # fmt: skip
    return rect


# ---- who ----------------------------------------------------------------------------------------


def is_department_staff(user: User, department_id: int | None) -> bool:
    """Staff of the department itself (a superuser is not: the appeal is the department's word)."""
    staff = staff_of(user)
    return (
        staff is not None and staff.role in DEPARTMENT_ROLES and department_id is not None
        and staff.department_id == department_id
    )  # fmt: skip


def may_handle(user: User, rect: Rectification) -> bool:
    """The department's staff, and hall management of the hall (alone when no department)."""
    return is_department_staff(user, rect.department_id) or is_hall_management(user, rect.hall_id)


# ---- the one rule of every action ---------------------------------------------------------------


def refusal(action: str, rect: Rectification, by: User) -> DomainError | None:
    """Why `by` may not take `action` on the rectification now (None: allowed)."""
    froms, _ = TRANSITIONS[action]
    if action in DEPARTMENT_STEPS and not may_handle(by, rect):
        return Forbidden("rectification.role", "只有整改部门的工作人员或大厅管理人员可以办理该差评整改。")
    if action == "appeal" and not is_department_staff(by, rect.department_id):
        return Forbidden("rectification.role", "只有整改部门的工作人员可以提出申诉。")
    if action == "decide_appeal" and not is_hall_management(by, rect.hall_id):
        return Forbidden("rectification.role", "只有大厅管理人员可以复核申诉。")
    if action == "appeal" and Appeal.objects.filter(rating_id=rect.rating_id).exists():
        return Conflict("rectification.already_appealed", "该差评已申诉过，每条差评只能申诉一次。")
    if rect.status not in froms:
        return Conflict("rectification.state",
                        f"差评整改当前状态为“{RectificationStatus(rect.status).label}”，不能{ACTION_LABELS[action]}。",
                        details={"status": rect.status})  # fmt: skip
    if action == "feedback" and not rect.measures:
        return Conflict("rectification.no_measures", "请先填写整改措施，再反馈评价人。")
    return None


def allowed_actions(rect: Rectification, by: User) -> list[str]:
    """The actions `by` may take now: exactly those the services accept."""
    return [action for action in TRANSITIONS if refusal(action, rect, by) is None]


def may_see_phone(rect: Rectification, by: User) -> bool:
    """The rater's phone number unmasked: only to whom may make the callback now (decision 38;
    RULES.md masking, decision 18) — the number is for the call, not for the list."""
    return refusal("callback", rect, by) is None


def rater_phone(rect: Rectification, by: User) -> str:
    """The rater's phone as `by` sees it: whole for the callback (`may_see_phone`; the read
    recorded as decision 18 wants, when the rater is a known applicant), masked otherwise."""
    phone = rect.rating.rater_phone
    if not phone or not may_see_phone(rect, by):
        return mask_phone(phone)
    if rect.rating.rater_id is not None:
        PersonalDataRead.objects.create(user=by, applicant_id=rect.rating.rater_id, fields="rater_phone",
                                        purpose=f"差评回访（评价{rect.rating_id}）")  # fmt: skip
    return phone


def _locked(rect: Rectification) -> Rectification:
    """The rectification and its rating, both locked (the rating row is the audit chain's head)."""
    return Rectification.objects.select_for_update().select_related("rating").get(pk=rect.pk)


def _transition(rect: Rectification, action: str, by: User, change, *, reason: str = "",
                payload: dict | None = None) -> Rectification:  # fmt: skip
    """Lock, check (refusal), change (`change(locked)` sets the fields, may return the status to
    go to), move the status, append the event, save."""
    locked = _locked(rect)
    problem = refusal(action, locked, by)
    if problem is not None:
        raise problem
    from_status = locked.status
    to_status = change(locked) or TRANSITIONS[action][1]
    if to_status is not None:
        locked.status = to_status
    locked.save()
    append_event(locked.rating, by=by, action=action, reason=reason,
                 payload={"from": from_status, "to": locked.status, **(payload or {})})  # fmt: skip
    return locked


def _text(value: str, field: str, label: str, *, required: bool = True, max_length: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"rectification.{field}_required", f"请填写{label}。", details={"field": field})
    if len(value) > max_length:
        raise DomainError(f"rectification.{field}_too_long", f"{label}不能超过{max_length}字。",
                          details={"field": field})  # fmt: skip
    return value


def _today_seq(now: dt.datetime) -> int:
    return calendar.seq(now.astimezone(clock.hall_tz()).date())


# ---- the steps ----------------------------------------------------------------------------------


@transaction.atomic
def callback(rect: Rectification, *, by: User, reached: bool, note: str = "") -> Rectification:
    """回访: the rater called (reached or not), with a note; on time when made by the callback's
    due working day (RULES.md "Ratings": within 1 working day, configurable)."""
    if not isinstance(reached, bool):
        raise DomainError("rectification.reached", "请选择是否联系上评价人。", details={"field": "reached"})
    note = _text(note, "note", "回访记录", required=not reached)  # not reached: say what was tried
    now = clock.now()

    def change(r):
        r.called_back_at, r.called_back_by, r.callback_reached, r.callback_note = now, by, reached, note
        r.callback_on_time = _today_seq(now) <= r.callback_due_seq

    return _transition(rect, "callback", by, change, reason=note, payload={"reached": reached})


@transaction.atomic
def verify(rect: Rectification, *, by: User, finding: str, note: str) -> Rectification:
    """核实: what the rating says found valid, partly valid, mistaken or malicious, with the facts.
    Mistaken or malicious: the department may then appeal (申诉复核), hall management decides."""
    if finding not in VerificationFinding.values:
        raise DomainError("rectification.finding", "请选择核实结果。", details={"field": "finding"})
    note = _text(note, "verification_note", "核实情况")

    def change(r):
        r.verified_at, r.finding, r.verification_note = clock.now(), finding, note

    return _transition(rect, "verify", by, change, reason=note, payload={"finding": finding})


@transaction.atomic
def rectify(rect: Rectification, *, by: User, measures: str) -> Rectification:
    """整改: the measures taken (again, to correct them, until the feedback)."""
    measures = _text(measures, "measures", "整改措施")

    def change(r):
        r.measures, r.rectified_at = measures, clock.now()

    return _transition(rect, "rectify", by, change, reason=measures)


@transaction.atomic
def feedback(rect: Rectification, *, by: User, text: str) -> Rectification:
    """反馈: what was done, told to the rater — an SMS to the rater's phone through notify's outbox,
    in this transaction; on time when by the rectification's due working day."""
    text = _text(text, "feedback", "反馈内容", max_length=FEEDBACK_MAX)
    now = clock.now()

    def change(r):
        r.feedback, r.fed_back_at = text, now
        r.fed_back_on_time = _today_seq(now) <= r.rectify_due_seq

    done = _transition(rect, "feedback", by, change, reason=text)
    rating = done.rating
    enqueue(phone=rating.rater_phone, event=Event.RATING_FEEDBACK,
            key=f"rating:{rating.pk}:feedback:{rating.event_count}",
            context={"rated_on": rating.rated_on, "feedback": text,
                     "department": done.department.name if done.department_id else ""},
            subject_kind="rating", subject_key=str(rating.pk), hall=done.hall)  # fmt: skip
    return done


# ---- the follow-up rating (services.record calls these) -------------------------------------------


def check_follow_up(bad: Rating) -> None:
    """A follow-up rating (追评) only of a bad rating whose rectification was fed back (locked:
    a decision or a second follow-up waits)."""
    status = (
        Rectification.objects.select_for_update().filter(rating=bad).values_list("status", flat=True).first()
    )
    if status != RectificationStatus.FED_BACK:
        raise Conflict("rating.follow_up_not_open", "整改反馈后才能追评。")


def followed_up(bad: Rating, follow_up: Rating) -> None:
    """The rater's follow-up rating closes the rectification; the bad rating's chain records it."""
    rect = _locked(Rectification.objects.get(rating=bad))
    rect.status, rect.closed_at = RectificationStatus.CLOSED, follow_up.rated_at
    rect.save(update_fields=["status", "closed_at"])
    append_event(rect.rating, by=follow_up.rater_user, action="follow_up",
                 payload={"from": S.FED_BACK, "to": S.CLOSED, "follow_up": follow_up.pk, "level": follow_up.level})  # fmt: skip


def follow_up_closes_after(today: dt.date) -> dt.datetime:
    """Fed back before this instant: the rater's FOLLOW_UP_DAYS working days have passed."""
    first = calendar.add_workdays(today, -FOLLOW_UP_DAYS)
    return dt.datetime.combine(first, dt.time.min, tzinfo=clock.hall_tz())


def close_unanswered(today: dt.date | None = None) -> int:
    """The periodic job: rectifications fed back FOLLOW_UP_DAYS working days ago or more without a
    follow-up rating are closed (`auto_close` in the chain). One indexed query for the few due;
    each closed in its own transaction under the lock (a follow-up arriving meanwhile wins)."""
    cutoff = follow_up_closes_after(today or clock.today())
    due = Rectification.objects.filter(status=S.FED_BACK, fed_back_at__lt=cutoff).order_by("pk")
    closed = 0
    for pk in list(due.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            rect = Rectification.objects.select_for_update().select_related("rating").get(pk=pk)
            if rect.status != S.FED_BACK:
                continue
            rect.status, rect.closed_at = S.CLOSED, clock.now()
            rect.save(update_fields=["status", "closed_at"])
            append_event(rect.rating, by=None, action="auto_close",
                         payload={"from": S.FED_BACK, "to": S.CLOSED, "follow_up_days": FOLLOW_UP_DAYS})  # fmt: skip
            closed += 1
    return closed


# ---- appeal (申诉复核) ----------------------------------------------------------------------------


@transaction.atomic
def file_appeal(rect: Rectification, *, by: User, ground: str, reason: str) -> Appeal:
    """申诉: the department asks hall management to find the rating mistaken or malicious; once
    per rating (the one-to-one Appeal decides a race too)."""
    if ground not in AppealGround.values:
        raise DomainError(
            "rectification.ground", "请选择申诉理由：误评或恶意差评。", details={"field": "ground"}
        )
    reason = _text(reason, "reason", "申诉理由")
    now = clock.now()
    filed = {}

    def change(r):
        try:
            with transaction.atomic():
                filed["appeal"] = Appeal.objects.create(rating_id=r.rating_id, ground=ground, reason=reason,
                                                        filed_by=by, filed_at=now)  # fmt: skip
        except IntegrityError as exc:
            raise Conflict(
                "rectification.already_appealed", "该差评已申诉过，每条差评只能申诉一次。"
            ) from exc

    _transition(rect, "appeal", by, change, reason=reason, payload={"ground": ground})
    return filed["appeal"]


@transaction.atomic
def decide_appeal(rect: Rectification, *, by: User, upheld: bool, reason: str) -> Appeal:
    """复核: upheld — the rating is excluded from every score and rate (Rating.excluded; never
    deleted, still in its chain) and the rectification closed; rejected — back to rectifying."""
    if not isinstance(upheld, bool):
        raise DomainError("rectification.decision", "请选择申诉成立或不成立。", details={"field": "upheld"})
    reason = _text(reason, "decision_reason", "复核意见")
    now = clock.now()
    decided = {}

    def change(r):
        appeal = Appeal.objects.select_for_update().get(rating_id=r.rating_id)
        appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
        appeal.decided_by, appeal.decided_at, appeal.decision_reason = by, now, reason
        appeal.save()
        decided["appeal"] = appeal
        if not upheld:
            return S.RECTIFYING
        r.closed_at = now
        Rating.objects.filter(pk=r.rating_id).update(excluded=True, excluded_at=now)
        r.rating.excluded, r.rating.excluded_at = True, now
        return S.CLOSED

    _transition(rect, "decide_appeal", by, change, reason=reason,
                payload={"outcome": AppealStatus.UPHELD if upheld else AppealStatus.REJECTED})  # fmt: skip
    return decided["appeal"]
