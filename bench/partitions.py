"""Benchmark: the audit trail partitioned by the year of its case (decision 50), against the
plain table, on the same data. Not a test.

Loads the demo hall into its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/onewindow_partition_bench, dropped and recreated), then fills
with set-based SQL (INSERT … SELECT generate_series, as bench/supervision.py) --cases closed cases
received evenly over 5 years (2022-01 … 2026-11, ids in time order) with 2 or 3 events each
(~2.5 per case); --sample cases spread over the years get real hash chains. VACUUM (FREEZE,
ANALYZE), then measures on the plain table, converts (manage.py partition_events), VACUUM
(FREEZE, ANALYZE) again and measures the same on the partitioned one:

- `history_ms`: the median time of one case's history through the ORM (events by case, in seq
  order), warm; `history_buffers` / `history_exec_ms`: EXPLAIN (ANALYZE, BUFFERS) of that query;
- `append_ms`: the median time of one event's INSERT through the ORM (each rolled back);
- `verify_case_ms`: the median time to recompute one case's chain (cases.audit.broken_at);
- `vacuum_s`: VACUUM of the events after --cases/100 new events of the newest cases (the whole
  table; partitioned also `vacuum_current_s`, the current year's partition alone);
- `retire_oldest_s`: taking the oldest year out — DELETE of its events on the plain table,
  DETACH PARTITION on the partitioned one (each rolled back);
- `convert_s` (the conversion, one transaction), `roll_s` (the year's turn, clock at 2027-01-04),
  `events_mb` (table and indexes).

    .venv/bin/python bench/partitions.py [--cases 200000] [--sample 200] [--quick]

Diagnostics go to stderr; stdout ends with one JSON line.
"""

import argparse
import datetime as dt
import importlib.util
import io
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

DATABASE_URL = harness.configure("postgres://postgres@127.0.0.1:5432/onewindow_partition_bench")

import django

django.setup()

from django.core.management import call_command
from django.db import connection, transaction

from onewindow import clock
from onewindow.accounts.models import Applicant, Hall
from onewindow.cases import audit
from onewindow.cases.models import Case, CaseEvent
from onewindow.catalog.models import ServiceItem
from onewindow.ops import partitions

HALL = "371400-zwfw"
PREFIX = "PB-"
START = dt.datetime(2022, 1, 3, 9, tzinfo=clock.hall_tz())
END = dt.datetime(2026, 11, 30, 17, tzinfo=clock.hall_tz())
TODAY = dt.date(2026, 12, 1)


