"""Generated cases for the roll-up tests: bulk-created day by day as the hall would record them
(receipt, acceptance — some back-dated by art. 32 —, closing), so that the periodic refresh can
run at the end of each simulated day."""

import datetime as dt
import random
from dataclasses import dataclass, field

from onewindow import clock
from onewindow.cases.models import Case, CaseEvent, Outcome, Status, Suspension
from onewindow.workdays import calendar


@dataclass
class Plan:
    number: str
    item: object
    received_on: dt.date
    officer: object = None
    accepted_on: dt.date | None = None
    accept_recorded: dt.date | None = None  # the day the acceptance is written (later when back-dated)
    promised: int = 0
    paused: int = 0
    closed_on: dt.date | None = None
    outcome: str = ""
    refused: bool = False
    window: object = None  # the window it was received at (Case.window)
    accepted_window: object = None  # the window its acceptance was given at (None: it stays)
    extra: dict = field(default_factory=dict)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.hall_tz())


def plans(world, items, start: dt.date, days: int, count: int, seed: int = 16) -> list[Plan]:
    rnd = random.Random(seed)
    officers = [world.clerk, world.reviewer_a, world.reviewer_b]
    windows = [world.window_1, world.window_a, None]
    placed = random.Random(seed + 1)  # the windows apart, so the other draws stay as they were
    result = []
    for i in range(count):
        received = start + dt.timedelta(days=rnd.randrange(days))
        p = Plan(number=f"T{seed:02d}{i:07d}", item=rnd.choice(items), received_on=received)
        roll = rnd.random()
        if roll < 0.05:
            p.refused = True
        elif roll < 0.10:  # art. 32: accepted from the day received, recorded 5 working days later
            p.accepted_on, p.accept_recorded = received, calendar.add_workdays(received, 5)
        elif roll < 0.95:
            p.accepted_on = p.accept_recorded = received + dt.timedelta(days=rnd.choice([0, 0, 0, 1, 2]))
            p.officer = rnd.choice(officers)
        if p.accepted_on:
            p.promised = rnd.choice([0, 3, 5, 10])
            p.paused = rnd.choice([0] * 9 + [2])
            if rnd.random() < 0.85:
                lag = 0 if p.promised == 0 and rnd.random() < 0.7 else rnd.randrange(0, 20)
                p.closed_on = max(
                    p.accept_recorded,
                    p.accepted_on + dt.timedelta(days=lag),
                    calendar.add_workdays(p.accepted_on, p.paused),
                )  # paused days pass first
                p.outcome = rnd.choice([Outcome.APPROVED] * 8 + [Outcome.DENIED, Outcome.WITHDRAWN])
        p.window = placed.choice(windows)
        if p.officer is not None and placed.random() < 0.2:  # accepted at another window
            p.accepted_window = placed.choice(windows[:2])
        result.append(p)
    return result


def record_day(day: dt.date, todo: list[Plan], world, cases: dict[str, Case]) -> None:
    """Writes what happened on `day`: receipts, acceptances recorded that day, closings."""
    new = [
        Case(
            number=p.number,
            item=p.item,
            item_version=p.item.current,
            department=p.item.department,
            applicant=world.alice_applicant,
            hall=world.hall,
            region_code=world.district.code,
            channel="window",
            window=p.window,
            status=Status.SUBMITTED,
            received_at=at(day),
            received_on=day,
            intake_from=day,
            promised_days=p.item.current.promised_limit_days,
        )  # fmt: skip
        for p in todo
        if p.received_on == day
    ]
    for c in Case.objects.bulk_create(new):
        cases[c.number] = c
    accepted, events, closed, refused, pauses = [], [], [], [], []
    for p in todo:
        c = cases.get(p.number)
        if p.refused and p.received_on == day:
            c.status, c.outcome, c.closed_at = Status.REFUSED, Outcome.REFUSED, at(day, 11)
            refused.append(c)
        if p.accept_recorded == day:
            c.status, c.accepted_on, c.promised_days, c.extra_days = (
                Status.IN_REVIEW,
                p.accepted_on,
                p.promised,
                p.paused,
            )
            c.due_seq = calendar.seq(p.accepted_on) + p.promised + p.paused
            c.due_on = calendar.date_of_seq(c.due_seq) if p.promised + p.paused else p.accepted_on
            if p.officer is None:  # 视为受理 (art. 32): no window's acceptance
                c.window = None
            elif p.accepted_window is not None:
                c.window = p.accepted_window
            accepted.append(c)
            events.append(CaseEvent(case=c, seq=1, at=at(day), actor=p.officer, action="accept",
                                    from_status=Status.SUBMITTED, to_status=Status.IN_REVIEW, hash=p.number))  # fmt: skip
        if p.closed_on == day:
            c.status, c.outcome, c.closed_at, c.closed_on = Status.CLOSED, p.outcome, at(day, 16), day
            c.closed_seq = calendar.seq(day)
            closed.append(c)
            if p.paused:
                pauses.append(Suspension(case=c, kind="hearing", reason="听证", started_on=p.accepted_on,
                                         ended_on=p.accepted_on, days=p.paused, started_by=world.reviewer_a))  # fmt: skip
    Case.objects.bulk_update(refused, ["status", "outcome", "closed_at"])
    Case.objects.bulk_update(
        accepted, ["status", "accepted_on", "promised_days", "extra_days", "due_seq", "due_on", "window"]
    )
    CaseEvent.objects.bulk_create(events)
    Case.objects.bulk_update(closed, ["status", "outcome", "closed_at", "closed_on", "closed_seq"])
    Suspension.objects.bulk_create(pauses)
