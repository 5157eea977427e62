"""Benchmark: window intake through the whole stack on PostgreSQL. Not a test.

Loads the demo hall into its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/onewindow_bench, dropped and recreated unless --skip-fill),
pre-fills --open-cases open cases for the department 371400-xzsp with their materials, steps,
events and messages, set-based (on empty tables PostgreSQL caches bad plans), VACUUMs and
ANALYZEs, starts its own gunicorn (sync workers) on a free port of 127.0.0.1 and drives it with
--clients concurrent clients (threads, one HTTP connection each): a warm-up, then --seconds of
submit (POST /api/v1/cases) + accept (POST /api/v1/cases/{number}/accept) as the clerk with API
tokens, and the same time of the no-op GET /api/v1/ping with the same clients, the two in
--rounds alternating slices (the machine's speed drifts by ±10 % within a minute here: the ratio
of two phases run one after the other moved with it). Last, the department inbox query
in-process (median of --inbox-runs). The server is stopped at the end, also on error.
Diagnostics go to stderr; stdout ends with one JSON line.

    .venv/bin/python bench/intake.py [--clients 32] [--seconds 20] [--rounds 4] [--workers 3]
        [--open-cases 200000] [--skip-fill] [--warmup 3] [--raw-http] [--count-queries]

The machine is shared by the generator, gunicorn and PostgreSQL: each phase logs the CPU cores
each of them used, and what everything else on the machine took ("other" — another job running
at the same time lowers every rate; `intake_cpu_ms` and `noop_cpu_ms`, the gunicorn + PostgreSQL
CPU per answered request, hardly move with it). Gunicorn's sync workers do no keep-alive, so each
request opens a new connection (`connects`). --raw-http replaces http.client by a minimal
socket client that takes about half the generator CPU. --count-queries also runs one submit,
one accept and one ping in-process (django.test.Client) under CaptureQueriesContext and prints
every SQL statement and the round trips to stderr (BEGIN and COMMIT, which go with the
statements, are not listed).
"""

import argparse
import datetime as dt
import importlib.util
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

_spec = importlib.util.spec_from_file_location("bench_harness", Path(__file__).with_name("harness.py"))
harness = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

from bench_harness import (
    HOST,
    CpuMeter,
    Errors,
    HttpClient,
    Server,
    log,
    median_ms,
    percentile,
    server_cpu_ms,
)

DATABASE_URL = harness.configure("postgres://postgres@127.0.0.1:5432/onewindow_bench")

import django

django.setup()

from django.core.management import call_command
from django.db import connection

from onewindow import clock, fastsql
from onewindow.accounts.models import Applicant, Department, Hall, User
from onewindow.accounts.services import issue_token
from onewindow.cases import clock_rules, queries
from onewindow.cases.models import OPEN_STATUSES, Case
from onewindow.catalog.models import ServiceItem
from onewindow.workdays import calendar

ITEM = "SPJY-XK-0001"
DEPARTMENT = "371400-xzsp"
HALL = "371400-zwfw"
CLERK = "clerk"
APPLICANT = "luwei"  # a company holding the 营业执照 that 证照共享 finds for the item


# ---- the database --------------------------------------------------------------------------


