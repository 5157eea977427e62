"""容缺受理's promise (RULES.md "Acceptance outcomes at the window": a missed promise date is a
supervision event). The periodic job records each case whose applicant promised to supply the
tolerated materials by a date now passed, and has not: one audit event `tolerance_overdue` per
case, against it, which supervision reads from the audit trail (action, the promised date, the
materials still owed). The promise day itself still belongs to the applicant."""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef

from onewindow import clock
from onewindow.cases.models import OPEN_STATUSES, Case, CaseEvent, CaseMaterial
from onewindow.cases.transitions import apply_transition, lock_case

ACTION = "tolerance_overdue"


def promised():
    """The open cases with a promise still running or missed: a promise date, a tolerated
    material still owed (what supervision watches, and what `overdue` narrows)."""
    owed = CaseMaterial.objects.filter(case=OuterRef("pk"), state=CaseMaterial.State.TOLERATED)
    return Case.objects.filter(tolerance_due_on__isnull=False, status__in=OPEN_STATUSES).filter(Exists(owed))


def overdue(today: dt.date):
    """The cases to record, in one query on the partial index `case_tolerance_due`: a promise date
    before today, still open, a tolerated material still owed, and no record yet."""
    recorded = CaseEvent.objects.filter(case=OuterRef("pk"), action=ACTION)
    return promised().filter(tolerance_due_on__lt=today).exclude(Exists(recorded))


def record_missed_promises(today: dt.date | None = None) -> int:
    """Appends the event once per case (idempotent: a recorded case is no longer selected, and
    the check is repeated under the case's lock); returns how many were recorded."""
    today = today or clock.today()
    done = 0
    for pk in overdue(today).values_list("pk", flat=True).iterator():
        with transaction.atomic():
            case = lock_case(Case(pk=pk))
            owed = list(
                case.materials.filter(state=CaseMaterial.State.TOLERATED).values_list("name", flat=True)
            )
            if case.status not in OPEN_STATUSES or not owed or case.events.filter(action=ACTION).exists():
                continue
            apply_transition(case, ACTION, by=None, reason=f"申请人未按承诺于{case.tolerance_due_on.isoformat()}前补齐容缺材料",
                             payload={"supply_by": case.tolerance_due_on.isoformat(), "materials": owed})  # fmt: skip
            done += 1
    return done
