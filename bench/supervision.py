"""Benchmark: supervision and statistics on PostgreSQL — the light sweep, the daily roll-up
refresh and the hall-management dashboard over a million cases (issue 16). Not a test.

Loads the demo hall into its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/onewindow_bench_supervision, dropped and recreated unless
--skip-fill), gives each department of the city hall a reviewer and a head (whom the sweep
messages), then fills with set-based SQL (INSERT … SELECT generate_series over precomputed date
templates of the real working-day calendar) --cases cases over the last ~2 years, --open of them
open: accepted, most in review (~90 % green, ~7 % yellow, ~3 % red), some suspended or returned
for correction with a frozen light; the rest closed (on the spot, on time, a few late, some with
a suspension), over the hall's 17 departments and their ~95 items. Each case has its submit and
accept events (the accept's actor is the officer the roll-up and the violation count against);
suspended cases their open Suspension. The state before today is steady: every case that was
yellow or red yesterday has its Urge (and at red its Violation), so today's sweep finds only the
cases that turned yellow or red today (a few thousand). VACUUM ANALYZE, then measures in-process:

- `sweep_s`: supervision.services.sweep() for today (`swept`: how many urged or escalated);
  `steady_sweep_s`: the same again, with nothing new;
- `rollup_s`: stats.rollup.refresh() with the periodic job's default span (14 days + today);
- `dashboard_ms`: the median of --page-runs GETs of /staff/stats/ through django.test.Client as
  the hall's supervisor (the SQL of one page on stderr with --count-queries).

    .venv/bin/python bench/supervision.py [--cases 1000000] [--open 300000] [--page-runs 15]
                                          [--skip-fill] [--count-queries] [--quick]

Diagnostics go to stderr; stdout ends with one JSON line.
"""

import argparse
import datetime as dt
import importlib.util
import json
import os
import random
import sys
import time
from pathlib import Path

_spec = importlib.util.spec_from_file_location("bench_harness", Path(__file__).with_name("harness.py"))
harness = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

from bench_harness import log, median_ms

DATABASE_URL = harness.configure("postgres://postgres@127.0.0.1:5432/onewindow_bench_supervision")

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onewindow import clock
from onewindow.accounts.models import Applicant, Hall, Role, Staff, User
from onewindow.cases import clock_rules
from onewindow.cases import queries as case_queries
from onewindow.cases.models import Case, CaseEvent, Status, Suspension
from onewindow.catalog.models import ServiceItem
from onewindow.notify.models import Message
from onewindow.stats import rollup
from onewindow.stats.models import DailyFigure
from onewindow.supervision import services as supervision
from onewindow.supervision.models import Urge, Violation
from onewindow.workdays import calendar

HALL = "371400-zwfw"
SUPERVISOR = "supervisor"
PREFIX = "SV-"
WORKDAYS_BACK = 480  # ≈ 2 calendar years of working days
PROMISED = [5, 5, 5, 10, 10, 15, 20, 20, 30, 45]


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def staff_departments(hall: Hall) -> dict[int, list[int]]:
    """A reviewer and a head in every department of the hall that lacks one (the sweep messages
    them); returns each department's staff user ids (the officers who accept its cases)."""
    for department in hall.departments.order_by("pk"):
        for role, tag in ((Role.REVIEWER, "r"), (Role.DEPARTMENT_HEAD, "h")):
            if not Staff.objects.filter(department=department, role=role).exists():
                user = User.objects.create(
                    username=f"sv_{tag}{department.pk}", display_name=f"压测{tag}{department.pk}"
                )
                Staff.objects.create(user=user, name=user.display_name, role=role, hall=hall, department=department,
                                     phone=f"139{department.pk:04d}{ord(tag):04d}")  # fmt: skip
    officers = {}
    for department in hall.departments.order_by("pk"):
        officers[department.pk] = list(
            Staff.objects.filter(department=department).order_by("pk").values_list("user_id", flat=True)
        )
    return officers


