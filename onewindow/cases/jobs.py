"""Jobs over many cases: art. 32 auto-acceptance (periodic) and deadline recomputation after a
calendar change (hook). Each selects its cases with one indexed query, then gives every case
found its own locked transition and audit event through the same machinery as the services."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.cases import clock_rules
from onewindow.cases.models import OPEN_STATUSES, Case, Status
from onewindow.cases.services import CLOCK_FIELDS, _move, _start_clock
from onewindow.workdays import calendar

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
            steps = _start_clock(case, case.intake_from)
            _move(case, "auto_accept", by=None, reason="行政许可法第三十二条：逾期未作出受理决定，自收到申请（补正材料）之日起即为受理",
                  payload={"accepted_on": case.accepted_on.isoformat(), "due_on": case.due_on.isoformat()},
                  fields=CLOCK_FIELDS, also=[steps])  # fmt: skip
            done += 1
    return done


def recompute_deadlines(since: dt.date, *, by: User | None) -> int:
    """After a calendar change: open cases whose deadline lies on or after `since` get
    due_seq/due_on recomputed from their accepted day, promised and extra days; each change is
    recorded on the case. Runs in the calendar change's transaction."""
    changed = 0
    for case in Case.objects.select_for_update().filter(status__in=OPEN_STATUSES, due_on__gte=since):
        due_seq, due_on = clock_rules.deadline(case.accepted_on, case.promised_days, case.extra_days)
        if (due_seq, due_on) == (case.due_seq, case.due_on):
            continue
        old = case.due_on
        case.due_seq, case.due_on = due_seq, due_on
        _move(case, "recompute_deadline", by=by, reason="工作日历调整",
              payload={"from": old.isoformat(), "to": due_on.isoformat()}, fields=["due_seq", "due_on"])  # fmt: skip
        changed += 1
    return changed
