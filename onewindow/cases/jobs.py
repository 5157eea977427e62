"""Jobs over many cases: art. 32 auto-acceptance (periodic) and deadline recomputation after a
calendar change (called by onewindow.web.calendar_changes). Each selects its cases with one
indexed query, then gives every case found its own locked transition and audit event through
the same machinery as the services."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.cases import clock_rules
from onewindow.cases.models import OPEN_STATUSES, Case, CaseStep, Status
from onewindow.cases.transitions import CLOCK_FIELDS, apply_transition, lock_case, start_clock
from onewindow.errors import DomainError
from onewindow.workdays import calendar
from onewindow.workdays import queries as workdays

S = Status


def auto_accept_overdue_intake(today: dt.date | None = None) -> int:
    """行政许可法 art. 32: an application neither decided nor noticed within 5 working days of
    receipt counts as accepted from the day it was received — after a supplement, the day the
    supplement arrived (`intake_from`). The selection is one indexed query (status,
    intake_from); each case found then gets its own transition and audit event."""
    today = today or clock.today()
    latest_receipt = calendar.add_workdays(today, -settings.ONEWINDOW_INTAKE_ANSWER_DAYS)
    # A child of a 一件事 whose application got a one-time notice has had its written answer (the
    # notice covers the whole application, decision 8), even if it asks none of the materials.
    noticed_sibling = Case.objects.filter(
        bundle_number=OuterRef("bundle_number"), status=S.SUPPLEMENT_REQUESTED
    ).exclude(bundle_number="")
    overdue = (
        Case.objects.filter(status=S.SUBMITTED, intake_from__lt=latest_receipt)
        .exclude(Exists(noticed_sibling))
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in overdue.iterator():
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.status != S.SUBMITTED:
                continue
            steps = start_clock(case, case.intake_from)
            # 视为受理 is no window's acceptance: the window it was received at is not the 受理窗口.
            case.window = None
            apply_transition(case, "auto_accept", by=None, reason="行政许可法第三十二条：逾期未作出受理决定，自收到申请（补正材料）之日起即为受理",
                             payload={"accepted_on": case.accepted_on.isoformat(), "due_on": case.due_on.isoformat()},
                             fields=[*CLOCK_FIELDS, "window"], also=[steps])  # fmt: skip
            done += 1
    return done


def recompute_deadlines(since: dt.date, *, by: User | None) -> list[str]:
    """After a calendar change from `since` on (issue 13 rule 7; called by the shell's
    calendar_changes in the change's transaction): open cases get due_seq/due_on recomputed from
    their accepted day, promised and extra days. The selection is one query over the open cases'
    partial index that computes the new deadline in SQL and keeps only the cases it moves; a case
    whose date moved gets its locked transition and audit event 'recompute_deadline' (and, by
    notify's rule for that event, one SMS); a case whose date stayed but whose ordinal shifted (a
    change before its acceptance) and the ordinals of its steps are updated set-based.
    Returns the numbers of the cases whose date moved."""
    try:
        # Ordinals before `since` did not change: a deadline on or after `since` has one ≥ this.
        floor = calendar.seq(since - dt.timedelta(days=1))
    except DomainError:
        floor = 0
    due_seq, due_on = clock_rules.deadline_expressions()
    rows = list(
        Case.objects.filter(status__in=OPEN_STATUSES, due_seq__gte=floor)
        .annotate(new_due_seq=due_seq)
        .annotate(new_due_on=due_on)
        .filter(~Q(new_due_seq=F("due_seq")) | ~Q(new_due_on=F("due_on")))
        .values_list("pk", "due_seq", "due_on", "new_due_seq", "new_due_on")
    )
    by_delta: dict[int, list[int]] = {}
    for pk, old_seq, _, new_seq, _ in rows:
        by_delta.setdefault(new_seq - old_seq, []).append(pk)
    for delta, pks in by_delta.items():  # a step's ordinal is seq(accepted_on) + its days: same shift
        CaseStep.objects.filter(case_id__in=pks).update(due_seq=F("due_seq") + delta)
    same_date = [pk for pk, _, old_on, _, new_on in rows if old_on == new_on]
    if same_date:
        Case.objects.filter(pk__in=same_date).update(due_seq=workdays.seq_of(OuterRef("due_on")))
    moved = []
    for pk, _, old_on, _, new_on in rows:
        if old_on == new_on:
            continue
        case = lock_case(Case(pk=pk))  # then the one rule again, on the locked row
        if case.status not in OPEN_STATUSES:
            continue
        old_on = case.due_on
        case.due_seq, case.due_on = clock_rules.deadline(
            case.accepted_on, case.promised_days, case.extra_days
        )
        if case.due_on == old_on:
            continue
        apply_transition(case, "recompute_deadline", by=by, reason="工作日历调整",
                         payload={"from": old_on.isoformat(), "to": case.due_on.isoformat()}, fields=["due_seq", "due_on"])  # fmt: skip
        moved.append(case.number)
    return moved
