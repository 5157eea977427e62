"""Benchmark: the 12345 hotline on PostgreSQL — the operator's caller history and the weekly
category report over a million work orders (issue 18). Not a test.

Loads the demo hall (with the hotline's category tree) into its own PostgreSQL database
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/onewindow_bench_hotline, dropped
and recreated unless --skip-fill), then fills --orders work orders with one set-based INSERT …
SELECT generate_series over the working-day calendar: received over the last two years
(today included), ~5 orders per caller (--orders / 5 phone numbers), one heavy caller with every
500th order (2,000 at a million), the leaf categories with their default departments, ~20 %
answered directly by the operator, ~85 % called back, ~3 % replied, ~5 % closed, ~5 % open, ~2 %
merged; 98 % of the replies on time; satisfaction mostly satisfied. One category (供暖 0102)
gets extra orders this week so the report has a rising category. The orders have no audit
events or assignments (neither measured query reads them). VACUUM ANALYZE, then in-process:

- `history_ms`: hotline.queries_history.caller_history(phone) — a caller's 20 latest orders, the
  workbench's lookup (target < 50 ms): the median over --lookups random callers;
  `history_p95_ms` their 95th percentile; `history_heavy_ms` the heavy caller's (median of 20);
- `report_s`: hotline.report.category_report + hotline.figures.by_department for this week —
  what /staff/hotline/report/ computes (target < 2 s), the median of --report-runs;
  `month_report_s` the same for this month.

    .venv/bin/python bench/hotline.py [--orders 1000000] [--lookups 200] [--report-runs 5]
                                      [--skip-fill] [--quick]

Diagnostics go to stderr; stdout ends with one JSON line.
"""

import argparse
import datetime as dt
import importlib.util
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

_spec = importlib.util.spec_from_file_location("bench_harness", Path(__file__).with_name("harness.py"))
harness = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

from bench_harness import log

DATABASE_URL = harness.configure("postgres://postgres@127.0.0.1:5432/onewindow_bench_hotline")

import django

django.setup()

from django.core.management import call_command
from django.db import connection

from onewindow import clock, pii
from onewindow.accounts.models import Region
from onewindow.hotline import figures, report
from onewindow.hotline.models import Category, WorkOrder
from onewindow.hotline.queries_history import caller_history
from onewindow.hotline.seed import seed_categories

DAYS_BACK = 730
HEAVY_PHONE = "13900000000"
HEAVY_EVERY = 500
RISING = "0102"  # 供暖: extra orders this week
PREFIX = "HB"


