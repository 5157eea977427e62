"""Generated history (生成的历史办件) for the deadline-risk forecast (issue 22): months of decided
cases of a hall's own catalog, written set-based (bulk inserts in batches, no per-case save()),
with patterns planted where the forecast must find them:

- a slow department: every step of its cases takes SLOW_DEPARTMENT× longer;
- a slow step: one named step of one item (of another department) takes SLOW_STEP× longer;
- a holiday effect: a step in progress when a long break comes (≥ HOLIDAY_RUN consecutive days off
  in the calendar: 春节, 国庆, 劳动节 …) takes extra working days after it — the backlog;
- a load effect: each department's volume varies by month, and its steps slow down with it.

A normal case usually closes within its promise (about one in twelve late overall). Everything
is drawn from random.Random(seed): the same arguments write the same cases. Dates are working
days of onewindow.workdays.calendar (the calendar must cover the period: seed_calendar).

Each case is consistent as the transitions would have left it: due_seq = seq(accepted_on) +
promised + extra (cases.clock_rules.deadline), the item version's steps (their due_seq counted as
transitions.start_clock does) done in order on working days by the department's staff, 特别程序
(Suspension) rows whose working days are the case's extra_days, and an audit chain of real
hashes (submit, accept, and decide when decided; cases.audit.build_event), so verify_audit and
the backup checks find every chain whole. Cases still undecided at `open_until` stay open (办理中)
with their later steps not done: the hall ends with a realistic open workload.

Numbers start with HISTORY_PREFIX and the seed (H1-00000001): never the hall's numbering
(371400-20261205-000016). Used by bench/forecast.py (large) and by seed_demo (small)."""

import datetime as dt
import math
import random
import time
from calendar import monthrange
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import transaction

from onewindow import clock, fastsql, pii
from onewindow.accounts import identity
from onewindow.accounts.models import Applicant, Department, Hall, Role, Staff, Window
from onewindow.cases import audit, transitions
from onewindow.cases.models import Case, CaseEvent, CaseStep, Channel, Outcome, Status, Suspension
from onewindow.catalog.models import ItemVersion, ServiceItem
from onewindow.errors import DomainError
from onewindow.workdays import calendar

HISTORY_PREFIX = "H"
DEMO_HALL = "371400-zwfw"
SLOW_DEPARTMENT = 1.8
SLOW_STEP = 3.0
HOLIDAY_RUN = 3  # consecutive days off that make a long break (a weekend is 2)
HOLIDAY_DAYS_PER_DAY_OFF = 0.35  # the backlog: extra working days per day of the break, on average
BASE_PACE = 0.53  # a step's median share of its planned days
CASE_SPREAD = 0.33  # log-normal sigma of a case's pace (the applicant, the file)
STEP_SPREAD = 0.25  # and of each step's
LOAD_SPREAD = (0.65, 1.45)  # a department's monthly volume factor
LOAD_SLOWDOWN = 0.5  # steps take 1 + LOAD_SLOWDOWN × (volume − 1) longer
SUSPENSION_SHARE = 0.04
DENIED_SHARE = 0.05
BATCH = 5000
SUSPENSION_KINDS = [
    (Suspension.Kind.EXPERT_REVIEW, "组织专家评审"),
    (Suspension.Kind.ON_SITE_SURVEY, "现场勘验"),
    (Suspension.Kind.TESTING, "委托检测"),
    (Suspension.Kind.PUBLIC_NOTICE, "依法公示"),
]


def prefix(seed: int) -> str:
    return f"{HISTORY_PREFIX}{seed}-"


def exists(seed: int = 1) -> bool:
    """Whether history of this seed is already in the database (seed_demo runs twice)."""
    return Case.objects.filter(number__startswith=prefix(seed)).exists()


# The demo's year (seed_demo): small enough to add a few seconds, enough for a forecast to learn.
DEMO_MONTHS, DEMO_PER_MONTH, DEMO_SEED = 12, 300, 1


def day_before(today: dt.date) -> dt.date:
    """The last working day before `today`: where a history up to today ends (nothing is decided
    later than now)."""
    k = calendar.seq(today)
    return calendar.date_of_seq(k - 1 if calendar.is_workday(today) else k)


