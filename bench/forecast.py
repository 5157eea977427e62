"""Benchmark and backtest: the deadline-risk forecast and the promise advisor on generated history
(issue 22). Not a test.

Loads the demo hall into its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/onewindow_bench_forecast, dropped and recreated), removes the
demo's own generated history, and writes 12 months of cases with planted patterns
(onewindow.foresight.history: one slow department, one slow step of one item, a backlog after each
long holiday, a monthly load per department) — --per-month cases accepted each month from
December 2025 to November 2026. Then:

- **backtest**: fit on the snapshots of months 1–9 (cases decided by the end of month 9), predict
  every snapshot of months 10–12 (cases decided by the end); AUC, Brier score and the calibration
  table against two baselines — the yellow light alone, and the item's historical late rate;
  `baseline_auc`/`baseline_brier`: the better baseline on each;
- **reasons**: among the held-out snapshots the model puts at risk, the share in the planted slow
  department whose reasons name the department, and at the planted step whose reasons name the
  step; and whether each planted coefficient is the largest of its kind;
- **advisor**: each item's advised limit from months 1–9, replayed on months 10–12: the share of
  held-out cases it would have kept on time (overall and the worst item);
- **scale**: a current workload of --open open cases (accepted in the last week of November),
  scored with the fitted model (`score_s`: features, prediction, reasons and the write of every
  CaseRisk row), and a department reviewer's inbox with the risk colour (`inbox_ms`: the median
  of --page-runs GETs through django.test.Client).

    .venv/bin/python bench/forecast.py [--per-month 6000] [--open 100000] [--page-runs 15] [--quick]

Diagnostics go to stderr; stdout ends with one JSON line.
"""

import argparse
import datetime as dt
import importlib.util
import json
import math
import os
import sys
import time
from pathlib import Path

_spec = importlib.util.spec_from_file_location("bench_harness", Path(__file__).with_name("harness.py"))
harness = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

from bench_harness import log, median_ms

DATABASE_URL = harness.configure("postgres://postgres@127.0.0.1:5432/onewindow_bench_forecast")

import django

django.setup()

import numpy as np
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client

from onewindow import clock
from onewindow.accounts.models import Hall, Role, Staff, User
from onewindow.cases.models import OPEN_STATUSES, Case, CaseRisk
from onewindow.foresight import advisor, features, history, reasons, services
from onewindow.foresight import model as risk_model
from onewindow.workdays import calendar

START = dt.date(2025, 12, 1)
TRAIN_UNTIL = dt.date(2026, 8, 31)  # months 1–9
END = dt.date(2026, 11, 30)  # months 10–12 held out
NOW = dt.date(2026, 12, 1)
SEED = 22


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def rank(levels: dict, key: str) -> int | None:
    ordered = sorted(levels, key=levels.get, reverse=True)
    return ordered.index(key) + 1 if key in ordered else None


def planted_reasons(result: dict, planted: dict, test: services.Labelled) -> dict:
    """Among held-out snapshots at risk (p ≥ the at-risk setting), the share whose reasons name the
    planted department (for its cases) and the planted step (for cases in it)."""
    from django.conf import settings

    spec = result["spec"]
    p = risk_model.predict(spec, test.snap, test.cs)
    contrib, keys = risk_model.contributions(spec, test.snap, test.cs)
    picked = reasons.top(contrib, keys)
    at_risk = p >= settings.ONEWINDOW_AT_RISK_PERCENT / 100
    in_department = test.cs.department[test.snap.case] == planted["slow_department"]["id"]
    step_key = f"{planted['slow_step']['item_id']}:{planted['slow_step']['step']}"
    in_step = risk_model.step_keys(test.snap, test.cs) == step_key

    def share(mask, key):
        rows = np.flatnonzero(mask & at_risk)
        return (round(sum(key in picked[i] for i in rows) / len(rows), 3) if len(rows) else None), int(
            len(rows)
        )

    dept_share, dept_n = share(in_department, "department")
    step_share, step_n = share(in_step, "step")
    departments = spec["levels"]["department"]
    steps = spec["levels"]["step"]
    return {
        "department_reason_share": dept_share, "department_at_risk": dept_n,
        "step_reason_share": step_share, "step_at_risk": step_n,
        # 1: the planted one has the largest coefficient of its kind
        "department_coef_rank": rank(departments, str(planted["slow_department"]["id"])),
        "step_coef_rank": rank(steps, step_key),
    }  # fmt: skip