def fill(total: int, seed: int = 20261203) -> dict:
    today = clock.today()
    region = Region.objects.get(code="371400000000")
    leaves = list(
        Category.objects.filter(parent__isnull=False)
        .order_by("code")
        .values_list("pk", "department_id", "code")
    )
    rng = random.Random(seed)
    # A skewed share per leaf category (some are asked about far more often), as a lookup table.
    weights = [rng.choice([1, 1, 2, 3, 5, 8]) for _ in leaves]
    table = [i for i, w in enumerate(leaves) for _ in range(weights[i])]
    rng.shuffle(table)
    params = {
        "n": total, "today": today, "days": DAYS_BACK, "region": region.pk, "tz": str(clock.hall_tz()),
        "cats": [leaves[i][0] for i in table], "depts": [leaves[i][1] for i in table], "nc": len(table),
        "callers": max(total // 5, 1), "heavy": HEAVY_PHONE, "every": HEAVY_EVERY, "prefix": PREFIX,
        "rising": next(pk for pk, _, code in leaves if code == RISING),
        "rising_dept": next(d for _, d, code in leaves if code == RISING),
        "monday": today - dt.timedelta(days=today.weekday()),
    }  # fmt: skip
    ORDER = connection.ops.quote_name(WorkOrder._meta.db_table)
    columns = """number, region_id, channel, type, category_id, title, content, caller_name, caller_phone,
        caller_phone_digest, caller_user_id, address, latitude, longitude, status, received_at, received_on, received_by_id, handle_days,
        due_seq, due_on, direct_answer, lead_department_id, dispatched_at, signed_at, reply, replied_at,
        replied_by_id, replied_on_time, closed_at, callback_due_on, called_back_at, process_satisfaction,
        result_satisfaction, callback_note, transfer_count, reopen_count, merged_into_id, token, event_count,
        last_hash"""
    # Row g: day (g·7919 mod DAYS) days ago; category (g·31 mod table); status by g mod 100;
    # direct answer when g mod 5 = 0 (the operator's, no department).
    select = """
        SELECT %(prefix)s || lpad(g::text, 9, '0'), %(region)s, (ARRAY['phone','phone','phone','web','app','mini_program'])[1 + g %% 6],
               (ARRAY['consultation','consultation','help','complaint','suggestion','complaint','praise','emergency'])[1 + (g / 3) %% 8],
               x.cat, '来电诉求', '压测工单内容', '', x.phone, '', NULL, '', NULL, NULL, x.status,
               (x.day + time '08:00' + (g %% 36000) * interval '1 second') AT TIME ZONE %(tz)s, x.day, NULL, 3,
               d.seq + 3, x.day + 5, x.direct, CASE WHEN x.direct THEN NULL ELSE x.dept END,
               CASE WHEN x.direct THEN NULL ELSE (x.day + time '10:00') AT TIME ZONE %(tz)s END, NULL,
               CASE WHEN x.replied THEN '已答复' ELSE '' END,
               CASE WHEN x.replied THEN (x.day + 2 + time '10:00') AT TIME ZONE %(tz)s END, NULL,
               CASE WHEN x.replied THEN g %% 50 <> 7 END,
               CASE WHEN x.status IN ('closed', 'called_back') THEN (x.day + 3 + time '10:00') AT TIME ZONE %(tz)s END,
               CASE WHEN x.status IN ('closed', 'called_back') THEN x.day + 4 END,
               CASE WHEN x.status = 'called_back' THEN (x.day + 4 + time '10:00') AT TIME ZONE %(tz)s END,
               CASE WHEN x.status <> 'called_back' THEN '' WHEN g %% 20 = 3 THEN 'dissatisfied' WHEN g %% 20 = 4 THEN 'basic' ELSE 'satisfied' END,
               CASE WHEN x.status <> 'called_back' THEN '' WHEN g %% 25 = 5 THEN 'dissatisfied' WHEN g %% 25 = 6 THEN 'basic' ELSE 'satisfied' END,
               '', (g %% 40 = 1)::int, (g %% 90 = 2)::int, NULL, NULL, 1, ''
        FROM ({source}) x JOIN workdays_day d ON d.date = x.day"""
    source = """
        SELECT g, c.cat, c.dept, s.status, s.status IN ('replied', 'closed', 'called_back') AND g %% 5 <> 0 AS replied,
               g %% 5 = 0 AND s.status IN ('closed', 'called_back') AS direct,
               %(today)s::date - ((g::bigint * 7919) %% %(days)s)::int AS day,
               CASE WHEN g %% %(every)s = 0 THEN %(heavy)s
                    ELSE '13' || lpad(((g::bigint * 104729) %% %(callers)s)::text, 9, '0') END AS phone
        FROM generate_series(1, %(n)s) AS g
        CROSS JOIN LATERAL (SELECT (%(cats)s::bigint[])[1 + (g * 31) %% %(nc)s] AS cat,
                                   (%(depts)s::bigint[])[1 + (g * 31) %% %(nc)s] AS dept) c
        CROSS JOIN LATERAL (SELECT CASE WHEN g %% 100 < 85 THEN 'called_back' WHEN g %% 100 < 88 THEN 'replied'
                                        WHEN g %% 100 < 93 THEN 'closed' WHEN g %% 100 < 98 THEN 'handling'
                                        ELSE 'merged' END AS status) s"""
    # This week's extra heating orders (a category rising: the report flags it).
    extra = max(total // 2000, 12)
    rising = """
        SELECT g, %(rising)s::bigint AS cat, %(rising_dept)s::bigint AS dept, 'handling' AS status, false AS replied,
               false AS direct, %(monday)s::date + g %% (%(today)s::date - %(monday)s::date + 1) AS day,
               '13' || lpad(((g::bigint * 7) %% %(callers)s)::text, 9, '0') AS phone
        FROM generate_series(%(n)s + 1, %(n)s + %(extra)s) AS g"""
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {ORDER} ({columns}) {select.format(source=source)}", params)
        inserted = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {ORDER} ({columns}) {select.format(source=rising)}", {**params, "extra": extra}
        )
        inserted += cursor.rowcount
        # The phones go in as plain text (pii reads an unsealed value as it is) but the lookups use
        # the keyed digest (decision 47): one digest per distinct phone, joined in set-based.
        cursor.execute(f"SELECT DISTINCT caller_phone FROM {ORDER} WHERE caller_phone_digest = ''")
        digests = [(phone, pii.digest("phone", phone)) for (phone,) in cursor.fetchall()]
        cursor.execute("CREATE TEMP TABLE bench_digest (phone text PRIMARY KEY, digest text)")
        with cursor.copy("COPY bench_digest (phone, digest) FROM STDIN") as copy:
            for row in digests:
                copy.write_row(row)
        cursor.execute(f"UPDATE {ORDER} o SET caller_phone_digest = b.digest FROM bench_digest b "
                       "WHERE o.caller_phone = b.phone")  # fmt: skip
        cursor.execute("DROP TABLE bench_digest")
    fill_s = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return {
        "inserted": inserted,
        "fill_s": round(fill_s, 1),
        "vacuum_s": round(time.perf_counter() - t0 - fill_s, 1),
    }


def median_ms(fn, runs: int) -> tuple[float, list[float]]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--report-runs", type=int, default=5)
    parser.add_argument("--skip-fill", action="store_true", help="reuse the database of an earlier run")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds (make bench-quick)")
    args = parser.parse_args()
    if args.quick:
        args.orders, args.lookups, args.report_runs = 5000, 20, 2
    if connection.vendor != "postgresql":
        sys.exit("bench/hotline.py measures PostgreSQL: set BENCH_DATABASE_URL to a postgres:// URL")

    harness.prepare_database(DATABASE_URL, "onewindow_bench_hotline", fresh=not args.skip_fill)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    counts = {}
    if not args.skip_fill:
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
        seed_categories()
        log(f"migrate + seed_demo: {time.perf_counter() - t0:.1f} s")
        counts = fill(args.orders)
        log(f"filled: {json.dumps(counts)}")
    total = WorkOrder.objects.count()

    # The history of random callers (the phones the fill used), then the heavy caller's.
    rng = random.Random(18)
    callers = max(args.orders // 5, 1)
    phones = [f"13{rng.randrange(callers):09d}" for _ in range(args.lookups)]
    lookups = iter(phones * 2)
    found = []
    history_ms, times = median_ms(lambda: found.append(len(caller_history(next(lookups)))), args.lookups - 1)
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * (len(times) - 1)))]
    heavy_ms, _ = median_ms(lambda: caller_history(HEAVY_PHONE), 20)
    # The heavy caller's history is capped at 20 (fewer at --quick sizes).
    assert len(caller_history(HEAVY_PHONE)) == min(
        20, WorkOrder.objects.filter(caller_phone_digest=pii.digest("phone", HEAVY_PHONE)).count()
    )
    log(f"history: median {history_ms:.2f} ms, p95 {p95:.2f} ms over {len(times)} callers "
        f"({statistics.mean(found):.1f} orders shown on average); heavy caller {heavy_ms:.2f} ms")  # fmt: skip
    with connection.cursor() as cursor:
        sql, params = (
            WorkOrder.objects.filter(caller_phone_digest=pii.digest("phone", phones[0]))
            .order_by("-received_at", "-pk")[:20]
            .query.sql_with_params()
        )
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        log("\n".join(row[0] for row in cursor.fetchall()))

    today = clock.today()
    week, month = report.week(today), report.month(today)

    def page(period):
        data = report.category_report(period)
        figures.by_department(period.start, period.end)
        return data

    report_ms, _ = median_ms(lambda: page(week), args.report_runs)
    month_ms, _ = median_ms(lambda: page(month), args.report_runs)
    data = page(week)
    rising = [x.code for x in data.rising]
    log(f"weekly report: {report_ms:.0f} ms ({data.total} orders this week, rising {rising}); "
        f"monthly: {month_ms:.0f} ms")  # fmt: skip

    print(json.dumps({
        "bench": "hotline", "orders": total, "history_ms": round(history_ms, 2), "history_p95_ms": round(p95, 2),
        "history_heavy_ms": round(heavy_ms, 2), "report_s": round(report_ms / 1000, 3),
        "month_report_s": round(month_ms / 1000, 3), "week_orders": data.total, "rising": rising,
        "fill_s": counts.get("fill_s"),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
