"""What the forecast knows about a case on a given working day (issue 22; decision 51).

A *snapshot* is a case as it stood at the end of working day `s` (an ordinal of the calendar,
ARCHITECTURE.md "The case clock"): the step it was in and for how long, the working days left
to its deadline, its department's load that day, the days it had been paused, and whether a
long holiday lay between `s` and the deadline. The forecast learns from snapshots of decided
cases (every working day each was open and not yet late) and scores one snapshot per open case:
today's. The same functions build both, so what is learned is what is scored.

Everything is computed on numpy arrays of all the cases at once — a few grouped reads from the
database, then vector arithmetic — never a Python loop over cases (bench/forecast.py measures it).
"""

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count
from django.db.models.functions import TruncDate

from onewindow import clock
from onewindow.accounts.models import Role, Staff
from onewindow.cases.models import OPEN_STATUSES, Case, CaseStep, Outcome, Suspension
from onewindow.workdays import calendar

NEVER = np.iinfo(np.int32).max // 2  # an ordinal after every real one: a step not done, a case not closed
DECIDED = (Outcome.APPROVED, Outcome.DENIED, Outcome.REVOKED)  # 办结 with a decision (not 撤回)
# A long holiday: at least this many non-working days in a row (春节, 国庆, 劳动节 …; a weekend is 2).
LONG_BREAK_DAYS = 3

# The numeric features, in the model's order, with what a maintainer reads in the model page.
NUMERIC = {
    "behind": "当前环节超出其环节时限的工作日（负数为尚余）",
    "remaining": "距办结期限剩余工作日",
    "elapsed": "已在当前环节的工作日",
    "per_reviewer": "本科室人均在办件数",
    "paused": "已暂停计时的工作日",
    "holiday": "办结期限前有长假（是=1）",
}
# The categorical features: one column per value seen often enough in training.
CATEGORICAL = {"department": "办理部门", "step": "当前环节", "item": "事项"}


@dataclass
class CaseSet:
    """Cases as arrays, one row per case; steps and pauses as padded matrices."""

    ids: np.ndarray
    item: np.ndarray
    department: np.ndarray
    accepted: np.ndarray  # seq of accepted_on
    due: np.ndarray  # the deadline's ordinal now (after every pause)
    closed: np.ndarray  # closed_seq, NEVER while open
    decided: np.ndarray  # bool: closed with a decision
    promised: np.ndarray
    step_done: np.ndarray  # (cases, K): the ordinal of the day each step was done, NEVER if not
    step_due: np.ndarray  # (cases, K): each step's own deadline (CaseStep.due_seq), NEVER if none
    step_name: np.ndarray  # (cases, K): index into `names`, -1 past the case's last step
    n_steps: np.ndarray
    pause_start: np.ndarray  # (cases, P): the ordinal a pause started, NEVER past the last
    pause_days: np.ndarray  # (cases, P): working days it lasted (so far, for one under way)
    names: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def late(self) -> np.ndarray:
        return self.closed > self.due


def seq_of_dates(dates) -> np.ndarray:
    """Ordinals of many dates by the calendar's offset array (one vector look-up)."""
    data = calendar.current()
    offsets = np.fromiter((d.toordinal() for d in dates), dtype=np.int64, count=len(dates)) - data.first
    table = np.asarray(data.seq_by_offset, dtype=np.int64)
    if len(offsets) and (offsets.min() < 0 or offsets.max() >= len(table)):
        bad = dates[int(np.argmax((offsets < 0) | (offsets >= len(table))))]
        raise calendar.out_of_range(bad)
    return table[offsets]


def _matrix(case_index: np.ndarray, column: np.ndarray, values: np.ndarray, n: int, fill) -> np.ndarray:
    width = int(column.max()) + 1 if len(column) else 1
    out = np.full((n, width), fill, dtype=np.int64)
    out[case_index, column] = values
    return out


def _position_within(case_index: np.ndarray) -> np.ndarray:
    """0, 1, 2 … within each run of equal (sorted) case indexes."""
    if not len(case_index):
        return case_index
    starts = np.r_[0, np.flatnonzero(np.diff(case_index)) + 1]
    lengths = np.diff(np.r_[starts, len(case_index)])
    return np.arange(len(case_index)) - np.repeat(starts, lengths)