def fill_open_cases(total: int, seed: int = 20261126) -> float:
    """Inserts `total` open cases (BENCH-00000001 …) for the item's department in one
    INSERT … SELECT generate_series: each row takes one of K precomputed templates (promised
    days, deadlines spread over the coming weeks with ~6 % up to 8 working days overdue, ~91 % in
    review and ~9 % suspended with a frozen light), so the dates come from the real working-day calendar."""
    item = ServiceItem.objects.select_related("current", "department").get(code=ITEM)
    hall = Hall.objects.get(code=HALL)
    applicants = list(Applicant.objects.order_by("pk").values_list("pk", flat=True))
    rng = random.Random(seed)
    today = clock.today()
    today_seq = calendar.seq(today)
    tz = clock.hall_tz()
    cols = {k: [] for k in ("promised", "due_seq", "due_on", "accepted_on", "received_on", "received_at",
                            "status", "frozen", "paused_on")}  # fmt: skip
    for _ in range(997):
        promised = rng.choice([5, 5, 5, 10, 10, 15, 20, 20, 30, 45])
        elapsed = rng.randint(0, promised)  # working days since acceptance
        if rng.random() < 0.06:
            elapsed = promised + rng.randint(1, 8)  # overdue (red)
        accepted_seq = today_seq - elapsed
        due_seq = accepted_seq + promised
        received_seq = accepted_seq - rng.randint(0, 2)
        received_on = calendar.date_of_seq(received_seq)
        received_at = dt.datetime.combine(received_on, dt.time(9, 0), tzinfo=tz) + dt.timedelta(
            minutes=rng.randint(0, 470), seconds=rng.randint(0, 59)
        )
        suspended = rng.random() < 0.09 and elapsed > 0
        if suspended:
            paused_seq = today_seq - rng.randint(0, elapsed)
            frozen = clock_rules.light(due_seq, promised, paused_seq)
            paused_on = calendar.date_of_seq(paused_seq)
        else:
            frozen, paused_on = "", None
        cols["promised"].append(promised)
        cols["due_seq"].append(due_seq)
        cols["due_on"].append(calendar.date_of_seq(due_seq))
        cols["accepted_on"].append(calendar.date_of_seq(accepted_seq))
        cols["received_on"].append(received_on)
        cols["received_at"].append(received_at)
        cols["status"].append("suspended" if suspended else "in_review")
        cols["frozen"].append(frozen)
        cols["paused_on"].append(paused_on)
    params = {
        **cols, "k": len(cols["promised"]), "n": total, "applicants": applicants, "na": len(applicants),
        "item": item.pk, "version": item.current_id, "department": item.department_id, "hall": hall.pk,
        "region": hall.region_id,
    }  # fmt: skip
    table = Case._meta.db_table
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE number LIKE 'BENCH-%%'")
        cursor.execute(
            f"""
            WITH tpl AS (
                SELECT * FROM unnest(
                    %(promised)s::int[], %(due_seq)s::int[], %(due_on)s::date[], %(accepted_on)s::date[],
                    %(received_on)s::date[], %(received_at)s::timestamptz[], %(status)s::text[],
                    %(frozen)s::text[], %(paused_on)s::date[]
                ) WITH ORDINALITY AS t(promised, due_seq, due_on, accepted_on, received_on, received_at,
                                       status, frozen, paused_on, k)
            )
            INSERT INTO {table} (
                number, item_id, item_version_id, department_id, applicant_id, hall_id, region_code,
                channel, status, outcome, form_data, received_at, received_on, intake_from, accepted_on, promised_days,
                extra_days, due_seq, due_on, paused_on, frozen_light, extended, tolerance_due_on,
                by_commitment, decided_at, closed_at, closed_on, closed_seq, event_count, last_hash,
                project_code, bundle_number
            )
            SELECT 'BENCH-' || lpad(g::text, 8, '0'), %(item)s, %(version)s, %(department)s,
                   (%(applicants)s::bigint[])[1 + g %% %(na)s], %(hall)s, %(region)s,
                   'window', t.status, '', '{{}}'::jsonb,
                   t.received_at + (g / %(k)s) * interval '1 microsecond', t.received_on, t.received_on, t.accepted_on,
                   t.promised, 0, t.due_seq, t.due_on, t.paused_on, t.frozen, false, NULL,
                   false, NULL, NULL, NULL, NULL, 0, '', '', ''
            FROM generate_series(1, %(n)s) AS g
            JOIN tpl t ON t.k = 1 + g %% %(k)s
            """,
            params,
        )
        inserted = cursor.rowcount
        fill_children(cursor, item.current_id)
        # VACUUM too: a table just bulk-filled is otherwise vacuumed by autovacuum during the
        # measurement (and first reads set hint bits), which a hall's steady-state table is not.
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")
    assert inserted == total, (inserted, total)
    return time.perf_counter() - t0


