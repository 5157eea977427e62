"""Review and decision (审查, 决定): the department's reviewers complete the item's review steps,
may return the case for correction (the clock stops until the supplement), and the head decides.
Written with the ORM."""

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.cases import permits, veto_filings
from onewindow.cases.models import Case, CaseMaterial, CaseStep, Outcome, Suspension
from onewindow.cases.pauses import start_pause
from onewindow.cases.transitions import (
    CLOSE_FIELDS,
    apply_transition,
    close_case,
    lock_case,
    notice_note,
)
from onewindow.errors import DomainError


@transaction.atomic
def review(case: Case, *, by: User, opinion: str) -> Case:
    """Completes the current review step with the reviewer's opinion."""
    case = lock_case(case)
    permits.require(by, case, "review")
    facts = permits.Facts(case)
    permits.require_state("review", case, facts)
    step = facts.current_step()
    if not (opinion or "").strip():
        raise DomainError("case.opinion_required", "请填写审查意见。")
    CaseStep.objects.filter(pk=step.pk).update(done_at=clock.now(), done_by=by, opinion=opinion.strip())
    apply_transition(case, "review", by=by, reason=opinion.strip(), payload={"step": step.name})
    return case


@transaction.atomic
def return_for_correction(case: Case, *, by: User, items: list[dict]) -> Case:
    """退回补正 during review: counts as a one-time notice; the clock stops until the supplement."""
    case = lock_case(case)
    permits.require(by, case, "return_for_correction")
    if not items:
        raise DomainError("case.notice_empty", "退回补正须列明需补正的全部材料。")
    rows = {m.material_id: m for m in case.materials.all()}
    for entry in items:
        row = rows.get(entry.get("material"))
        if row is None:
            raise DomainError("case.unknown_material", "退回补正的材料不属于该事项。")
        row.state, row.note = CaseMaterial.State.DEFECTIVE, notice_note(entry.get("note"), row.name)
    CaseMaterial.objects.bulk_update([rows[e["material"]] for e in items], ["state", "note"])
    fields = start_pause(case, by, Suspension.Kind.CORRECTION, "退回补正", None)
    apply_transition(case, "return_for_correction", by=by,
                     payload={"materials": [{"material": rows[e["material"]].name, "note": rows[e["material"]].note}
                                 for e in items]}, fields=fields)  # fmt: skip
    return case


@transaction.atomic
def decide(case: Case, *, by: User, approve: bool, reason: str = "", legal_basis: str = "") -> Case:
    """决定 (approve / deny with reasons); 办结. On-the-spot items are decided at the window the
    same day by the clerk who accepted them. A project's case denied: 否决报备 first."""
    case = lock_case(case)
    today = clock.today()
    permits.require(by, case, "decide")  # the clerk too for an on-the-spot item accepted today
    permits.require_state("decide", case, permits.Facts(case, today=today))
    if not approve and not (reason or "").strip():
        raise DomainError("case.denial_reason_required", "不予准予须写明理由。")
    vetoed = bool(case.project_code) and not approve
    filed = veto_filings.file(case, "decide", by=by, reason=reason, legal_basis=legal_basis) if vetoed else {}  # fmt: skip
    now = clock.now()
    opinion = (reason or "").strip() or ("准予" if approve else "")
    case.steps.filter(done_at__isnull=True).exclude(kind=CaseStep.Kind.AFTER).update(done_at=now, done_by=by,
                                                                                     opinion=opinion)  # fmt: skip
    close_case(case, Outcome.APPROVED if approve else Outcome.DENIED, today)
    apply_transition(case, "decide", by=by, reason=opinion, payload={"approve": approve, "on_time": case.on_time, **filed},
                     fields=CLOSE_FIELDS)  # fmt: skip
    return case