def load(cases, *, today: dt.date | None = None) -> CaseSet:
    """The accepted cases of the queryset `cases` as arrays: three reads (cases, their review and
    decision steps, their pauses). `today` ends a pause still under way."""
    today_seq = calendar.seq(today or clock.today())
    rows = list(
        cases.filter(accepted_on__isnull=False)
        .order_by("pk")
        .values_list(
            "pk",
            "item_id",
            "department_id",
            "accepted_on",
            "due_seq",
            "closed_seq",
            "outcome",
            "promised_days",
        )  # fmt: skip
    )
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)

    def index_of(case_ids: np.ndarray) -> np.ndarray:
        return np.searchsorted(ids, case_ids)  # ids are in ascending order

    closed = np.fromiter((NEVER if r[5] is None else r[5] for r in rows), dtype=np.int64, count=n)
    decided = np.fromiter((r[6] in DECIDED for r in rows), dtype=bool, count=n)
    ids_query = cases.filter(accepted_on__isnull=False).values("pk")

    steps = list(
        CaseStep.objects.filter(case_id__in=ids_query)
        .exclude(kind=CaseStep.Kind.AFTER)
        .annotate(day=TruncDate("done_at", tzinfo=clock.hall_tz()))
        .order_by("case_id", "order")
        .values_list("case_id", "name", "day", "due_seq")
    )
    names = sorted({s[1] for s in steps})
    name_code = {name: i for i, name in enumerate(names)}
    step_case = index_of(np.fromiter((s[0] for s in steps), dtype=np.int64, count=len(steps)))
    step_k = _position_within(step_case)
    done_days = [s[2] for s in steps if s[2] is not None]
    done_seq = np.full(len(steps), NEVER, dtype=np.int64)
    done_seq[[i for i, s in enumerate(steps) if s[2] is not None]] = seq_of_dates(done_days)
    step_done = _matrix(step_case, step_k, done_seq, n, NEVER)
    step_due = _matrix(step_case, step_k, np.fromiter((NEVER if s[3] is None else s[3] for s in steps), np.int64,
                                                      len(steps)), n, NEVER)  # fmt: skip
    step_name = _matrix(step_case, step_k, np.fromiter((name_code[s[1]] for s in steps), np.int64, len(steps)),
                        n, -1)  # fmt: skip
    n_steps = np.bincount(step_case, minlength=n) if len(steps) else np.zeros(n, dtype=np.int64)

    pauses = list(
        Suspension.objects.filter(case_id__in=ids_query)
        .order_by("case_id", "started_on")
        .values_list("case_id", "started_on", "days")
    )
    pause_case = index_of(np.fromiter((p[0] for p in pauses), dtype=np.int64, count=len(pauses)))
    pause_k = _position_within(pause_case)
    start = seq_of_dates([p[1] for p in pauses]) if pauses else np.zeros(0, dtype=np.int64)
    lasted = np.fromiter((-1 if p[2] is None else p[2] for p in pauses), dtype=np.int64, count=len(pauses))
    lasted = np.where(lasted < 0, np.maximum(today_seq - start, 0), lasted)  # one under way: so far
    return CaseSet(
        ids=ids,
        item=np.fromiter((r[1] for r in rows), dtype=np.int64, count=n),
        department=np.fromiter((r[2] for r in rows), dtype=np.int64, count=n),
        accepted=seq_of_dates([r[3] for r in rows]) if n else np.zeros(0, dtype=np.int64),
        due=np.fromiter((r[4] or 0 for r in rows), dtype=np.int64, count=n),
        closed=closed,
        decided=decided,
        promised=np.fromiter((r[7] for r in rows), dtype=np.int64, count=n),
        step_done=step_done,
        step_due=step_due,
        step_name=step_name,
        n_steps=n_steps,
        pause_start=_matrix(pause_case, pause_k, start, n, NEVER),
        pause_days=_matrix(pause_case, pause_k, lasted, n, 0),
        names=names,
    )


def history(since: dt.date, until: dt.date) -> CaseSet:
    """Cases accepted from `since` to `until` (whatever became of them later)."""
    return load(Case.objects.filter(accepted_on__range=(since, until)), today=until)


def open_cases(today: dt.date | None = None, hall_id: int | None = None) -> CaseSet:
    qs = Case.objects.filter(status__in=OPEN_STATUSES)
    if hall_id is not None:
        qs = qs.filter(hall_id=hall_id)
    return load(qs, today=today)


# ---- snapshots ---------------------------------------------------------------------------------


@dataclass
class Snapshots:
    """Rows (case index, day) of a CaseSet with their features."""

    case: np.ndarray
    day: np.ndarray
    numeric: dict[str, np.ndarray]
    step: np.ndarray  # the current step's name index
    step_mean: np.ndarray  # the historical mean working days of the current step (for the reasons)
    dept_open: np.ndarray  # the department's open cases that day
    holiday_in: np.ndarray  # working days to the next long holiday

    def __len__(self) -> int:
        return len(self.case)