def templates(rng: random.Random, today_seq: int, n_open: int, n_closed: int) -> dict[str, list]:
    """Date templates from the real calendar: `n_open` open ones (light spread as the module
    says), `n_closed` closed ones (closed over the last WORKDAYS_BACK working days)."""
    cols = {k: [] for k in ("promised", "accepted_seq", "due_seq", "status", "frozen", "paused_seq",
                            "closed_seq", "outcome", "suspended_days", "received_back")}  # fmt: skip
    for i in range(n_open + n_closed):
        promised = rng.choice(PROMISED)
        threshold = clock_rules.yellow_threshold(promised)
        frozen, paused_seq, closed_seq, outcome, suspended_days = "", None, None, "", 0
        if i < n_open:
            u = rng.random()
            if u < 0.03:
                remaining = -rng.randint(1, 10)  # red
            elif u < 0.10:
                remaining = rng.randint(0, threshold)  # yellow
            else:
                remaining = rng.randint(threshold + 1, promised)  # green
            due_seq = today_seq + remaining
            accepted_seq = due_seq - promised
            status = Status.IN_REVIEW
            s = rng.random()
            if s < 0.08 and accepted_seq < today_seq:
                status = Status.SUSPENDED if s < 0.06 else Status.CORRECTION_REQUESTED
                paused_seq = rng.randint(accepted_seq + 1, today_seq)
                frozen = clock_rules.light(due_seq, promised, paused_seq)
        else:
            status = Status.CLOSED
            closed_seq = today_seq - rng.randint(0, WORKDAYS_BACK)
            if rng.random() < 0.10:
                promised, used = 0, 0  # on the spot
            else:
                used = rng.randint(1, promised) if rng.random() > 0.04 else promised + rng.randint(1, 5)
            if promised and rng.random() < 0.05:
                suspended_days = rng.randint(1, 10)
            accepted_seq = closed_seq - used - suspended_days
            due_seq = accepted_seq + promised + suspended_days
            o = rng.random()
            outcome = "approved" if o < 0.93 else "denied" if o < 0.97 else "withdrawn"
        cols["promised"].append(promised)
        cols["accepted_seq"].append(accepted_seq)
        cols["due_seq"].append(due_seq)
        cols["status"].append(status)
        cols["frozen"].append(frozen)
        cols["paused_seq"].append(paused_seq)
        cols["closed_seq"].append(closed_seq)
        cols["outcome"].append(outcome)
        cols["suspended_days"].append(suspended_days)
        cols["received_back"].append(rng.choice([0, 0, 0, 1, 2]))
    return cols