def seed_demo(hall_code: str = DEMO_HALL) -> dict | None:
    """The demo hall's last DEMO_MONTHS months, ending with the working day before today, its
    undecided cases open (manage.py seed_demo). Once: None when already there or no such hall."""
    hall = Hall.objects.filter(code=hall_code).first()
    if hall is None or exists(DEMO_SEED):
        return None
    today = clock.today()
    return generate(start=shift_months(today, -DEMO_MONTHS), months=DEMO_MONTHS, per_month=DEMO_PER_MONTH,
                    seed=DEMO_SEED, hall=hall, open_until=day_before(today))  # fmt: skip


@dataclass
class Plan:
    """An item as the generator uses it: its current version and steps (order, name, role, kind,
    planned days), the kinds as transitions.start_clock gives them."""

    item_id: int
    code: str
    version_id: int
    department_id: int
    promised: int
    steps: list[tuple[int, str, str, str, int]]
    weight: float = 1.0


def _plans(hall: Hall) -> list[Plan]:
    versions = (
        ItemVersion.objects.filter(
            pk__in=ServiceItem.objects.filter(
                department__in=hall.departments.all(), current__isnull=False, withdrawn_at__isnull=True
            ).values("current_id"),
            promised_limit_days__gte=2,
        )
        .select_related("item")
        .prefetch_related("steps")
        .order_by("item__code")
    )
    plans = []
    for version in versions:
        steps = list(version.steps.all())
        kinds = transitions.step_kinds([s.role for s in steps])
        rows = [
            (i + 1, s.name, s.role, kind, s.days)
            for i, (s, kind) in enumerate(zip(steps, kinds, strict=True))
        ]
        if any(kind != CaseStep.Kind.AFTER for *_, kind, _ in rows):
            plans.append(Plan(version.item_id, version.item.code, version.pk, version.item.department_id,
                              version.promised_limit_days, rows))  # fmt: skip
    return plans


def holiday_runs(first: dt.date, last: dt.date) -> list[dict]:
    """The long breaks of the calendar between two dates: runs of ≥ HOLIDAY_RUN consecutive days
    off, each with the working-day ordinal it follows (`after_seq`)."""
    runs, run = [], []
    day = first
    while day <= last:
        if not calendar.is_workday(day):
            run.append(day)
        else:
            if len(run) >= HOLIDAY_RUN:
                runs.append(
                    {"first": run[0], "last": run[-1], "days": len(run), "after_seq": calendar.seq(run[0])}
                )
            run = []
        day += dt.timedelta(days=1)
    return runs


