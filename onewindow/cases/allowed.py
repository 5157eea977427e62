"""allowed_actions(case, by): the actions of the case page the services would allow `by` now —
the same three checks the services make (cases.permits: the actor, the status, the case's
state), so the page and the API offer exactly what a service then accepts (issue 14)."""

from onewindow.accounts.models import User
from onewindow.cases import permits
from onewindow.cases.intake import shared_found_now
from onewindow.cases.models import Case
from onewindow.cases.transitions import TRANSITIONS, bundle_intake

# The actions of the case page, in the order it shows them (cases/templates/cases/case.html).
CASE_PAGE_ACTIONS = (
    "receive", "mark_material", "accept", "request_supplement", "accept_tolerantly", "approve_by_commitment", "supplement",
    "supply_tolerated", "review", "decide", "return_for_correction", "suspend", "resume", "extend",
    "commitment_check", "refuse", "withdraw",
)  # fmt: skip


def allowed_actions(
    case: Case, by: User, facts: permits.Facts | None = None, *, bundle: str | None = None
) -> list[str]:
    """The case page's actions `by` may take on the case now, in the page's order. `facts`: what
    the caller has loaded (the page's materials and steps); else read as needed. `bundle`: asked
    by the bundles module for a child of its application (the intake answers it gives for all)."""
    facts = facts or permits.Facts(case)
    allowed = []
    for action in CASE_PAGE_ACTIONS:
        if case.status not in TRANSITIONS[action][0] or (
            bundle_intake(case, action) and bundle != case.bundle_number
        ):
            continue
        if permits.actor_refusal(by, case, action) is not None:
            continue
        if action == "accept":  # 受理 asks 证照共享 again first (cases.intake.accept): so do we
            found = shared_found_now(case, facts.outstanding())
            # the state check on what 受理 would see (cases.permits.refusal)
            if not facts.marked_for_correction() and all(m.pk in found for m in facts.outstanding()):
                allowed.append(action)
            continue
        if permits.refusal(action, case, facts) is None:
            allowed.append(action)
    return allowed
