"""The use cases of a case, one public function per thing a person does (STYLE.md), by stage:

- intake.py — 接件, 收取材料, 受理, 一次性告知 and 补正, 不予受理, 容缺受理, 告知承诺;
- review.py — 审查, 退回补正, 决定;
- pauses.py — 特别程序 (suspend, resume), 延期, 撤回;
- after_decision.py — 制证, 送达 (called by licenses);
- permits.py — who may do what now (the actor, the status, the case's state), and allowed.py —
  the actions a page offers by the same checks (allowed_actions);
- transitions.py — what they share: the transition table, the lock, who may act, the one way a
  transition is applied (status, audit event, the rows written with it), the deadline's start.

Each runs in one transaction, locks the case, checks the transition table and the rules, changes
the state and appends the audit event. No callback carries a rule (decision 20): a child of a
一件事 refuses an intake answer unless bundles passes `bundle=`; bundles and payments record
what follows from a transition by reading the cases (bundles.services.settle,
payments.services.issue_due_notices). A
refused call raises DomainError and changes nothing. This module is the facade the rest of the
project calls (`from onewindow.cases import services as cases; cases.accept(…)`)."""

from onewindow.cases.allowed import allowed_actions
from onewindow.cases.intake import (
    SHARED_NOT_FOUND,
    accept,
    accept_tolerantly,
    approve_by_commitment,
    find_applicant,
    find_shared_with,
    mark_material,
    receive,
    refuse,
    request_supplement,
    submit,
    supplement,
    supply_tolerated,
)
from onewindow.cases.pauses import extend, resume, suspend, withdraw
from onewindow.cases.permits import (
    Facts,
    decided_elsewhere,
    deciding_hall,
    deciding_halls,
    receiving_halls,
    submission_hall,
)
from onewindow.cases.review import decide, return_for_correction, review
from onewindow.cases.transitions import (
    ACTION_NAMES,
    CHANNELS,
    CLOCK_FIELDS,
    CLOSE_FIELDS,
    INTAKE_ROLES,
    NOTE_MAX,
    REVIEW_ROLES,
    TRANSITIONS,
    may_view,
    published,
)

__all__ = [
    "ACTION_NAMES", "Facts", "allowed_actions", "decided_elsewhere", "deciding_hall", "deciding_halls", "receiving_halls", "submission_hall", "CHANNELS", "CLOCK_FIELDS", "CLOSE_FIELDS", "INTAKE_ROLES", "NOTE_MAX", "REVIEW_ROLES",
    "SHARED_NOT_FOUND", "TRANSITIONS", "accept", "accept_tolerantly", "approve_by_commitment", "decide", "extend",
    "find_applicant", "find_shared_with", "mark_material", "may_view", "published", "receive", "refuse",
    "request_supplement", "resume", "return_for_correction", "review", "submit", "supplement", "supply_tolerated",
    "suspend", "withdraw",
]  # fmt: skip
