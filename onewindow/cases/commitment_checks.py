"""核查 after a commitment approval (告知承诺制, RULES.md "Acceptance outcomes at the window":
decided at once; a later check can revoke). cases.services.approve_by_commitment opens the check,
due ONEWINDOW_COMMITMENT_CHECK_DAYS working days later (art. 82); the department's reviewer or
head records the result here. A failed check revokes the approval with its reason — a transition
of the closed case (outcome 撤销审批) and its audit event.

The license issued for the case sits in a module above this one: licenses.services.
record_commitment_check calls `record` and then revokes the license in the same transaction. It
is the way to record a check (as issue_license is the way to issue); see
docs/decisions/0016-written-answers-and-checks.md."""

import datetime as dt

from django.db import transaction
from django.db.models import F, OuterRef, QuerySet

from onewindow import clock
from onewindow.accounts.models import Role, User
from onewindow.cases import clock_rules, permits
from onewindow.cases.models import Case, CommitmentCheck, Outcome
from onewindow.cases.transitions import apply_transition, lock_case
from onewindow.errors import DomainError
from onewindow.workdays import calendar
from onewindow.workdays import queries as workdays

REASON_MAX = 500
R = CommitmentCheck.Result


@transaction.atomic
def record(case: Case, *, by: User, passed: bool, reason: str = "") -> CommitmentCheck:
    """Records the check's result. Passed: by the department's reviewer or head. Failed (承诺不实):
    only the head, who revokes the approval with the written reason."""
    case = lock_case(case)
    # Failed (承诺不实, a revocation): the head only.
    permits.require(by, case, "commitment_check", roles=None if passed else (Role.DEPARTMENT_HEAD,))
    check = CommitmentCheck.objects.select_for_update().filter(case=case).first()
    permits.require_state("commitment_check", case, permits.Facts(case, commitment_check=check))
    reason = (reason or "").strip()
    if not passed and not reason:
        raise DomainError("case.commitment_check_reason", "核查不通过须写明承诺不实的情况和理由。")
    if len(reason) > REASON_MAX:
        raise DomainError("case.commitment_check_reason", f"核查说明不超过{REASON_MAX}字。")
    now, today = clock.now(), clock.today()
    on_time = calendar.seq(today) <= check.due_seq
    check.result, check.reason, check.checked_by, check.checked_at = (
        (R.PASSED if passed else R.FAILED),
        reason,
        by,
        now,
    )
    check.save(update_fields=["result", "reason", "checked_by", "checked_at"])
    payload = {"result": check.result, "due_on": check.due_on.isoformat(), "on_time": on_time}
    if passed:
        apply_transition(case, "commitment_check", by=by, reason=reason, payload=payload)
    else:
        # 撤销: the approval no longer stands; the case keeps its dates (the clock stopped at it).
        case.outcome = Outcome.REVOKED
        apply_transition(case, "revoke_commitment", by=by, reason=reason, payload=payload, fields=["outcome"])
    return check


def due(department_id: int) -> QuerySet[CommitmentCheck]:
    """The department's checks still due, the most urgent first (index commitment_check_due)."""
    return (
        CommitmentCheck.objects.filter(department_id=department_id, result=R.PENDING)
        .select_related("case__applicant", "case__item_version")
        .order_by("due_seq", "pk")
    )


def done(department_id: int, limit: int = 20) -> list[CommitmentCheck]:
    return list(
        CommitmentCheck.objects.filter(department_id=department_id)
        .exclude(result=R.PENDING)
        .select_related("case", "checked_by")
        .order_by("-checked_at")[:limit]
    )


def light(check: CommitmentCheck, today_seq: int) -> str:
    """The case lights' rule on the check's own period: red when overdue."""
    return clock_rules.light(check.due_seq, check.days, today_seq)


def recompute_due(since: dt.date) -> int:
    """After a calendar change from `since` on (issue 13 rule 7; called by web.calendar_changes in
    the change's transaction): the pending checks due on or after `since` count their working days
    again, set-based (two UPDATEs; a check due before `since` counted only days that did not
    change). Returns how many checks' due date moved."""
    pending = CommitmentCheck.objects.filter(result=R.PENDING, due_on__gte=since)
    before = dict(pending.values_list("pk", "due_on"))
    pending.update(due_seq=workdays.seq_of(OuterRef("approved_on")) + F("days"))
    pending.update(due_on=workdays.date_of(OuterRef("due_seq")))
    after = dict(CommitmentCheck.objects.filter(pk__in=before).values_list("pk", "due_on"))
    return sum(before[pk] != after[pk] for pk in before)