def fill_children(cursor, version_id: int) -> None:
    """The BENCH cases' materials, steps, two events and one message, set-based: the tables a
    submission and an acceptance write to hold a hall's rows, as in steady state. (Left empty,
    the plans a worker's connection prepares while they are tiny — sequential scans — stay
    cached while they grow: the lock's read of a case's materials went from ~40 µs to ~900 µs.)
    The events are placeholders: their hashes form no chain (verify_audit would name them)."""
    bench = "SELECT id, number, received_at, accepted_on FROM cases_case WHERE number LIKE 'BENCH-%%'"
    cursor.execute(
        f"""INSERT INTO cases_casematerial (case_id, material_id, name, state, note, file, mark, mark_note)
            SELECT c.id, m.id, m.name, 'received', '', '', '', '' FROM ({bench}) c
            CROSS JOIN catalog_material m WHERE m.version_id = %s""",
        [version_id],
    )
    cursor.execute(
        f"""INSERT INTO cases_casestep (case_id, "order", name, role, kind, due_seq, done_at, done_by_id, opinion)
            SELECT c.id, s."order", s.name, s.role, CASE WHEN s."order" = 1 THEN 'review' ELSE 'decide' END,
                   NULL, NULL, NULL, '' FROM ({bench}) c CROSS JOIN catalog_step s WHERE s.version_id = %s""",
        [version_id],
    )
    cursor.execute(
        f"""INSERT INTO cases_caseevent (case_id, seq, at, actor_id, action, from_status, to_status, reason, payload,
                                         prev_hash, hash)
            SELECT c.id, e.seq, c.received_at, NULL, e.action, e.from_status, e.to_status, '', '{{}}'::jsonb, '',
                   md5(c.id::text || e.action) FROM ({bench}) c
            CROSS JOIN (VALUES (1, 'submit', '', 'submitted'), (2, 'accept', 'submitted', 'in_review'))
                 AS e(seq, action, from_status, to_status)"""
    )
    cursor.execute(
        f"""INSERT INTO notify_message (key, event, phone, text, subject_kind, subject_key, hall_id, state,
                                        attempts,
                                        created_at, next_attempt_at, claim, last_error, sent_at, gateway_ref)
            SELECT 'bench:' || c.id, 'accepted', '13900000000', '【政务服务中心】您的申请已受理。', 'case',
                   c.number, NULL, 'sent', 1, c.received_at, c.received_at, '', '', c.received_at, ''
            FROM ({bench}) c"""
    )


def submit_body(applicant: str) -> str:
    """The clerk's submission: the materials the applicant hands in ticked (their numbers), the
    shared 营业执照 left to 证照共享 (looked up at submission, as at a real window)."""
    materials = ServiceItem.objects.get(code=ITEM).current.materials.order_by("order")
    handed = [m.order for m in materials if m.required and m.source != "shared"]
    return json.dumps({"item": ITEM, "applicant": applicant, "channel": "window", "handed_in": handed})


# ---- the load generator --------------------------------------------------------------------


class Client(HttpClient):
    """One simulated window: one HTTP connection (http.client's, or with --raw-http a
    RawConnection). Gunicorn's sync workers close it after every answer (they do no keep-alive),
    so `connects` ≈ requests with sync workers."""

    def __init__(self, port: int, secret: str, applicant: str, errors: Errors, raw: bool = False):
        super().__init__(port, raw)
        self.headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        self.get_headers = {"Authorization": f"Bearer {secret}"}
        self.submit_body = submit_body(applicant).encode()
        self.errors = errors
        self.reset()

    def reset(self) -> None:
        self.latencies: list[float] = []
        self.requests = 0
        self.cases = 0
        self.connects = 0

    def _timed(self, what, method, path, body, headers, expect, window) -> tuple[int, bytes, float]:
        status, data, t0, t1 = self.timed_call(method, path, body, headers)
        if window[0] <= t1 <= window[1]:
            self.requests += 1
            self.latencies.append((t1 - t0) * 1000)
        if status != expect:
            self.errors.add(what, status, data)
        return status, data, t1

    def intake(self, window) -> None:
        end = window[1]
        while time.perf_counter() < end:
            status, data, _ = self._timed("submit", "POST", "/api/v1/cases", self.submit_body, self.headers, 201,
                                          window)  # fmt: skip
            if status != 201:
                time.sleep(0.01)
                continue
            number = json.loads(data)["number"]
            status, data, t = self._timed("accept", "POST", f"/api/v1/cases/{number}/accept", b"{}", self.headers,
                                          200, window)  # fmt: skip
            if status == 200 and window[0] <= t <= end:
                self.cases += 1
            elif status != 200:
                time.sleep(0.01)

    def ping(self, window) -> None:
        end = window[1]
        while time.perf_counter() < end:
            status, _, _ = self._timed("ping", "GET", "/api/v1/ping", None, self.get_headers, 200, window)
            if status != 200:
                time.sleep(0.01)