def sql(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def fill(total: int) -> dict:
    hall = Hall.objects.get(code=HALL)
    item = ServiceItem.objects.filter(current__isnull=False).order_by("pk").first()
    params = {
        "n": total, "prefix": PREFIX, "item": item.pk, "version": item.current_id, "department": item.department_id,
        "applicant": Applicant.objects.order_by("pk").values_list("pk", flat=True).first(), "hall": hall.pk,
        "region": hall.region_id, "start": START, "step": (END - START) / total, "tz": str(clock.hall_tz()),
    }  # fmt: skip
    t0 = time.perf_counter()
    sql(
        """INSERT INTO cases_case (
               number, item_id, item_version_id, department_id, applicant_id, hall_id, region_code, channel,
               status, outcome, form_data, received_at, received_on, intake_from, accepted_on, promised_days,
               extra_days, frozen_light, extended, by_commitment, decided_at, closed_at, closed_on,
               event_count, last_hash, project_code, bundle_number)
           SELECT %(prefix)s || lpad(g::text, 9, '0'), %(item)s, %(version)s, %(department)s, %(applicant)s,
                  %(hall)s, %(region)s, 'window', 'closed', 'approved', '{}'::jsonb, r, (r AT TIME ZONE %(tz)s)::date,
                  (r AT TIME ZONE %(tz)s)::date, (r AT TIME ZONE %(tz)s)::date, 10, 0, '', false, false,
                  r + interval '5 days', r + interval '5 days', (r AT TIME ZONE %(tz)s)::date + 5,
                  2 + g %% 2, '', '', ''
           FROM generate_series(1, %(n)s) AS g, LATERAL (SELECT %(start)s + (g - 1) * %(step)s AS r) t
           ORDER BY g""",
        params,
    )
    sql(
        """INSERT INTO cases_caseevent (case_id, seq, at, actor_id, action, from_status, to_status, reason, payload,
                                        prev_hash, hash)
           SELECT c.id, s, c.received_at + s * interval '1 minute', NULL,
                  (ARRAY['submit', 'accept', 'approve'])[s], (ARRAY['', 'submitted', 'in_review'])[s],
                  (ARRAY['submitted', 'in_review', 'closed'])[s], '', '{}'::jsonb,
                  CASE WHEN s > 1 THEN lpad(c.id || '-' || (s - 1), 64, '0') ELSE '' END, lpad(c.id || '-' || s, 64, '0')
           FROM cases_case c, generate_series(1, c.event_count) AS s
           WHERE c.number LIKE 'PB-%' ORDER BY c.id, s""",
    )
    return {"cases": total, "events": CaseEvent.objects.filter(case__number__startswith=PREFIX).count(),
            "fill_s": round(time.perf_counter() - t0, 1)}  # fmt: skip


def chain(sample: list[int]) -> None:
    """Real hash chains for the sampled cases, so that verifying one is the real work."""
    for case in Case.objects.filter(pk__in=sample):
        prev = ""
        for event in case.events.order_by("seq"):
            event.prev_hash = prev
            event.hash = prev = audit.event_hash(prev, case.number, event.seq, event.at, event.actor_id,
                                                 event.action, event.from_status, event.to_status, event.reason,
                                                 event.payload)  # fmt: skip
            event.save(update_fields=["prev_hash", "hash"])
        Case.objects.filter(pk=case.pk).update(last_hash=prev)


def median_ms(run, keys) -> float:
    times = []
    for key in keys:
        t0 = time.perf_counter()
        run(key)
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 3)