def fill(total: int, n_open: int, seed: int = 20261202) -> dict:
    rng = random.Random(seed)
    hall = Hall.objects.get(code=HALL)
    officers = staff_departments(hall)
    items = list(
        ServiceItem.objects.filter(department__in=officers, current__isnull=False)
        .order_by("pk")
        .values_list("pk", "current_id", "department_id")
    )
    item_officers = [
        officers[d][k % len(officers[d])] if officers[d] else None for k, (_, _, d) in enumerate(items)
    ]
    today_seq = calendar.seq(clock.today())
    k_open, k_closed = 3000, 7000
    cols = templates(rng, today_seq, k_open, k_closed)
    applicants = list(Applicant.objects.order_by("pk").values_list("pk", flat=True))
    by = (
        Staff.objects.filter(hall=hall, role=Role.CLERK)
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )
    params = {
        **cols, "k_open": k_open, "k_closed": k_closed, "n": total, "n_open": n_open, "hall": hall.pk,
        "region": hall.region_id, "items": [i for i, _, _ in items], "versions": [v for _, v, _ in items],
        "departments": [d for _, _, d in items], "officers": item_officers, "ni": len(items), "by": by,
        "prefix": PREFIX, "tz": str(clock.hall_tz()), "applicants": applicants, "na": len(applicants),
    }  # fmt: skip
    CASE, EVT, SUS, DAY = table(Case), table(CaseEvent), table(Suspension), "workdays_day"
    days = f"(SELECT seq, min(date) AS d FROM {DAY} WHERE is_workday GROUP BY seq)"
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE sv_days AS {days}")
        cursor.execute("CREATE UNIQUE INDEX ON sv_days (seq)")
        # Case g: open when g ≤ n_open (template 1 + g % k_open), else closed (a closed template);
        # item (g / 7) % items, so items and dates vary independently.
        cursor.execute(
            """CREATE TEMP TABLE sv_tpl AS
                SELECT t.*, a.d AS accepted_on, r.d AS received_on, du.d AS due_on, p.d AS paused_on,
                       cl.d AS closed_on
                FROM unnest(%(promised)s::int[], %(accepted_seq)s::int[], %(due_seq)s::int[], %(status)s::text[],
                            %(frozen)s::text[], %(paused_seq)s::int[], %(closed_seq)s::int[], %(outcome)s::text[],
                            %(suspended_days)s::int[], %(received_back)s::int[])
                     WITH ORDINALITY AS t(promised, accepted_seq, due_seq, status, frozen, paused_seq, closed_seq,
                                          outcome, suspended_days, received_back, k)
                JOIN sv_days a ON a.seq = t.accepted_seq
                JOIN sv_days r ON r.seq = t.accepted_seq - t.received_back
                JOIN sv_days du ON du.seq = t.due_seq
                LEFT JOIN sv_days p ON p.seq = t.paused_seq
                LEFT JOIN sv_days cl ON cl.seq = t.closed_seq""",
            params,
        )
        cursor.execute("CREATE UNIQUE INDEX ON sv_tpl (k)")
        cursor.execute(
            f"""INSERT INTO {CASE} (
                    number, item_id, item_version_id, department_id, applicant_id, hall_id, region_code, channel,
                    status, outcome, form_data, received_at, received_on, intake_from, accepted_on, promised_days,
                    extra_days, due_seq, due_on, paused_on, frozen_light, extended, tolerance_due_on, by_commitment,
                    decided_at, closed_at, closed_on, closed_seq, event_count, last_hash, project_code, bundle_number)
                SELECT %(prefix)s || lpad(g::text, 8, '0'), (%(items)s::bigint[])[1 + (g / 7) %% %(ni)s],
                       (%(versions)s::bigint[])[1 + (g / 7) %% %(ni)s], (%(departments)s::bigint[])[1 + (g / 7) %% %(ni)s],
                       (%(applicants)s::bigint[])[1 + g %% %(na)s], %(hall)s, %(region)s, 'window', t.status, t.outcome, '{{}}'::jsonb,
                       (t.received_on + time '09:00' + (g %% 28000) * interval '1 second') AT TIME ZONE %(tz)s,
                       t.received_on, t.received_on, t.accepted_on, t.promised, t.suspended_days, t.due_seq,
                       CASE WHEN t.promised + t.suspended_days = 0 THEN t.accepted_on ELSE t.due_on END,
                       t.paused_on, t.frozen, false, NULL, false,
                       CASE WHEN t.closed_on IS NOT NULL THEN (t.closed_on + time '15:00') AT TIME ZONE %(tz)s END,
                       CASE WHEN t.closed_on IS NOT NULL THEN (t.closed_on + time '15:00') AT TIME ZONE %(tz)s END,
                       t.closed_on, t.closed_seq, 2, '', '', ''
                FROM generate_series(1, %(n)s) AS g
                JOIN sv_tpl t ON t.k = CASE WHEN g <= %(n_open)s THEN 1 + g %% %(k_open)s
                                            ELSE %(k_open)s + 1 + g %% %(k_closed)s END""",
            params,
        )
        inserted = cursor.rowcount
        sv = f"SELECT c.id, c.number, c.received_at, c.accepted_on, c.item_id FROM {CASE} c WHERE c.number LIKE 'SV-%%'"
        cursor.execute(
            f"""INSERT INTO {EVT} (case_id, seq, at, actor_id, action, from_status, to_status, reason, payload,
                                   prev_hash, hash)
                SELECT c.id, e.seq, c.received_at,
                       CASE WHEN e.seq = 1 THEN %(by)s
                            ELSE (%(officers)s::bigint[])[array_position(%(items)s::bigint[], c.item_id)] END,
                       e.action, e.from_status, e.to_status, '', '{{}}'::jsonb, '', md5(c.id::text || e.action)
                FROM ({sv}) c
                CROSS JOIN (VALUES (1, 'submit', '', 'submitted'), (2, 'accept', 'submitted', 'in_review'))
                     AS e(seq, action, from_status, to_status)""",
            params,
        )
        # 特别程序: the open one of each suspended case; the ended one of each closed case that had one.
        cursor.execute(
            f"""INSERT INTO {SUS} (case_id, kind, reason, expected_days, started_on, ended_on, days, started_by_id)
                SELECT c.id, 'inspection', '压测检验', 10, coalesce(c.paused_on, c.accepted_on),
                       CASE WHEN c.status = 'closed' THEN c.closed_on END,
                       CASE WHEN c.status = 'closed' THEN c.extra_days END, %(by)s
                FROM {CASE} c
                WHERE c.number LIKE 'SV-%%' AND (c.status = 'suspended' OR (c.status = 'closed' AND c.extra_days > 0))""",
            params,
        )
        steady_state(cursor, clock.today())
        cursor.execute("DROP TABLE sv_tpl, sv_days")
    assert inserted == total, (inserted, total)
    t_sql = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return {"fill_s": round(t_sql, 1), "vacuum_s": round(time.perf_counter() - t0 - t_sql, 1)}