def advisor_replay() -> dict:
    """Each item's advice from months 1–9, replayed on the cases decided in months 10–12
    (advisor.replay's arithmetic over one grouped read of every item's held-out distribution)."""
    advice = [a for a in advisor.advise_all(START, TRAIN_UNTIL) if a.advised_days is not None]
    held = advisor.distributions(TRAIN_UNTIL + dt.timedelta(days=1), END, [a.item_id for a in advice])
    kept, total, worst = 0, 0, None
    for a in advice:
        histogram = held.get(a.item_id, ())
        n = sum(c for _, c in histogram)
        if not n:
            continue
        on_time = sum(c for d, c in histogram if d <= a.advised_days)
        kept, total = kept + on_time, total + n
        worst = on_time / n if worst is None else min(worst, on_time / n)
    return {"advised_items": len(advice), "held_out_cases": total,
            "advisor_on_time": round(kept / total, 4) if total else None,
            "advisor_worst_item": round(worst, 4) if worst is not None else None}  # fmt: skip


def staff_for_workload(model) -> int:
    """Reviewers for the current workload, so that each department's open cases per reviewer is
    what the history's was on average: a hall with 100,000 open cases has hundreds of reviewers
    (without them the load feature would put nearly every new case at risk)."""
    per_reviewer = next(f["mean"] for f in model.spec["numeric"] if f["name"] == "per_reviewer")
    have = features.reviewers_by_department()
    hall = Hall.objects.get(code=history.DEMO_HALL)
    users, staff = [], []
    for row in Case.objects.filter(status__in=OPEN_STATUSES).values("department_id").annotate(n=Count("pk")):
        need = math.ceil(row["n"] / max(per_reviewer, 1)) - have.get(row["department_id"], 0)
        for i in range(max(need, 0)):
            users.append(User(username=f"bench-rv-{row['department_id']}-{i}", display_name="基准审查员"))
            staff.append((row["department_id"], len(users) - 1))
    User.objects.bulk_create(users, batch_size=2000)
    created = {u.username: u for u in User.objects.filter(username__startswith="bench-rv-")}
    Staff.objects.bulk_create([
        Staff(user=created[users[i].username], name="基准审查员", role=Role.REVIEWER, hall=hall, department_id=d)
        for d, i in staff
    ], batch_size=2000)  # fmt: skip
    return len(staff)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-month", type=int, default=6000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--page-runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="small sizes, a minute (make bench-quick)")
    args = parser.parse_args()
    if args.quick:
        args.per_month, args.open, args.page_runs = 600, 3000, 3
    if connection.vendor != "postgresql":
        sys.exit("bench/forecast.py measures PostgreSQL: set BENCH_DATABASE_URL to a postgres:// URL")

    harness.prepare_database(DATABASE_URL, "onewindow_bench_forecast", fresh=True)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    with clock.frozen(NOW):
        call_command("seed_demo", "--without-history", verbosity=0, stdout=open(os.devnull, "w"))
    log(f"migrate + seed_demo: {time.perf_counter() - t0:.1f} s")

    with clock.frozen(NOW):
        planted, fill_s = timed(lambda: history.generate(start=START, months=12, per_month=args.per_month,
                                                         seed=SEED, open_until=END, events=False))  # fmt: skip
    log(f"history: {planted['cases']} cases ({planted['open']} open at {END}) in {fill_s:.1f} s; "
        f"late {planted['late_share']}, by group {planted['late_share_by_group']}, rest {planted['late_share_rest']}")  # fmt: skip
    log(
        f"planted: {planted['slow_department']['name']}; {planted['slow_step']['item']} 「{planted['slow_step']['step']}」"
    )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")

    with clock.frozen(NOW):
        cs, load_s = timed(lambda: features.history(START, END))
        result = services.backtest(cs, TRAIN_UNTIL, END, since=START)
        t = calendar.seq(TRAIN_UNTIL)
        context = features.Context.learn(cs, decided_by=t)
        test = services.labelled(cs, t + 1, calendar.seq(END), calendar.seq(END), context,
                                 features.reviewers_by_department())  # fmt: skip
        found = planted_reasons(result, planted, test)
        replay = advisor_replay()
    base = result["baselines"]
    log(f"backtest: {result['train_rows']} training snapshots, {result['test_rows']} held out; load {load_s:.1f} s, "
        f"fit {result['fit_s']:.1f} s")  # fmt: skip
    log(f"  model      AUC {result['auc']:.3f}  Brier {result['brier']:.4f}")
    for name, b in base.items():
        log(f"  {name:10} AUC {b['auc']:.3f}  Brier {b['brier']:.4f}")
    log("  calibration: " + "; ".join(f"{r['from']}–{r['to']}: {r['predicted']:.3f} vs {r['observed']:.3f} (n={r['n']})"
                                      for r in result["calibration"]))  # fmt: skip
    log(f"  reasons: {found}")
    log(f"  advisor: {replay}")

    # ---- scale: today's open workload, scored; the inbox with the risk colour ------------------
    with clock.frozen(NOW):
        model, _ = timed(lambda: services.fit(END))
        extra = max(args.open - Case.objects.filter(status__in=OPEN_STATUSES).count(), 0)
        current, current_s = timed(lambda: history.generate(start=END - dt.timedelta(days=6), months=1,
                                                            per_month=int(extra * 1.45) + 1, seed=SEED + 1,
                                                            open_until=END, events=False))  # fmt: skip
        hired = staff_for_workload(model)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        n_open = Case.objects.filter(status__in=OPEN_STATUSES).count()
        log(f"reviewers added for the workload: {hired}")
        log(f"current workload: +{current['open']} open in {current_s:.1f} s; {n_open} open in all")
        scored, score_s = timed(lambda: services.score(NOW, model))
        log(f"score: {scored} open cases in {score_s:.2f} s "
            f"({CaseRisk.objects.filter(probability__gte=0.4).count()} at ≥ 40%)")  # fmt: skip
        staffed = Staff.objects.filter(role=Role.REVIEWER, department__isnull=False).values("department_id")
        busiest = (Case.objects.filter(status__in=OPEN_STATUSES, department_id__in=staffed).values("department_id")
                   .annotate(n=Count("pk")).order_by("-n").first())  # fmt: skip
        reviewer = Staff.objects.filter(department_id=busiest["department_id"], role=Role.REVIEWER).first()
        client = Client()
        client.force_login(reviewer.user)

        def inbox():
            answer = client.get("/staff/inbox/")
            assert answer.status_code == 200 and b'data-testid="inbox"' in answer.content, answer.status_code
            return answer

        inbox_ms = median_ms(inbox, args.page_runs)
        at_risk_ms = median_ms(lambda: client.get("/staff/inbox/?light=at_risk"), args.page_runs)
    log(
        f"inbox of a department with {busiest['n']} open cases: {inbox_ms:.1f} ms; 预警 tab {at_risk_ms:.1f} ms"
    )

    print(json.dumps({
        "bench": "forecast", "cases": planted["cases"], "train_rows": result["train_rows"],
        "test_rows": result["test_rows"],
        "auc": round(result["auc"], 4), "baseline_auc": round(result["baseline_auc"], 4),
        "brier": round(result["brier"], 5), "baseline_brier": round(result["baseline_brier"], 5),
        "yellow_auc": round(base["yellow_light"]["auc"], 4), "item_rate_auc": round(base["item_rate"]["auc"], 4),
        **found, **replay,
        "fit_s": round(result["fit_s"], 2), "open": n_open, "score_s": round(score_s, 2),
        "inbox_ms": round(inbox_ms, 1), "inbox_at_risk_ms": round(at_risk_ms, 1),
        "fill_s": round(fill_s, 1), "calibration": result["calibration"],
    }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