def measure(sample: list[int], extra: int, oldest_bound: int, partitioned: bool) -> dict:
    sql("VACUUM (FREEZE, ANALYZE) cases_caseevent" if not partitioned else "VACUUM (FREEZE, ANALYZE)")
    cases = {c.pk: c for c in Case.objects.filter(pk__in=sample)}

    def history(pk):
        return list(CaseEvent.objects.filter(case_id=pk).order_by("seq"))

    median_ms(history, sample)  # warm
    out = {"history_ms": median_ms(history, sample)}
    plan = sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM cases_caseevent WHERE case_id = %s "
               "ORDER BY seq", [sample[0]])[0][0][0]  # fmt: skip
    out["history_buffers"] = plan["Plan"].get("Shared Hit Blocks", 0) + plan["Plan"].get(
        "Shared Read Blocks", 0
    )
    out["history_exec_ms"] = plan["Execution Time"]
    out["history_planning_ms"] = plan["Planning Time"]

    def append(pk):
        with transaction.atomic():
            CaseEvent.objects.create(case_id=pk, seq=10_000, at=clock.now(), action="note", to_status="closed",
                                     hash="0" * 64)  # fmt: skip
            transaction.set_rollback(True)

    out["append_ms"] = median_ms(append, sample)

    def verify(pk):
        case = cases[pk]
        found = audit.broken_at(case.events.order_by("seq").iterator(), case.number, case.event_count,
                                case.last_hash)  # fmt: skip
        assert found is None, (pk, found)

    out["verify_case_ms"] = median_ms(verify, sample)
    # Appends go to the newest cases (events are never rewritten): `extra` of them, then VACUUM.
    offset = 20_000 if partitioned else 10_000
    sql(f"""INSERT INTO cases_caseevent (case_id, seq, at, action, from_status, to_status, reason, payload,
                                         prev_hash, hash)
            SELECT id, {offset} + 1, now(), 'note', '', 'closed', '', '{{}}'::jsonb, '', repeat('0', 64)
            FROM cases_case WHERE id <> ALL(%s) ORDER BY id DESC LIMIT %s""", [sample, extra])  # fmt: skip
    t0 = time.perf_counter()
    sql("VACUUM cases_caseevent")
    out["vacuum_s"] = round(time.perf_counter() - t0, 3)
    if partitioned:
        sql(f"""INSERT INTO cases_caseevent (case_id, seq, at, action, from_status, to_status, reason, payload,
                                             prev_hash, hash)
                SELECT id, {offset} + 2, now(), 'note', '', 'closed', '', '{{}}'::jsonb, '', repeat('0', 64)
                FROM cases_case WHERE id <> ALL(%s) ORDER BY id DESC LIMIT %s""", [sample, extra])  # fmt: skip
        t0 = time.perf_counter()
        sql(f'VACUUM "{partitions.partitions()[-1].name}"')
        out["vacuum_current_s"] = round(time.perf_counter() - t0, 3)
    with transaction.atomic():
        t0 = time.perf_counter()
        if partitioned:
            sql(f'ALTER TABLE cases_caseevent DETACH PARTITION "{partitions.partitions()[0].name}"')
        else:
            sql("DELETE FROM cases_caseevent WHERE case_id < %s", [oldest_bound])
        out["retire_oldest_s"] = round(time.perf_counter() - t0, 3)
        transaction.set_rollback(True)
    size = ("SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('cases_caseevent')" if partitioned
            else "SELECT pg_total_relation_size('cases_caseevent')")  # fmt: skip
    out["events_mb"] = round(float(sql(size)[0][0]) / 2**20, 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds")
    parser.add_argument(
        "--skip-fill", action="store_true", help="reuse the filled database (back to plain first)"
    )
    args = parser.parse_args()
    if args.quick:
        args.cases, args.sample = 5000, 20
    if connection.vendor != "postgresql":
        sys.exit("bench/partitions.py measures PostgreSQL: set BENCH_DATABASE_URL to a postgres:// URL")
    harness.prepare_database(DATABASE_URL, "onewindow_partition_bench", fresh=not args.skip_fill)
    if args.skip_fill:
        if partitions.is_partitioned():
            partitions.undo()
        sql("DELETE FROM cases_caseevent WHERE action = 'note'")
        counts = {"cases": Case.objects.filter(number__startswith=PREFIX).count(),
                  "events": CaseEvent.objects.filter(case__number__startswith=PREFIX).count()}  # fmt: skip
    else:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
        log(f"migrate + seed_demo: {time.perf_counter() - t0:.1f} s")
    # The demo's cases were made just now with recent dates: moved 5 years back, they sit in the
    # first partition, as in a hall whose ids follow time (the year's bounds need that order).
    if not args.skip_fill:
        sql(
            f"UPDATE cases_case SET received_at = received_at - interval '5 years' WHERE number NOT LIKE '{PREFIX}%'"
        )
    with clock.frozen(TODAY):
        if not args.skip_fill:
            counts = fill(args.cases)
            log(f"filled: {json.dumps(counts)}")
        ids = list(Case.objects.filter(number__startswith=PREFIX).order_by("pk").values_list("pk", flat=True))
        rng = random.Random(20261204)
        sample = sorted(rng.sample(ids, args.sample))
        chain(sample)
        oldest_bound = Case.objects.filter(received_at__gte=dt.datetime(2023, 1, 1, tzinfo=clock.hall_tz())).order_by("pk").values_list("pk", flat=True).first()  # fmt: skip
        extra = max(args.cases // 100, 1)
        plain = measure(sample, extra, oldest_bound, partitioned=False)
        log(f"plain: {json.dumps(plain)}")
        t0 = time.perf_counter()
        call_command("partition_events", stdout=io.StringIO())
        convert_s = round(time.perf_counter() - t0, 2)
        parted = measure(sample, extra, oldest_bound, partitioned=True)
        log(f"partitioned: {json.dumps(parted)}")
    with clock.frozen(dt.date(2027, 1, 4)):
        t0 = time.perf_counter()
        rolled = partitions.roll()
        roll_s = round(time.perf_counter() - t0, 2)
    assert rolled is not None
    print(json.dumps({
        "bench": "partitions", **counts, "partitions": [p.name for p in partitions.partitions()],
        "convert_s": convert_s, "roll_s": roll_s, "plain": plain, "partitioned": parted,
    }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