def run_rounds(clients: list[Client], server: Server, warmup: float, seconds: float, rounds: int
               ) -> tuple[dict, dict]:  # fmt: skip
    """Intake and no-op in `rounds` alternating slices of seconds/rounds each; each phase's
    figures over all its slices."""
    slices: dict[str, list[dict]] = {"intake": [], "ping": []}
    for r in range(rounds):
        for name in slices:
            ramp = (warmup if name == "intake" else min(warmup, 1.0)) if r == 0 else 0.5
            slices[name].append(run_phase(name, clients, server, ramp, seconds / rounds))
    return tuple(_combined(name, parts, seconds) for name, parts in slices.items())


def _combined(name: str, parts: list[dict], seconds: float) -> dict:
    latencies = [x for p in parts for x in p.pop("latencies")]
    requests = sum(p["requests"] for p in parts)
    cores = {k: round(statistics.fmean(p["cpu_cores"][k] for p in parts), 2) for k in parts[0]["cpu_cores"]}
    result = {
        "requests": requests, "rps": round(requests / seconds, 1), "cases": sum(p["cases"] for p in parts),
        "p50_ms": percentile(latencies, 50), "p90_ms": percentile(latencies, 90),
        "p99_ms": percentile(latencies, 99), "max_ms": percentile(latencies, 100),
        "connects": sum(p["connects"] for p in parts), "cpu_cores": cores,
        "server_cpu_ms": server_cpu_ms(cores, requests, seconds),
        "rps_by_round": [p["rps"] for p in parts],
    }  # fmt: skip
    log(f"[{name}, {len(parts)} rounds] {json.dumps(result, ensure_ascii=False)}")
    return result