def shift_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` months later (earlier when negative), at most the month's last day."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, monthrange(year, month)[1]))


def _month_starts(start: dt.date, months: int) -> list[dt.date]:
    return [shift_months(start, m) for m in range(months + 1)]


COMPANIES = ["德州样例商贸有限公司", "德州样例建材有限公司", "德州样例餐饮管理有限公司", "德州样例物流有限公司",
             "德州样例科技有限公司", "德州样例建筑工程有限公司"]  # fmt: skip


def _applicants(hall: Hall, n: int = 24) -> list[int]:
    """A few applicants of the history (half companies, half residents, no portal account), made once."""
    ids = []
    for i in range(n):
        if i % 2:
            code = identity_credit(f"91371402MA3H{i:05d}")
            applicant = Applicant.objects.filter(kind=Applicant.Kind.LEGAL, credit_code=code).first()
            if applicant is None:
                applicant = Applicant.objects.create(
                    kind=Applicant.Kind.LEGAL, name=f"{COMPANIES[i // 2 % len(COMPANIES)]}（历史{i:02d}）",
                    credit_code=code, legal_representative="王样例", region=hall.region,
                )  # fmt: skip
        else:
            number = identity_id(f"37140219800101{i:03d}")
            applicant = Applicant.objects.filter(id_number_digest=pii.digest("id_number", number)).first()
            if applicant is None:
                applicant = Applicant.objects.create(
                    kind=Applicant.Kind.NATURAL,
                    name=f"样例申请人{i:02d}",
                    id_number=number,
                    region=hall.region,
                )
        ids.append(applicant.pk)
    return ids


def identity_credit(first17: str) -> str:
    return first17 + identity.credit_code_check_char(first17)


def identity_id(first17: str) -> str:
    return first17 + identity.id_number_check_char(first17)


def _staff(hall: Hall) -> tuple[dict, dict]:
    """Each department's user ids by role (who does its steps), and the hall's clerks."""
    by_department: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    clerks = []
    for user_id, department_id, role in (
        Staff.objects.filter(hall=hall, user__is_active=True)
        .order_by("pk")
        .values_list("user_id", "department_id", "role")
    ):
        if role == Role.CLERK:
            clerks.append(user_id)
        if department_id is not None:
            by_department[department_id][role].append(user_id)
            by_department[department_id]["*"].append(user_id)
    return by_department, clerks


def _lognormal(rng: random.Random, sigma: float) -> float:
    return math.exp(rng.gauss(0.0, sigma))


def _round(rng: random.Random, x: float) -> int:
    """Stochastic rounding: keeps the mean of small durations."""
    whole = int(x)
    return whole + (rng.random() < x - whole)


def _at(day: dt.date, minutes: int, tz) -> dt.datetime:
    """A time on a local working day (minutes after 08:30), in UTC as the database keeps it."""
    return dt.datetime.combine(day, dt.time(8, 30), tzinfo=tz).astimezone(dt.UTC) + dt.timedelta(
        minutes=minutes
    )


def generate(*, start: dt.date, months: int, per_month: int, seed: int = 1, hall: Hall | None = None,
             open_until: dt.date | None = None, events: bool = True, batch: int = BATCH) -> dict:  # fmt: skip
    """Writes `months` × `per_month` cases accepted from `start` on (fewer when `open_until`
    ends the period earlier: none is accepted after it), decided — or open at `open_until`.
    Returns the counts, the planted patterns and the late shares (see the module)."""
    t0 = time.perf_counter()
    hall = hall or Hall.objects.get(code=DEMO_HALL)
    if exists(seed):
        raise DomainError(
            "foresight.history_exists", f"编号前缀 {prefix(seed)} 的历史办件已存在，请换一个种子或先清除。"
        )
    plans = _plans(hall)
    if len(plans) < 3:
        raise DomainError(
            "foresight.history_no_items",
            "该中心可用于生成历史的事项不足（需有审查/决定环节、承诺时限≥2个工作日）。",
        )
    rng = random.Random(seed)
    tz = clock.hall_tz()
    cal = calendar.current()
    bounds = _month_starts(start, months)
    end = bounds[-1] - dt.timedelta(days=1)
    if open_until is not None:
        end = min(end, open_until)
    open_seq = calendar.seq(open_until) if open_until is not None else None

    # The planted patterns: a department with several items; a step of an item of another one.
    counts = Counter(p.department_id for p in plans)
    candidates = sorted(d for d, n in counts.items() if n >= 3) or sorted(counts)
    slow_department = rng.choice(candidates)
    others = [p for p in plans if p.department_id != slow_department and
              any(k == CaseStep.Kind.REVIEW for *_, k, _ in p.steps)]  # fmt: skip
    slow_plan = rng.choice(others or plans)
    slow_order, slow_name = max(((o, n, d) for o, n, _, k, d in slow_plan.steps if k != CaseStep.Kind.AFTER),
                                key=lambda s: (s[2], -s[0]))[:2]  # fmt: skip
    for p in plans:
        p.weight = _lognormal(rng, 0.6)
    slow_plan.weight = max(slow_plan.weight, 1.5)  # enough of its cases to see the step

    runs = holiday_runs(start - dt.timedelta(days=1), min(cal.last, end + dt.timedelta(days=400)))
    break_after = {r["after_seq"]: r["days"] for r in runs}
    departments = sorted({p.department_id for p in plans})
    load = {(d, m): rng.uniform(*LOAD_SPREAD) for d in departments for m in range(months)}
    staff, clerks = _staff(hall)
    anyone = Staff.objects.filter(hall=hall).order_by("pk").values_list("user_id", flat=True).first()
    windows = dict(
        Window.departments.through.objects.filter(window__hall=hall, window__kind=Window.Kind.DEPARTMENTAL)
        .order_by("window_id")
        .values_list("department_id", "window_id")
    )
    applicants = _applicants(hall)
    number_prefix = prefix(seed)

    cases, steps_of, suspensions_of, flags = [], [], [], []
    n = 0
    for m in range(months):
        first, after = bounds[m], bounds[m + 1]
        days = [d for d in (first + dt.timedelta(days=i) for i in range((after - first).days))
                if d <= end and cal.is_workday(d)]  # fmt: skip
        if not days:
            continue
        weights = [p.weight * load[(p.department_id, m)] for p in plans]
        for plan in rng.choices(plans, weights=weights, k=per_month):
            accepted_on = rng.choice(days)
            n += 1
            row, steps, suspension, flag = _simulate(rng, plan, accepted_on, load[(plan.department_id, m)],
                                                     slow_department, (slow_plan.item_id, slow_order), break_after,
                                                     open_seq, cal)  # fmt: skip
            row["number"] = f"{number_prefix}{n:08d}"
            cases.append((plan, row))
            steps_of.append(steps)
            suspensions_of.append(suspension)
            flags.append(flag)
    t_sim = time.perf_counter() - t0

    written = _write(cases, steps_of, suspensions_of, hall, (staff, clerks, anyone), windows, applicants, rng, tz,
                     events, batch)  # fmt: skip
    elapsed = time.perf_counter() - t0

    closed = [(f, row) for f, (_, row) in zip(flags, cases, strict=True) if row["closed_seq"] is not None]

    def share(rows):
        return round(sum(r["closed_seq"] > r["due_seq"] for _, r in rows) / len(rows), 4) if rows else None

    groups = {
        "slow_department": [c for c in closed if c[0]["department"]],
        "slow_step": [c for c in closed if c[0]["step"]],
        "holiday": [c for c in closed if c[0]["holiday"]],
    }
    rest = [c for c in closed if not any(c[0].values())]
    department = Department.objects.get(pk=slow_department)
    return {
        "cases": len(cases),
        "closed": len(closed),
        "open": len(cases) - len(closed),
        **written,
        "prefix": number_prefix,
        "first_accepted": min((r["accepted_on"] for _, r in cases), default=None),
        "last_accepted": max((r["accepted_on"] for _, r in cases), default=None),
        "slow_department": {"id": department.pk, "name": department.name, "factor": SLOW_DEPARTMENT},
        "slow_step": {
            "item": slow_plan.code,
            "item_id": slow_plan.item_id,
            "order": slow_order,
            "step": slow_name,
            "factor": SLOW_STEP,
        },  # fmt: skip
        "holiday_runs": [
            {"first": r["first"].isoformat(), "last": r["last"].isoformat(), "days": r["days"]}
            for r in runs
            if start <= r["first"] <= end
        ],  # fmt: skip
        "late_share": share(closed),
        "late_share_by_group": {name: share(rows) for name, rows in groups.items()},
        "late_share_rest": share(rest),
        "group_sizes": {name: len(rows) for name, rows in groups.items()} | {"rest": len(rest)},
        "simulate_s": round(t_sim, 3),
        "seconds": round(elapsed, 3),
    }


def _simulate(rng, plan: Plan, accepted_on, load, slow_department, slow_step, break_after, open_seq, cal):
    """One case on working-day ordinals: (case columns, step rows, suspension or None, flags)."""
    a = cal.seq(accepted_on)
    promised = plan.promised
    pace = BASE_PACE * _lognormal(rng, CASE_SPREAD) * (1 + LOAD_SLOWDOWN * (load - 1))
    in_slow_department = plan.department_id == slow_department
    if in_slow_department:
        pace *= SLOW_DEPARTMENT
    work = [s for s in plan.steps if s[3] != CaseStep.Kind.AFTER]
    suspend_at = rng.randrange(len(work)) if rng.random() < SUSPENSION_SHARE and promised >= 5 else None
    suspension = None
    cursor, extra, done = a, 0, []
    slow_step_hit = False
    for i, (order, *_rest, planned) in enumerate(work):
        factor = pace * _lognormal(rng, STEP_SPREAD)
        if (plan.item_id, order) == slow_step:
            factor *= SLOW_STEP
            slow_step_hit = True
        duration = _round(rng, max(planned, 1) * factor)
        if i == suspend_at:
            started = cursor + rng.randint(0, duration)
            days = rng.randint(3, 15)
            if open_seq is None or started + days <= open_seq:  # an open case's pause has ended
                kind, reason = rng.choice(SUSPENSION_KINDS)
                suspension = {"kind": kind, "reason": reason, "started_seq": started, "days": days}
                extra += days
                duration += days
        # The backlog after a long break in progress during the step (or right at its start).
        for k in range(cursor, cursor + max(duration, 1)):
            if k in break_after:
                duration += _round(rng, break_after[k] * HOLIDAY_DAYS_PER_DAY_OFF * rng.uniform(0.5, 1.5))
                break
        cursor += duration
        done.append(cursor)
    due_seq = a + promised + extra
    holiday = any(k in break_after for k in range(a, due_seq))
    decided = open_seq is None or cursor <= open_seq
    received_back = rng.choice((0, 0, 0, 0, 1, 1, 2))
    received_on = cal.date_of_seq(max(1, a - received_back))
    row = {
        "accepted_on": accepted_on,
        "accepted_seq": a,
        "received_on": received_on,
        "promised_days": promised,
        "extra_days": extra,
        "due_seq": due_seq,
        "due_on": cal.date_of_seq(due_seq),
        "closed_seq": cursor if decided else None,
        "denied": rng.random() < DENIED_SHARE,
    }
    steps = []
    for j, (order, name, role, kind, _) in enumerate(plan.steps):
        if j < len(done):
            finished = done[j]
        else:  # 制证, 拨付 … after the decision: a day or two
            finished = cursor + rng.randint(0, 2) if kind == CaseStep.Kind.AFTER else None
        if open_seq is not None and finished is not None and finished > open_seq:
            finished = None
        steps.append((order, name, role, kind, finished))
    flags = {"department": in_slow_department, "step": slow_step_hit, "holiday": holiday and not in_slow_department
             and not slow_step_hit}  # fmt: skip
    return row, steps, suspension, flags


def _write(cases, steps_of, suspensions_of, hall, people_of, windows, applicants, rng, tz, events, batch):
    """The rows, in batches: cases, then (their ids read back by number) their steps, suspensions
    and events."""
    staff, clerks, anyone = people_of
    n_steps = n_suspensions = n_events = 0
    channels = [Channel.WINDOW] * 6 + [Channel.PORTAL] * 3 + [Channel.AGENT]
    cal = calendar.current()
    region = hall.region_id
    for lo in range(0, len(cases), batch):
        case_rows, extras = [], []
        for k, (plan, row) in enumerate(cases[lo : lo + batch], start=lo):
            channel = rng.choice(channels)
            received_at = _at(row["received_on"], rng.randint(0, 420), tz)
            accepted_at = (
                received_at + dt.timedelta(minutes=rng.randint(5, 40))
                if row["received_on"] == row["accepted_on"]
                else _at(row["accepted_on"], rng.randint(0, 120), tz)
            )
            people = staff.get(plan.department_id, {})
            clerk = rng.choice(clerks) if clerks and channel != Channel.PORTAL else None
            accepter = clerk or (rng.choice(people["*"]) if people.get("*") else None)
            pauser = rng.choice(people["*"]) if people.get("*") else accepter or anyone
            case = {
                "number": row["number"], "item_id": plan.item_id, "item_version_id": plan.version_id,
                "department_id": plan.department_id, "applicant_id": rng.choice(applicants), "hall_id": hall.pk,
                "window_id": windows.get(plan.department_id) if channel == Channel.WINDOW else None,
                "region_code": region, "channel": channel, "received_at": received_at,
                "received_on": row["received_on"], "intake_from": row["received_on"], "accepted_on": row["accepted_on"],
                "promised_days": row["promised_days"], "extra_days": row["extra_days"], "due_seq": row["due_seq"],
                "due_on": row["due_on"], "status": Status.IN_REVIEW, "event_count": 0, "last_hash": "",
            }  # fmt: skip
            chain = []
            if events:
                _event(case, chain, received_at, clerk, "submit", "", Status.SUBMITTED, {"channel": channel})
                _event(case, chain, accepted_at, accepter, "accept", Status.SUBMITTED, Status.IN_REVIEW,
                       {"due_on": row["due_on"].isoformat()})  # fmt: skip
            step_rows, last, planned = [], accepted_at, row["accepted_seq"]
            for order, name, role, kind, finished in steps_of[k]:
                planned += plan.steps[order - 1][4]  # a step's due_seq as transitions.start_clock counts it
                who = people.get(role) or people.get("*")
                done_at = None
                if finished is not None:
                    done_at = _at(cal.date_of_seq(finished), rng.randint(0, 450), tz)
                    if done_at <= last:
                        done_at = last + dt.timedelta(minutes=rng.randint(3, 30))
                    last = done_at
                    if kind == CaseStep.Kind.DECIDE and row["closed_seq"] is not None:
                        decided_at = done_at
                step_rows.append({"order": order, "name": name, "role": role, "kind": kind, "due_seq": planned,
                                  "done_at": done_at, "done_by_id": rng.choice(who) if who and done_at else None})  # fmt: skip
            if row["closed_seq"] is not None:
                case.update(status=Status.CLOSED, outcome=Outcome.DENIED if row["denied"] else Outcome.APPROVED,
                            decided_at=decided_at, closed_at=decided_at, closed_on=decided_at.astimezone(tz).date(),
                            closed_seq=row["closed_seq"])  # fmt: skip
                if events:
                    head = people.get(Role.DEPARTMENT_HEAD) or people.get("*")
                    _event(case, chain, decided_at, rng.choice(head) if head else None, "decide", Status.IN_REVIEW,
                           Status.CLOSED, {"approve": not row["denied"], "on_time": row["closed_seq"] <= row["due_seq"]})  # fmt: skip
            case_rows.append(case)
            extras.append((step_rows, chain, pauser, suspensions_of[k]))
        with transaction.atomic():
            fastsql.copy_rows(Case, case_rows)
            ids = dict(
                Case.objects.filter(number__gte=case_rows[0]["number"], number__lte=case_rows[-1]["number"])
                .values_list("number", "pk")
                .iterator(chunk_size=batch)
            )
            step_objs, sus_objs, event_objs = [], [], []
            for case, (step_rows, chain, pauser, suspension) in zip(case_rows, extras, strict=True):
                pk = ids[case["number"]]
                for r in step_rows:
                    r["case_id"] = pk
                step_objs.extend(step_rows)
                if suspension is not None:
                    sus_objs.append({
                        "case_id": pk, "kind": suspension["kind"], "reason": suspension["reason"],
                        "expected_days": suspension["days"], "started_on": cal.date_of_seq(suspension["started_seq"]),
                        "ended_on": cal.date_of_seq(suspension["started_seq"] + suspension["days"]),
                        "days": suspension["days"], "started_by_id": pauser,
                    })  # fmt: skip
                for e in chain:
                    e["case_id"] = pk
                event_objs.extend(chain)
            fastsql.copy_rows(CaseStep, step_objs)
            fastsql.copy_rows(Suspension, sus_objs)
            fastsql.copy_rows(CaseEvent, event_objs)
        n_steps += len(step_objs)
        n_suspensions += len(sus_objs)
        n_events += len(event_objs)
    return {"steps": n_steps, "suspensions": n_suspensions, "events": n_events}


def _event(case: dict, chain: list, at, actor_id, action, from_status, to_status, payload) -> None:
    """The next event of the case's chain, hashed as cases.audit does (event_hash); advances the
    head on the case's row."""
    seq = case["event_count"] + 1
    digest = audit.event_hash(case["last_hash"], case["number"], seq, at, actor_id, action, from_status, to_status,
                              "", payload)  # fmt: skip
    chain.append({"seq": seq, "at": at, "actor_id": actor_id, "action": action, "from_status": from_status,
                  "to_status": to_status, "reason": "", "payload": payload, "prev_hash": case["last_hash"],
                  "hash": digest})  # fmt: skip
    case["event_count"], case["last_hash"] = seq, digest
