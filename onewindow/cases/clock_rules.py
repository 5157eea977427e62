"""The case clock on working-day ordinals (ARCHITECTURE.md "The case clock"; RULES.md
"Working days and deadlines"; "Supervision" for the lights).

- deadline: due_seq = seq(accepted_on) + promised days + extra days (suspensions, extensions);
- remaining working days = due_seq − seq(today): an integer comparison the database indexes;
- light: red when overdue; yellow when remaining ≤ max(1, 20% of the promised days); green
  otherwise; a case whose clock is stopped shows the light it had, frozen.
"""

import datetime as dt
import time

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import (
    CharField,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Greatest
from django.db.models.lookups import Exact, LessThan, LessThanOrEqual

from onewindow.workdays import calendar
from onewindow.workdays import queries as workdays


def deadline(accepted_on: dt.date, promised_days: int, extra_days: int = 0) -> tuple[int, dt.date]:
    """(due_seq, due_on). The day of acceptance is not counted (art. 82 and RULES.md); an
    on-the-spot item (0 days) is due the day it was accepted."""
    due_seq = calendar.seq(accepted_on) + promised_days + extra_days
    if promised_days + extra_days == 0:
        return due_seq, accepted_on
    return due_seq, calendar.date_of_seq(due_seq)


def deadline_expressions(
    accepted: str = "accepted_on", promised: str = "promised_days", extra: str | None = "extra_days"
):
    """`deadline` in SQL over the rows of a statement (a calendar change recomputes them set-based):
    (due_seq, due_on) as expressions; due_on refers to the row's `new_due_seq` annotation."""
    days = F(promised) + F(extra) if extra else F(promised)
    due_seq = ExpressionWrapper(workdays.seq_of(OuterRef(accepted)) + days, output_field=IntegerField())
    on_the_spot = Q(**{promised: 0}, **({extra: 0} if extra else {}))
    due_on = When_(When(on_the_spot, then=F(accepted)), default=workdays.date_of(OuterRef("new_due_seq")),
                   output_field=DateField())  # fmt: skip
    return due_seq, due_on


# A hall's row, per process, for THRESHOLDS_TTL_S: the case API answers a light with every
# transition, and a query per answer cost ~9% of an intake's CPU (bench/intake_instructions.py).
# A change made in the admin applies at once in the process that saved it (supervision.admin
# forgets the cache) and within the TTL in the others.
THRESHOLDS_TTL_S = 60.0
_rows: dict[int, tuple[float, tuple[int, int] | None]] = {}


def forget_thresholds() -> None:
    _rows.clear()


def thresholds(hall_id: int | None) -> tuple[int, int]:
    """(yellow percent, minimum days) of a hall: its SupervisionSettings row, else the settings."""
    from onewindow.cases.models import SupervisionSettings

    row = None
    if hall_id is not None:
        now = time.monotonic()
        cached = _rows.get(hall_id)
        if cached is not None and cached[0] > now:
            row = cached[1]
        else:
            row = (
                SupervisionSettings.objects.filter(hall_id=hall_id)
                .values_list("yellow_percent", "yellow_min_days")
                .first()
            )
            _rows[hall_id] = (now + THRESHOLDS_TTL_S, row)
    return row or (settings.ONEWINDOW_YELLOW_LIGHT_PERCENT, 1)


def yellow_threshold(promised_days: int, percent: int | None = None, min_days: int = 1) -> int:
    percent = settings.ONEWINDOW_YELLOW_LIGHT_PERCENT if percent is None else percent
    return max(min_days, promised_days * percent // 100)


def light(due_seq: int, promised_days: int, today_seq: int, hall_id: int | None = None) -> str:
    """The light of a clock; `hall_id`: the case's hall, whose thresholds apply (a hall's row
    in SupervisionSettings, else the settings)."""
    remaining = due_seq - today_seq
    if remaining < 0:
        return "red"
    percent, min_days = thresholds(hall_id) if hall_id is not None else (None, 1)
    if remaining <= yellow_threshold(promised_days, percent, min_days):
        return "yellow"
    return "green"


def _threshold(limit_days, hall):
    """max(min days, limit × percent) in SQL, with the thresholds of the row's hall (an expression
    for its id; SupervisionSettings), else the settings. The halls' rows (a few, one per hall) are
    read once here and go into the statement as constants by hall: as a correlated subquery they
    were two index look-ups per row (bench/supervision.py: 2–3.5 s per query over 300,000 open
    cases, most of the dashboard's time)."""
    from onewindow.cases.models import SupervisionSettings

    rows = list(SupervisionSettings.objects.values_list("hall_id", "yellow_percent", "yellow_min_days"))
    default_percent = Value(settings.ONEWINDOW_YELLOW_LIGHT_PERCENT)
    if rows:
        percent = When_(*(When(Exact(hall, Value(h)), then=Value(p)) for h, p, _ in rows),
                        default=default_percent, output_field=IntegerField())  # fmt: skip
        min_days = When_(*(When(Exact(hall, Value(h)), then=Value(m)) for h, _, m in rows),
                         default=Value(1), output_field=IntegerField())  # fmt: skip
    else:
        percent, min_days = default_percent, Value(1)
    return Greatest(min_days, Cast(limit_days * percent / 100, IntegerField()))


def deadline_whens(today_seq: int, *, due_seq=None, limit_days=None, hall=None) -> list[When]:
    """The rule above in SQL for any clock given as a (due_seq, limit_days) pair of expressions
    of the row and the hall whose thresholds apply (an expression for its id, default the row's
    hall_id): red when due_seq < today, yellow when due_seq ≤ today + max(min days, limit ×
    percent), else none (green). A case, a stage, an opinion, a check or a delivery: the one
    definition."""
    due_seq = F("due_seq") if due_seq is None else due_seq
    limit_days = F("promised_days") if limit_days is None else limit_days
    threshold = _threshold(limit_days, F("hall_id") if hall is None else hall)
    return [
        When(LessThan(due_seq, Value(today_seq)), then=Value("red")),
        When(LessThanOrEqual(due_seq, Value(today_seq) + threshold), then=Value("yellow")),
    ]


def deadline_light(today_seq: int, *, due_seq=None, limit_days=None, hall=None):
    """`deadline_whens` as the light: red, yellow or green."""
    whens = deadline_whens(today_seq, due_seq=due_seq, limit_days=limit_days, hall=hall)
    return When_(*whens, default=Value("green"), output_field=CharField())


def light_expression(today_seq: int):
    """SQL for the light of each case (set-based; used by the inbox and supervision): a stopped
    clock keeps its frozen light, else `deadline_whens` with the case's promised days and hall."""
    from onewindow.cases.models import CLOCK_STOPPED

    return When_(
        When(Q(status__in=CLOCK_STOPPED) & ~Q(frozen_light=""), then=F("frozen_light")),
        *deadline_whens(today_seq),
        default=Value("green"),
        output_field=CharField(),
    )


def red_parts(today_seq: int) -> tuple[Q, Q]:
    """Two disjoint filters whose union keeps every case `light_expression` makes red: a clock
    past its deadline (the first keeps a few more, stopped clocks frozen yellow or green: the
    caller still filters on the light), and a stopped clock frozen at red before its deadline.
    Each is a range of an index (case_open_hall_lights; case_stopped_red), where their OR was a
    scan of the whole index over a hall's 300,000 open cases (decision 34)."""
    from onewindow.cases.models import CLOCK_STOPPED

    past = Q(due_seq__lt=today_seq)
    return past, Q(status__in=CLOCK_STOPPED, frozen_light="red") & ~past