def run_phase(name: str, clients: list[Client], server: Server, warmup: float, seconds: float) -> dict:
    for c in clients:
        c.reset()
    start = time.perf_counter()
    window = (start + warmup, start + warmup + seconds)
    threads = [threading.Thread(target=getattr(c, name), args=(window,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    time.sleep(max(0.0, window[0] - time.perf_counter()))
    with CpuMeter(server) as cpu:
        time.sleep(max(0.0, window[1] - time.perf_counter()))
    for t in threads:
        t.join(120)
    latencies = [x for c in clients for x in c.latencies]
    requests = sum(c.requests for c in clients)
    result = {
        "requests": requests,
        "rps": round(requests / seconds, 1),
        "cases": sum(c.cases for c in clients),
        "p50_ms": percentile(latencies, 50),
        "p90_ms": percentile(latencies, 90),
        "p99_ms": percentile(latencies, 99),
        "max_ms": percentile(latencies, 100),
        "connects": sum(c.connects for c in clients),
        "cpu_cores": cpu.cores,
        "server_cpu_ms": server_cpu_ms(cpu.cores, requests, seconds),
    }
    log(f"[{name}] {json.dumps(result, ensure_ascii=False)}")
    return {**result, "latencies": latencies}


# ---- in-process measurements ---------------------------------------------------------------


def explain_inbox(department_id: int) -> None:
    """EXPLAIN ANALYZE of the SQL queries.inbox really ran (captured, so it follows the code)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        queries.inbox(department_id)
    with connection.cursor() as cursor:
        for q in ctx.captured_queries:
            if q["sql"].startswith("SELECT"):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"].replace("%", "%%"))
                log("[inbox plan]\n" + "\n".join(r[0] for r in cursor.fetchall()))


def count_queries(secret: str, applicant: str) -> None:
    """One submit, one accept and one ping in-process, with every SQL statement listed."""
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    client = TestClient(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = submit_body(applicant)

    def submit():
        return client.post("/api/v1/cases", body, content_type="application/json")

    def accept(number):
        return client.post(f"/api/v1/cases/{number}/accept", "{}", content_type="application/json")

    # Warm the per-process caches (token, published version, calendar) as a running worker has.
    accept(submit().json()["number"])
    with CaptureQueriesContext(connection) as submitted, fastsql.round_trips() as submit_trips:
        answer = submit()
    number = answer.json()["number"]
    with CaptureQueriesContext(connection) as accepted, fastsql.round_trips() as accept_trips:
        accept(number)
    with CaptureQueriesContext(connection) as pinged, fastsql.round_trips() as ping_trips:
        client.get("/api/v1/ping")
    for label, ctx, trips in (("submit", submitted, submit_trips), ("accept", accepted, accept_trips),
                              ("ping", pinged, ping_trips)):  # fmt: skip
        log(f"[queries] {label}: {len(ctx.captured_queries)} statements in {trips.count} round trips")
        for i, q in enumerate(ctx.captured_queries, 1):
            log(f"  {i:2d}. ({q['time']}s) {q['sql'][:300]}")


# ---- main ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--rounds", type=int, default=4, help="alternating intake / no-op slices")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--open-cases", type=int, default=200_000)
    parser.add_argument("--skip-fill", action="store_true", help="reuse the database as it is")
    parser.add_argument("--inbox-runs", type=int, default=20)
    parser.add_argument(
        "--raw-http",
        action="store_true",
        help="a minimal socket HTTP client instead of http.client (less generator CPU)",
    )
    parser.add_argument("--count-queries", action="store_true", help="list the SQL of one submit/accept/ping")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds (make bench-quick)")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.seconds, args.warmup, args.rounds = 4, 2, 0.5, 2
        args.workers, args.open_cases, args.inbox_runs = 2, 300, 2
    harness.exit_on_sigterm()  # a plain `kill` still stops the gunicorn (the `finally` below)

    harness.prepare_database(DATABASE_URL, "onewindow_bench", fresh=not args.skip_fill)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
    log(f"migrate + seed_demo: {time.perf_counter() - t0:.1f} s")
    if not args.skip_fill:
        fill_s = fill_open_cases(args.open_cases)
        log(f"filled {args.open_cases} open cases + VACUUM (ANALYZE) in {fill_s:.1f} s")
    department = Department.objects.get(code=DEPARTMENT)
    open_cases = Case.objects.filter(department=department, status__in=OPEN_STATUSES).count()
    clerk = User.objects.get(username=CLERK)
    applicant = Applicant.objects.get(user__username=APPLICANT).ref
    secrets_ = [issue_token(clerk, f"bench-intake-{i}")[1] for i in range(args.clients)]
    connection.close()  # the server's workers and the generator share the machine, not this connection

    errors = Errors()
    server = Server(args.workers, DATABASE_URL, "intake")
    try:
        server.wait_ready(secrets_[0])
        log(f"gunicorn: {args.workers} sync workers on {HOST}:{server.port} (log {server.log.name})")
        clients = [Client(server.port, s, applicant, errors, raw=args.raw_http) for s in secrets_]
        intake, noop = run_rounds(clients, server, args.warmup, args.seconds, args.rounds)
    finally:
        server.stop()
    errors.report(server)

    inbox_ms = median_ms(lambda: queries.inbox(department.pk), args.inbox_runs, warmups=2)
    counts_ms = median_ms(
        lambda: queries.light_counts(department.pk), max(5, args.inbox_runs // 2), warmups=2
    )
    explain_inbox(department.pk)
    if args.count_queries:
        count_queries(secrets_[0], applicant)

    result = {
        "bench": "intake",
        "clients": args.clients,
        "cases_per_s": round(intake["cases"] / args.seconds, 1),
        "p50_ms": intake["p50_ms"],
        "p99_ms": intake["p99_ms"],
        "noop_rps": noop["rps"],
        "intake_rps": intake["rps"],
        "ratio": round(intake["rps"] / noop["rps"], 3) if noop["rps"] else None,
        "inbox_ms": round(inbox_ms, 2),
        "errors": errors.count,
        "light_counts_ms": round(counts_ms, 2),
        "noop_p99_ms": noop["p99_ms"],
        "workers": args.workers,
        "rounds": args.rounds,
        "open_cases": open_cases,
        "intake_cpu_ms": intake["server_cpu_ms"],
        "noop_cpu_ms": noop["server_cpu_ms"],
        "generator_cores": max(intake["cpu_cores"]["generator"], noop["cpu_cores"]["generator"]),
        "other_cores": max(intake["cpu_cores"]["other"], noop["cpu_cores"]["other"]),
        "http": "raw" if args.raw_http else "http.client",
    }
    print(json.dumps(result))
    if errors.count or not intake["cases"]:  # figures of failed requests mean nothing: make bench-quick fails
        sys.exit(f"bench/intake.py: {errors.count} errors, {intake['cases']} cases accepted")


if __name__ == "__main__":
    main()
