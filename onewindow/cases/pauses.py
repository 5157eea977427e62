"""The clock's pauses and ends before the decision: 特别程序 (suspend, resume; 行政许可法 art. 45),
延期 (extend; art. 42), 撤回 (withdraw) — and the pause a return for correction starts and the
supplement ends (used by review.py and intake.py). Written with the ORM."""

from django.conf import settings
from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.cases import clock_rules, permits
from onewindow.cases.models import CLOCK_STOPPED, Case, Outcome, Suspension
from onewindow.cases.transitions import (
    CLOSE_FIELDS,
    apply_transition,
    close_case,
    lock_case,
    today_seq,
)
from onewindow.errors import DomainError
from onewindow.workdays import calendar


def start_pause(case: Case, by: User, kind: str, reason: str, expected_days: int | None) -> list[str]:
    """The clock stops: the light is frozen as it stands, a suspension opened (returns the fields)."""
    today, seq = today_seq()
    case.frozen_light = clock_rules.light(case.due_seq, case.promised_days, seq, case.hall_id)
    case.paused_on = today
    Suspension.objects.create(case=case, kind=kind, reason=reason, expected_days=expected_days, started_on=today,
                              started_by=by)  # fmt: skip
    return ["frozen_light", "paused_on"]


def end_pause(case: Case, by: User) -> list[str]:
    """The working days the clock stood still are added to the deadline."""
    today = clock.today()
    days = max(0, calendar.workdays_between(case.paused_on, today))
    Suspension.objects.filter(case=case, ended_on__isnull=True).update(ended_on=today, days=days)
    case.extra_days += days
    case.due_seq, case.due_on = clock_rules.deadline(case.accepted_on, case.promised_days, case.extra_days)
    case.paused_on, case.frozen_light = None, ""
    return ["extra_days", "due_seq", "due_on", "paused_on", "frozen_light"]


@transaction.atomic
def suspend(case: Case, *, by: User, kind: str, reason: str, expected_days: int | None = None) -> Case:
    """特别程序开始 (行政许可法 art. 45): the clock stops; the applicant is told in writing."""
    case = lock_case(case)
    permits.require(by, case, "suspend")
    if kind not in Suspension.Kind.values or kind == Suspension.Kind.CORRECTION:
        raise DomainError(
            "case.suspension_kind",
            "特别程序类型应为听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审、现场勘验或公示之一。",
        )
    if not (reason or "").strip():
        raise DomainError("case.suspension_reason_required", "请写明特别程序的理由。")
    fields = start_pause(case, by, kind, reason.strip(), expected_days)
    apply_transition(case, "suspend", by=by, reason=reason.strip(), payload={"kind": kind, "expected_days": expected_days},
                     fields=fields)  # fmt: skip
    return case


@transaction.atomic
def resume(case: Case, *, by: User) -> Case:
    """特别程序结束: the working days it lasted are added to the deadline."""
    case = lock_case(case)
    permits.require(by, case, "resume")
    fields = end_pause(case, by)
    apply_transition(case, "resume", by=by, payload={"due_on": case.due_on.isoformat(), "extra_days": case.extra_days},
                     fields=fields)  # fmt: skip
    return case


@transaction.atomic
def extend(case: Case, *, by: User, days: int, reason: str) -> Case:
    """延期 (行政许可法 art. 42): approved by the department head, once, at most the law's days."""
    case = lock_case(case)
    permits.require(by, case, "extend")
    permits.require_state("extend", case, permits.Facts(case, materials=[], steps=[]))
    limit = settings.ONEWINDOW_MAX_EXTENSION_DAYS
    if not 1 <= days <= limit:
        raise DomainError("case.extension_days", f"延期应为1至{limit}个工作日（行政许可法第四十二条）。")
    if not (reason or "").strip():
        raise DomainError("case.extension_reason_required", "请写明延期理由。")
    case.extra_days += days
    case.extended = True
    case.due_seq, case.due_on = clock_rules.deadline(case.accepted_on, case.promised_days, case.extra_days)
    apply_transition(case, "extend", by=by, reason=reason.strip(), payload={"days": days, "due_on": case.due_on.isoformat()},
                     fields=["extra_days", "extended", "due_seq", "due_on"])  # fmt: skip
    return case


@transaction.atomic
def withdraw(case: Case, *, by: User, reason: str = "") -> Case:
    """撤回: by the applicant (or a clerk on their behalf) before the decision."""
    case = lock_case(case)
    permits.require(by, case, "withdraw")
    fields = end_pause(case, by) if case.status in CLOCK_STOPPED else []
    close_case(case, Outcome.WITHDRAWN, clock.today())
    apply_transition(
        case, "withdraw", by=by, reason=(reason or "申请人撤回").strip(), fields=[*fields, *CLOSE_FIELDS]
    )
    return case