def history_days(
    cs: CaseSet, since_seq: int, until_seq: int, decided_by: int
) -> tuple[np.ndarray, np.ndarray]:
    """(case index, day) of every working day from `since_seq` to `until_seq` on which a case
    decided by the ordinal `decided_by` was open at the day's end and not yet past its deadline —
    a moment the forecast could have warned. Days inside a pause are left out (the clock stood
    still)."""
    first = np.maximum(cs.accepted, since_seq)
    last = np.minimum(np.minimum(cs.closed, cs.due) - 1, until_seq)
    known = cs.decided & (cs.closed <= decided_by)
    count = np.where(known, np.clip(last - first + 1, 0, None), 0)
    case = np.repeat(np.arange(len(cs)), count)
    day = first[case] + _position_within(case)
    due_then, _, paused_now = _pauses_at(cs, case, day)
    keep = (day < due_then) & ~paused_now
    return case[keep], day[keep]


def _pauses_at(cs: CaseSet, case: np.ndarray, day: np.ndarray):
    """(the deadline as it stood on `day`, working days paused before it, paused on it)."""
    starts, lasted = cs.pause_start[case], cs.pause_days[case]
    begun = starts <= day[:, None]
    later = np.where(begun, 0, lasted).sum(axis=1)  # pauses still to come add days later
    before = np.where(begun, lasted, 0).sum(axis=1)
    inside = (begun & (day[:, None] < starts + np.maximum(lasted, 1))).any(axis=1)
    return cs.due[case] - later, before, inside