def steady_state(cursor, today: dt.date) -> None:
    """What the sweeps of the days before today left: an Urge for each open case in review that
    was yellow or red yesterday (and was urged at yellow before it turned red), an Urge and an
    open over-time Violation at red; for the closed cases that were late, the same. Plus the SMS
    of each acceptance in the outbox (sent), as in a hall's steady state."""
    yesterday_seq = calendar.seq(today) - 1
    qs = case_queries.with_light(
        Case.objects.filter(status=Status.IN_REVIEW, number__startswith=PREFIX, due_seq__isnull=False),
        calendar.date_of_seq(yesterday_seq),
    ).values("pk", "light", "department_id")
    sql, params = qs.query.sql_with_params()
    # Recorded yesterday evening: a measured sweep's own rows (today) can then be told apart (undo_sweep).
    now = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(20, 0), tzinfo=clock.hall_tz())
    URG, VIO, MSG, CASE = table(Urge), table(Violation), table(Message), table(Case)
    cursor.execute(f"CREATE TEMP TABLE sv_lit AS SELECT * FROM ({sql}) q", params)
    cursor.execute(
        f"""INSERT INTO sv_lit SELECT id, 'late', department_id FROM {CASE}
            WHERE number LIKE 'SV-%%' AND status = 'closed' AND closed_seq > due_seq"""
    )
    cursor.execute(
        f"""INSERT INTO {URG} (case_id, light, kind, at, recipients)
            SELECT l.pk, x.light, x.kind, %s, 1 FROM sv_lit l
            JOIN (VALUES ('yellow', 'urge'), ('red', 'escalate')) AS x(light, kind)
              ON x.light = 'yellow' AND l.light IN ('yellow', 'red', 'late') OR x.light = 'red' AND l.light IN ('red', 'late')""",
        [now],
    )
    cursor.execute(
        f"""INSERT INTO {VIO} (kind, case_id, event_seq, department_id, window_id, officer_id, found_on, found_at,
                               status, explanation, decided_by_id, decided_at, decision_reason, detail)
            SELECT 'over_time', l.pk, 2, l.department_id, NULL, NULL, %s, %s, 'open', '', NULL, NULL, '', ''
            FROM sv_lit l WHERE l.light IN ('red', 'late')""",
        [today - dt.timedelta(days=1), now],
    )
    cursor.execute(
        f"""INSERT INTO {MSG} (key, event, phone, text, subject_kind, subject_key, hall_id, state, attempts,
                               created_at, next_attempt_at, claim, last_error, sent_at, gateway_ref)
            SELECT 'bench:' || c.id, 'accepted', '13900000000', '【政务服务中心】您的申请已受理。', 'case', c.number,
                   c.hall_id, 'sent', 1, c.received_at, c.received_at, '', '', c.received_at, ''
            FROM {CASE} c WHERE c.number LIKE 'SV-%%' AND c.status <> 'closed'"""
    )
    cursor.execute("DROP TABLE sv_lit")