class Context:
    """What the features compare a case with, learned from history: the mean working days each
    step of each item took, the departments' daily open counts, reviewers per department, the
    long holidays."""

    def __init__(self, step_means: dict, fallback_mean: dict, overall_mean: float):
        self.step_means = step_means  # {(item, k): mean days}
        self.fallback_mean = fallback_mean  # {step name: mean days}
        self.overall_mean = overall_mean

    @classmethod
    def learn(cls, cs: CaseSet, decided_by: int) -> "Context":
        """Step means from the cases decided by the ordinal `decided_by`."""
        rows = np.flatnonzero(cs.decided & (cs.closed <= decided_by))
        if not len(rows):
            return cls({}, {}, 1.0)
        done = cs.step_done[rows]
        start = np.concatenate([cs.accepted[rows, None], done[:, :-1]], axis=1)
        took = done - start
        valid = (cs.step_name[rows] >= 0) & (done < NEVER) & (start < NEVER)
        r, k = np.nonzero(valid)
        items, names, days = cs.item[rows][r], cs.step_name[rows][r, k], took[r, k]
        step_means: dict = {}
        keys = items * 64 + k
        for key in np.unique(keys):
            step_means[(int(key) // 64, int(key) % 64)] = float(days[keys == key].mean())
        fallback = {cs.names[int(c)]: float(days[names == c].mean()) for c in np.unique(names)}
        return cls(step_means, fallback, float(days.mean()) if len(days) else 1.0)

    def as_json(self) -> dict:
        return {
            "step_means": {f"{i}:{k}": round(v, 3) for (i, k), v in sorted(self.step_means.items())},
            "fallback_mean": {k: round(v, 3) for k, v in sorted(self.fallback_mean.items())},
            "overall_mean": round(self.overall_mean, 3),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Context":
        means = {tuple(int(x) for x in key.split(":")): v for key, v in data["step_means"].items()}
        return cls(means, data["fallback_mean"], data["overall_mean"])

    def means_of(self, cs: CaseSet) -> np.ndarray:
        """(cases, K): the mean days of each step of each case, by item and position, else by the
        step's name, else overall."""
        out = np.full(cs.step_name.shape, self.overall_mean, dtype=float)
        by_name = np.array([self.fallback_mean.get(name, self.overall_mean) for name in cs.names] or [0.0])
        has = cs.step_name >= 0
        out[has] = by_name[cs.step_name[has]]
        for (item, k), mean in self.step_means.items():
            if k < out.shape[1]:
                out[(cs.item == item) & has[:, k], k] = mean
        return np.where(has, out, 0.0)


def department_load(cs: CaseSet, days: np.ndarray, extra: "CaseSet | None" = None):
    """Open cases of each case's department at the end of each `days` entry, counted from the
    cases of `cs` (and `extra`) — a cumulative count per (department, day), no loop over cases."""
    sets = [cs] if extra is None else [cs, extra]
    lo = min([int(days.min())] if len(days) else [0])
    hi = max([int(days.max())] if len(days) else [0])
    departments = np.unique(np.concatenate([s.department for s in sets]))
    width = hi - lo + 2
    diff = np.zeros((len(departments), width), dtype=np.int64)
    for s in sets:
        d = np.searchsorted(departments, s.department)
        start = np.clip(s.accepted - lo, 0, width - 1)
        end = np.clip(s.closed - lo, 0, width - 1)
        live = (s.accepted <= hi) & (s.closed > lo)
        np.add.at(diff, (d[live], start[live]), 1)
        np.add.at(diff, (d[live], end[live]), -1)
    return departments, np.cumsum(diff, axis=1), lo


def reviewers_by_department() -> dict[int, int]:
    rows = (
        Staff.objects.filter(is_active=True, role=Role.REVIEWER, department__isnull=False)
        .values("department_id")
        .annotate(n=Count("pk"))
    )
    return {r["department_id"]: r["n"] for r in rows}


def next_long_break(first_seq: int, last_seq: int) -> np.ndarray:
    """For each ordinal from first_seq to last_seq, the ordinal of the last working day before
    the next long holiday at or after it (the holiday lies between that day and the next)."""
    data = calendar.current()
    workday = np.frombuffer(bytes(data.workday), dtype=np.uint8).astype(bool)
    seqs = np.asarray(data.seq_by_offset, dtype=np.int64)
    off = ~workday
    edges = np.diff(np.r_[0, off.astype(np.int8), 0])
    run_start, run_end = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    long_runs = run_start[(run_end - run_start) >= LONG_BREAK_DAYS]
    breaks = np.sort(seqs[long_runs])  # a holiday's first day shares the ordinal of the day before
    wanted = np.arange(first_seq, last_seq + 1)
    i = np.searchsorted(breaks, wanted)
    return np.where(i < len(breaks), breaks[np.minimum(i, len(breaks) - 1)], NEVER)


def snapshots(
    cs: CaseSet,
    case: np.ndarray,
    day: np.ndarray,
    context: Context,
    reviewers: dict[int, int],
    load_from: "CaseSet | None" = None,
) -> Snapshots:
    """The features of each (case, day). The load is counted over `cs` and `load_from` (the
    open cases, when `cs` is history)."""
    due_then, paused_before, _ = _pauses_at(cs, case, day)
    remaining = due_then - day
    done = cs.step_done[case]
    k = np.minimum((done <= day[:, None]).sum(axis=1), np.maximum(cs.n_steps[case] - 1, 0))
    rows = np.arange(len(case))
    has_step = cs.n_steps[case] > 0
    prev_done = np.where(k > 0, done[rows, np.maximum(k - 1, 0)], cs.accepted[case])
    elapsed = np.clip(day - np.minimum(prev_done, day), 0, None)
    means = context.means_of(cs)[case] if len(case) else np.zeros((0, 1))
    mean_k = means[rows, k] if len(case) else np.zeros(0)
    step_due = cs.step_due[case, k] if len(case) else np.zeros(0, dtype=np.int64)
    behind = np.where(has_step & (step_due < NEVER), day - step_due, 0)
    departments, counts, lo = department_load(cs, day, load_from)
    d = np.searchsorted(departments, cs.department[case])
    dept_open = counts[d, day - lo] if len(case) else np.zeros(0, dtype=np.int64)
    staff = np.array([max(reviewers.get(int(x), 0), 1) for x in departments] or [1])
    per_reviewer = dept_open / staff[d] if len(case) else np.zeros(0)
    if len(case):
        breaks = next_long_break(int(day.min()), int(day.max()))[day - int(day.min())]
    else:
        breaks = np.zeros(0, dtype=np.int64)
    holiday = ((breaks >= day) & (breaks < due_then)).astype(float)
    return Snapshots(
        case=case,
        day=day,
        numeric={
            "behind": behind.astype(float),
            "remaining": remaining.astype(float),
            "elapsed": elapsed.astype(float),
            "per_reviewer": per_reviewer.astype(float),
            "paused": paused_before.astype(float),
            "holiday": holiday,
        },
        step=np.where(has_step, cs.step_name[case, k] if len(case) else 0, -1),
        step_mean=mean_k,
        dept_open=dept_open,
        holiday_in=breaks - day,
    )


def open_rows(cs: CaseSet, today: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """One snapshot per open case: today."""
    return np.arange(len(cs)), np.full(len(cs), calendar.seq(today), dtype=np.int64)