def undo_sweep(today: dt.date) -> int:
    """--skip-fill: removes what an earlier run's sweeps of today recorded for the bench's cases
    (Urges, over-time Violations, SMS), so the sweep measured finds today's cases again."""
    midnight = dt.datetime.combine(today, dt.time(0, 0), tzinfo=clock.hall_tz())
    ours = Case.objects.filter(number__startswith=PREFIX)
    Message.objects.filter(key__startswith="supervision:", subject_key__startswith=PREFIX).delete()
    Violation.objects.filter(case__in=ours, found_at__gte=midnight).delete()
    removed, _ = Urge.objects.filter(case__in=ours, at__gte=midnight).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) supervision_urge, supervision_violation, notify_message")
    return removed


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=300_000)
    parser.add_argument("--page-runs", type=int, default=15)
    parser.add_argument(
        "--skip-fill",
        action="store_true",
        help="reuse the database (an earlier run's sweeps of today undone)",
    )
    parser.add_argument("--count-queries", action="store_true", help="list the SQL of one dashboard page")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds (make bench-quick)")
    args = parser.parse_args()
    if args.quick:
        args.cases, args.open, args.page_runs = 3000, 1000, 3
    if connection.vendor != "postgresql":
        sys.exit("bench/supervision.py measures PostgreSQL: set BENCH_DATABASE_URL to a postgres:// URL")

    harness.prepare_database(DATABASE_URL, "onewindow_bench_supervision", fresh=not args.skip_fill)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not args.skip_fill:  # seeded already (and its roll-up rebuild would now read every filled case)
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
    log(f"migrate + seed_demo: {time.perf_counter() - t0:.1f} s")
    counts = fill(args.cases, args.open) if not args.skip_fill else {}
    if counts:
        log(f"filled: {json.dumps(counts)}")

    today = clock.today()
    if args.skip_fill:
        log(f"undone: {undo_sweep(today)} urges of an earlier run's sweep today")
    open_cases = Case.objects.filter(
        status__in=(Status.IN_REVIEW, Status.SUSPENDED, Status.CORRECTION_REQUESTED)
    )
    lights = dict(
        case_queries.with_light(open_cases.filter(accepted_on__isnull=False), today)
        .values("light").annotate(n=Count("pk")).values_list("light", "n")
    )  # fmt: skip
    log(f"today {today}: open cases by light {lights}")

    urges0 = Urge.objects.count()
    swept, sweep_s = timed(lambda: supervision.sweep(today))
    new_urges = Urge.objects.count() - urges0
    log(f"sweep: {swept} urged or escalated ({new_urges} urges) in {sweep_s:.3f} s")
    steady, steady_s = timed(lambda: supervision.sweep(today))
    log(f"steady sweep: {steady} in {steady_s:.3f} s")

    rows, rollup_s = timed(rollup.refresh)
    log(
        f"roll-up refresh (last {settings.ONEWINDOW_STATS_REFRESH_DAYS} days + today): {rows} rows in {rollup_s:.3f} s"
    )
    if not DailyFigure.objects.filter(day__lt=today - dt.timedelta(days=20)).exists():
        # The dashboard's trend and ranking read a year of roll-up: the older days once, unmeasured.
        t0 = time.perf_counter()
        rollup.refresh(today - dt.timedelta(days=400), today - dt.timedelta(days=15))
        log(f"roll-up of the year before (for the dashboard): {time.perf_counter() - t0:.1f} s")

    client = Client()
    client.force_login(User.objects.get(username=SUPERVISOR))

    def page():
        answer = client.get("/staff/stats/")
        assert answer.status_code == 200, answer.status_code
        return answer

    dashboard_ms = median_ms(page, args.page_runs)
    with CaptureQueriesContext(connection) as ctx:
        page()
    log(f"dashboard: {dashboard_ms:.1f} ms (median of {args.page_runs}), {len(ctx.captured_queries)} queries")
    if args.count_queries:
        for i, q in enumerate(ctx.captured_queries, 1):
            log(f"  {i:2d}. ({q['time']}s) {q['sql'][:400]}")

    print(json.dumps({
        "bench": "supervision", "cases": Case.objects.count(), "open": open_cases.count(),
        "lights": lights, "swept": swept, "sweep_s": round(sweep_s, 3), "steady_sweep_s": round(steady_s, 3),
        "rollup_rows": rows, "rollup_s": round(rollup_s, 3), "dashboard_ms": round(dashboard_ms, 1),
        "dashboard_queries": len(ctx.captured_queries), "fill_s": counts.get("fill_s"),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
