"""Benchmark: the hall queue (kiosks issue tickets, windows call and finish them) through the
whole stack on PostgreSQL. Not a test.

Creates its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/onewindow_queue_bench, dropped and recreated when its name
starts with onewindow_queue_bench), migrates, runs seed_demo, adds --windows comprehensive windows
Q01 … of the city hall 371400-zwfw each calling categories A–E, one clerk (own user, staff of the
city hall, own API token) per window, and --kiosks kiosk tokens (of the demo clerk). Pre-fills
--prefill waiting tickets in-process and ANALYZEs, starts its own gunicorn (sync workers) on a
free port of 127.0.0.1 and, after --warmup seconds, measures --seconds of:

- kiosks (threads): POST /api/v1/tickets {"hall", "category": random A–E} → 201, as often as
  their pacing allows (and never while the client-side backlog estimate exceeds --max-backlog);
- windows (threads): POST /api/v1/tickets/call-next → 200 (a ticket) or 409 queue.empty; after a
  200 at once POST /api/v1/tickets/371400-zwfw/{number}/finish → 200, as often as their pacing
  allows (an empty answer waits --empty-backoff-ms, default 0).

By default the clients are paced: each window calls every 5 s and each kiosk issues every 2 s
(10 calls/s and 10 tickets/s for the hall, about ten times a busy city hall's rate). That is the
load at which the issue's target (p99 < 50 ms, no duplicates) is measured. Flat out
(--kiosk-interval-ms 0 --window-interval-ms 0), every client always has one request in flight,
so by Little's law the latency is
(kiosks + windows) / throughput whatever a request costs: it measures the capacity. For the
latency at a given load, pace the clients: --kiosk-interval-ms / --window-interval-ms (a kiosk
issues, a window calls, at most once per interval; random phase). Before the run, --solo cycles
of issue + call-next + finish by one client alone give the unloaded service time.

Every request uses a minimal raw-socket HTTP client (as bench/intake.py --raw-http; gunicorn's
sync workers do no keep-alive, so every request is a new connection). Latency of every request
is recorded; p50/p99 in the JSON line are over call-next requests (200 and 409). Errors are all
answers other than 2xx and 409 queue.empty, over the whole run including the warm-up. Each
second the log shows calls, issues, finishes, slow (> 50 ms) call-nexts, the queue length, and
the CPU cores of gunicorn / PostgreSQL / everything else (another job on the machine slows every
request; then the rates and latencies are not comparable between runs), plus what the bench's
PostgreSQL backends were doing (sampled: "idle in transaction" is Python time inside a
transaction, "Lock:…" a lock wait, "IO:WALSync" a commit's flush).

Duplicates, after the run: tickets with more than one CallEvent(recall=False); tickets whose
non-recall call event names another window than the ticket; (day, number) pairs handed to two
windows in the clients' own records; and tickets whose window in the database differs from the
window the client says got it. `duplicates` counts the distinct tickets flagged (must be 0).

Last (unless --skip-queries), in-process (django.test.Client under CaptureQueriesContext): one
issue, one call-next (200), one finish and one call-next (409 empty), each statement listed on
stderr, then the median time of each (and of GET /api/v1/ping) in total and inside the database
driver. The leftover waiting tickets are set to no_show first (so the last call is empty).

    .venv/bin/python bench/hall_queue.py [--seconds 60] [--windows 50] [--kiosks 20] [--workers 4]
        [--warmup 3] [--prefill 500] [--max-backlog 2000] [--empty-backoff-ms 0]
        [--kiosk-interval-ms 0] [--window-interval-ms 0] [--solo 100] [--skip-queries]

Diagnostics go to stderr; stdout ends with one JSON line.
"""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent

import argparse
import collections
import contextlib
import datetime as dt
import importlib.util
import json
import logging
import os
import random
import threading
import time
from zoneinfo import ZoneInfo

_spec = importlib.util.spec_from_file_location("bench_harness", _HERE / "harness.py")
harness = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

from bench_harness import HOST, CpuMeter, Errors, HttpClient, Server, log, percentile, server_cpu_ms

DATABASE_URL = harness.configure("postgres://postgres@127.0.0.1:5432/onewindow_queue_bench")

import django

django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F

from onewindow import clock
from onewindow.accounts.models import Hall, HallOpeningHours, Role, Staff, User, Window
from onewindow.accounts.services import create_window, issue_token
from onewindow.queueing import services as queue_services
from onewindow.queueing.models import CallEvent, Category, Ticket, WindowCategory

HALL = "371400-zwfw"
LETTERS = "ABCDE"
KIOSK_USER = "clerk"  # any staff user may issue tickets (@requires())
DB_PREFIX = "onewindow_queue_bench"


# ---- the database --------------------------------------------------------------------------


def setup_hall(windows: int, kiosks: int) -> tuple[list[tuple[str, str]], list[str]]:
    """Windows Q01 … calling A–E, one clerk with a token each; kiosk tokens. Returns
    [(window number, clerk secret)] and [kiosk secret]."""
    hall = Hall.objects.get(code=HALL)
    categories = {c.letter: c for c in Category.objects.filter(hall=hall, letter__in=LETTERS)}
    assert sorted(categories) == list(LETTERS), categories
    pairs = []
    with transaction.atomic():
        # The kiosks issue at whatever hour the bench runs (they issue only in opening hours;
        # a statutory holiday stays closed by the working-day calendar).
        HallOpeningHours.objects.filter(hall=hall).delete()
        HallOpeningHours.objects.bulk_create(
            [HallOpeningHours(hall=hall, weekday=d, opens=dt.time(0), closes=dt.time.max) for d in range(7)]
        )
        for i in range(1, windows + 1):
            number = f"Q{i:02d}"
            window = create_window(hall=hall, number=number, name=f"压测窗口{number}",
                                   kind=Window.Kind.COMPREHENSIVE, departments=[])  # fmt: skip
            WindowCategory.objects.bulk_create(
                [WindowCategory(window=window, category=categories[letter], order=order)
                 for order, letter in enumerate(LETTERS, start=1)]
            )  # fmt: skip
            # Directly rather than accounts.services.create_staff: its password hashing
            # (PBKDF2) would take most of the set-up time; these users log in by token only.
            user = User(username=f"bench-q{i:02d}", display_name=f"压测{number}", is_staff=False)
            user.set_unusable_password()
            user.save()
            staff = Staff.objects.create(user=user, name=f"压测{number}", role=Role.CLERK, hall=hall)
            staff.windows.set([window])
            pairs.append((number, issue_token(user, f"bench-queue-{number}")[1]))
        kiosk_user = User.objects.get(username=KIOSK_USER)
        kiosk_secrets = [issue_token(kiosk_user, f"bench-kiosk-{i}")[1] for i in range(kiosks)]
    return pairs, kiosk_secrets


def prefill(total: int, seed: int = 20261126) -> None:
    """`total` waiting tickets through the service (the queue does not start empty) + ANALYZE."""
    hall = Hall.objects.get(code=HALL)
    categories = list(Category.objects.filter(hall=hall, letter__in=LETTERS))
    rng = random.Random(seed)
    for _ in range(total):
        queue_services.issue_ticket(hall, rng.choice(categories))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# ---- the load generator --------------------------------------------------------------------


class Shared:
    """Counters all clients share: the client-side backlog estimate that paces the kiosks."""

    def __init__(self, prefilled: int):
        self.lock = threading.Lock()
        self.issued = prefilled
        self.called = 0

    def backlog(self) -> int:
        return self.issued - self.called


class Client(HttpClient):
    """One kiosk or one window: one raw HTTP connection (a new one per request with sync workers)."""

    def __init__(self, port: int, secret: str, errors: Errors, shared: Shared, window: str | None = None):
        super().__init__(port)
        self.headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        self.errors, self.shared, self.window = errors, shared, window
        self.rng = random.Random(hash((secret, window)))
        self.issue_bodies = [json.dumps({"hall": HALL, "category": letter}).encode() for letter in LETTERS]
        if window:
            self.call_body = json.dumps({"hall": HALL, "window": window}).encode()
            self.finish_body = json.dumps({"hall": HALL, "window": window, "cases": []}).encode()
        # measured, per kind of request: latencies (ms)
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.call_ok_latencies: list[float] = []
        self.issues = self.calls = self.empties = self.empties_total = 0
        self.per_second: collections.Counter = collections.Counter()  # (kind, second) → count
        self.handed: list[tuple[str, str, str]] = []  # (day, number, window): every 200 of call-next

    def _timed(self, what: str, path: str, body: bytes, window) -> tuple[int, bytes, float, bool]:
        status, data, t0, t1 = self.timed_call("POST", path, body, self.headers)
        measured = window[0] <= t1 <= window[1]
        if measured:
            self.latencies[what].append((t1 - t0) * 1000)
            if what == "call-next" and t1 - t0 > 0.05:
                self.per_second["slow-call", int(t1 - window[0])] += 1
        return status, data, (t1 - window[0]), measured

    def _pace(self, interval: float, due: float | None) -> float | None:
        """Waits until `due` (the start of this client's next cycle when paced); returns the
        next one. The first cycle starts at a random phase, so paced clients do not march in step."""
        if not interval:
            return None
        now = time.perf_counter()
        if due is None:
            due = now + self.rng.uniform(0, interval)
        if due > now:
            time.sleep(due - now)
        return max(due + interval, time.perf_counter())  # late: no burst to catch up

    def issue_once(self, window) -> None:
        body = self.issue_bodies[self.rng.randrange(len(LETTERS))]
        status, data, at, measured = self._timed("issue", "/api/v1/tickets", body, window)
        if status == 201:
            with self.shared.lock:
                self.shared.issued += 1
            if measured:
                self.issues += 1
                self.per_second["issue", int(at)] += 1
        else:
            self.errors.add("issue", status, data)
            time.sleep(0.01)

    def call_once(self, window, empty_backoff: float) -> None:
        """call-next, and on a ticket at once finish."""
        status, data, at, measured = self._timed(
            "call-next", "/api/v1/tickets/call-next", self.call_body, window
        )
        if status == 200:
            if measured:
                self.call_ok_latencies.append(self.latencies["call-next"][-1])
                self.calls += 1
                self.per_second["call", int(at)] += 1
            with self.shared.lock:
                self.shared.called += 1
            ticket = json.loads(data)
            day = dt.datetime.fromisoformat(ticket["issued_at"]).astimezone(ZoneInfo("Asia/Shanghai")).date()
            self.handed.append((day.isoformat(), ticket["number"], self.window))
            if ticket.get("window") != self.window:
                self.errors.add("call-next-window", ticket.get("window"), data)
            path = f"/api/v1/tickets/{HALL}/{ticket['number']}/finish"
            status, data, at, measured = self._timed("finish", path, self.finish_body, window)
            if measured:
                self.per_second["finish", int(at)] += 1
            if status != 200:
                self.errors.add("finish", status, data)
                time.sleep(0.01)
        elif status == 409 and b'"queue.empty"' in data:
            self.empties_total += 1
            if measured:
                self.empties += 1
            if empty_backoff:
                time.sleep(empty_backoff)
        else:
            self.errors.add("call-next", status, data)
            time.sleep(0.01)

    def kiosk(self, window, max_backlog: int, interval: float = 0) -> None:
        due = None
        while time.perf_counter() < window[1]:
            if self.shared.backlog() >= max_backlog:
                time.sleep(0.005)
                continue
            due = self._pace(interval, due)
            self.issue_once(window)

    def counter(self, window, empty_backoff: float, interval: float = 0) -> None:
        due = None
        while time.perf_counter() < window[1]:
            due = self._pace(interval, due)
            self.call_once(window, empty_backoff)


def solo(kiosk: Client, counter: Client, cycles: int) -> dict:
    """The service time without load: one issue, one call-next and one finish after another
    (after 5 cycles per worker that warm its per-process caches: tokens, connection)."""
    warm = (0.0, 0.0)  # nothing measured
    for _ in range(20):
        kiosk.issue_once(warm)
        counter.call_once(warm, 0)
    window = (0.0, float("inf"))
    for _ in range(cycles):
        kiosk.issue_once(window)
        counter.call_once(window, 0)
    out = {k: {"p50": percentile(v, 50), "p99": percentile(v, 99), "n": len(v)}
           for k, v in [("issue", kiosk.latencies["issue"]), ("call-next", counter.latencies["call-next"]),
                        ("finish", counter.latencies["finish"])]}  # fmt: skip
    log(f"[solo] one client after another, {cycles} cycles: {json.dumps(out)}")
    return out


@contextlib.contextmanager
def monitor():
    """A sampler of the bench database's backends (state/wait event), 20 times a second in a
    thread of its own; `sample()` returns and clears the counts so far."""
    import psycopg

    counts, lock, stop = collections.Counter(), threading.Lock(), threading.Event()

    def loop():
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            while not stop.wait(0.05):
                rows = conn.execute(
                    "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'cpu') FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                ).fetchall()
                with lock:
                    for state, wait in rows:
                        counts[f"{state} {wait}" if state == "active" else state or "?"] += 1

    def sample():
        with lock:
            out = collections.Counter(counts)
            counts.clear()
        return out

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield sample
    finally:
        stop.set()
        thread.join(5)


def run(kiosks: list[Client], counters: list[Client], server: Server, args) -> dict:
    start = time.perf_counter()
    window = (start + args.warmup, start + args.warmup + args.seconds)
    threads = [threading.Thread(target=c.kiosk, args=(window, args.max_backlog, args.kiosk_interval_ms / 1000),
                                daemon=True) for c in kiosks]  # fmt: skip
    threads += [threading.Thread(target=c.counter, args=(window, args.empty_backoff_ms / 1000,
                                                         args.window_interval_ms / 1000), daemon=True)
                for c in counters]  # fmt: skip
    for t in threads:
        t.start()
    time.sleep(max(0.0, window[0] - time.perf_counter()))
    backlog, cpu_each_second, waits = [], [], collections.Counter()
    with CpuMeter(server) as cpu:
        # Each second: the queue length (client-side), the CPU cores of gunicorn, of PostgreSQL
        # and of everything else (another job on the machine), and what the bench's PostgreSQL
        # backends are waiting on (sampled: a lock wait would show here).
        pids = {"gunicorn": server.worker_pids(), "postgres": harness.bench_backends(DATABASE_URL)}
        last = {k: harness.cpu_by_pid(v) for k, v in pids.items()}
        last_busy, last_self = harness.machine_busy_seconds(), harness.self_cpu_seconds()
        last_t = time.perf_counter()
        with monitor() as sample:
            while (now := time.perf_counter()) < window[1]:
                time.sleep(min(1.0, window[1] - now))
                backlog.append(kiosks[0].shared.backlog())
                current = {k: harness.cpu_by_pid(v) for k, v in pids.items()}
                busy, own, t = harness.machine_busy_seconds(), harness.self_cpu_seconds(), time.perf_counter()
                ours = {k: harness.delta(last[k], current[k]) / (t - last_t) for k in pids}
                ours["generator"] = (own - last_self) / (t - last_t)
                other = max(0.0, (busy - last_busy) / (t - last_t) - sum(ours.values()))
                cpu_each_second.append(
                    "/".join(f"{x:.1f}" for x in (ours["gunicorn"], ours["postgres"], other))
                )
                last, last_busy, last_self, last_t = current, busy, own, t
                waits.update(sample())
    for t in threads:
        t.join(120)
    everyone = kiosks + counters
    lat = {k: [x for c in everyone for x in c.latencies.get(k, [])] for k in ("issue", "call-next", "finish")}
    per_second = collections.Counter()
    for c in everyone:
        per_second.update(c.per_second)
    seconds = int(args.seconds)
    calls_series = [per_second["call", s] for s in range(seconds)]
    issue_series = [per_second["issue", s] for s in range(seconds)]
    requests = sum(len(v) for v in lat.values())
    result = {
        "calls": sum(c.calls for c in counters),
        "issues": sum(c.issues for c in kiosks),
        "empties": sum(c.empties for c in counters),
        "empties_total": sum(c.empties_total for c in counters),
        "requests": requests,
        "rps": round(requests / args.seconds, 1),
        "latency_ms": {
            k: {"n": len(v), "p50": percentile(v, 50), "p90": percentile(v, 90), "p99": percentile(v, 99),
                "max": percentile(v, 100)}
            for k, v in lat.items()
        },  # fmt: skip
        "call_ok_p99_ms": percentile([x for c in counters for x in c.call_ok_latencies], 99),
        "calls_per_second": {"min": min(calls_series, default=0), "median": sorted(calls_series)[len(calls_series) // 2]
                             if calls_series else 0, "max": max(calls_series, default=0)},
        "issues_per_second": {"min": min(issue_series, default=0), "max": max(issue_series, default=0)},
        "backlog_each_second": backlog,
        "backend_states": dict(waits.most_common()),
        "connects": sum(c.connects for c in everyone),
        "cpu_cores": cpu.cores,
        "server_cpu_ms": server_cpu_ms(cpu.cores, requests, args.seconds),
    }  # fmt: skip
    log(f"[run] {json.dumps(result, ensure_ascii=False)}")
    log(f"[run] calls each second: {calls_series}")
    log(f"[run] issues each second: {issue_series}")
    log(
        f"[run] call-next slower than 50 ms, each second: {[per_second['slow-call', s] for s in range(seconds)]}"
    )
    log(f"[run] finishes each second: {[per_second['finish', s] for s in range(seconds)]}")
    log(
        f"[run] cores each second gunicorn/postgres/other (other: the rest of the machine): {cpu_each_second}"
    )
    return result


# ---- after the run -------------------------------------------------------------------------


def duplicates(counters: list[Client]) -> dict:
    hall = Hall.objects.get(code=HALL)
    flagged: dict[str, set] = {}
    # 1. tickets called (not recalled) more than once
    twice = (CallEvent.objects.filter(hall=hall, recall=False).values("ticket_id").annotate(n=Count("id"))
             .filter(n__gt=1).values_list("ticket__day", "ticket__number"))  # fmt: skip
    flagged["called_twice"] = {(d.isoformat(), n) for d, n in twice}
    # 2. a call event naming another window than its ticket
    other = CallEvent.objects.filter(hall=hall, recall=False).exclude(window=F("ticket__window"))
    flagged["event_window_differs"] = {
        (d.isoformat(), n) for d, n in other.values_list("ticket__day", "ticket__number")
    }
    # 3. the same (day, number) handed to two windows in the clients' records
    handed = [h for c in counters for h in c.handed]
    seen = collections.Counter((d, n) for d, n, _ in handed)
    flagged["handed_twice"] = {k for k, n in seen.items() if n > 1}
    # 4. the database says another window (or no such ticket)
    days = sorted({d for d, _, _ in handed})
    in_db = {
        (d.isoformat(), n): (w, s)
        for d, n, w, s in Ticket.objects.filter(hall=hall, day__in=days).values_list(
            "day", "number", "window__number", "status"
        )
    }  # fmt: skip
    flagged["db_window_differs"] = {(d, n) for d, n, w in handed if in_db.get((d, n), (None, None))[0] != w}
    not_done = sum(1 for d, n, _ in handed if in_db.get((d, n), (None, None))[1] != Ticket.Status.DONE)
    # tickets a bench window called that no client recorded (an answer lost to an error)
    bench_called = {(d.isoformat(), n) for d, n in
                    Ticket.objects.filter(hall=hall, window__number__startswith="Q").values_list("day", "number")}  # fmt: skip
    unrecorded = len(bench_called - set(seen))
    every = set().union(*flagged.values())
    out = {k: len(v) for k, v in flagged.items()}
    out.update({"duplicates": len(every), "handed": len(handed), "not_done": not_done, "unrecorded": unrecorded})  # fmt: skip
    log(f"[duplicates] {json.dumps(out)}")
    if every:
        log(f"[duplicates] e.g. {sorted(every)[:10]}")
    return out


def count_queries(clerk_secret: str, window: str, kiosk_secret: str, runs: int = 30) -> dict:
    """One issue, call-next (200), finish and call-next (409 empty) in-process, every SQL
    statement listed on stderr. The leftover queue is closed first (so the last call is empty)."""
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    Ticket.objects.filter(hall__code=HALL, status=Ticket.Status.WAITING).update(
        status=Ticket.Status.NO_SHOW, finished_at=clock.now()
    )
    logging.getLogger("django.request").setLevel(logging.ERROR)  # not a line per 409 queue.empty
    kiosk = TestClient(HTTP_AUTHORIZATION=f"Bearer {kiosk_secret}")
    clerk = TestClient(HTTP_AUTHORIZATION=f"Bearer {clerk_secret}")
    steps = {}

    def issue():
        return kiosk.post("/api/v1/tickets", {"hall": HALL, "category": "C"}, content_type="application/json")

    def call():
        return clerk.post("/api/v1/tickets/call-next", {"hall": HALL, "window": window},
                          content_type="application/json")  # fmt: skip

    def finish(number):
        return clerk.post(f"/api/v1/tickets/{HALL}/{number}/finish", {"hall": HALL, "window": window, "cases": []},
                          content_type="application/json")  # fmt: skip

    # Warm the per-process caches (tokens, …) as a running worker has them.
    issue()
    finish(call().json()["number"])
    call()
    for label, fn, expect in (("issue", issue, 201), ("call-next", call, 200), ("finish", None, 200),
                              ("call-next-empty", call, 409)):  # fmt: skip
        with CaptureQueriesContext(connection) as ctx:
            answer = fn() if fn else finish(steps["call-next"]["number"])
        assert answer.status_code == expect, (label, answer.status_code, answer.content)
        steps[label] = {"statements": len(ctx.captured_queries), "number": answer.json().get("number")}
        log(f"[queries] {label}: {len(ctx.captured_queries)} statements")
        for i, q in enumerate(ctx.captured_queries, 1):
            log(f"  {i:2d}. ({q['time']}s) {q['sql'][:400]}")
    counts = {k: v["statements"] for k, v in steps.items()}

    # Where the time of a request goes, in-process: total vs. inside the database driver.
    def cycle():
        number = (yield "call-next", call).json()["number"]
        yield "finish", lambda: finish(number)

    timing = harness.in_process_timing(connection, runs, [("issue", issue), cycle, ("call-next-empty", call),
                                                           ("ping", lambda: kiosk.get("/api/v1/ping"))])  # fmt: skip
    log(f"[in-process] median of {runs}: {json.dumps(timing)}")
    return counts


# ---- main ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--windows", type=int, default=50)
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--prefill", type=int, default=500, help="waiting tickets before the start")
    parser.add_argument("--max-backlog", type=int, default=2000, help="kiosks pause above this queue length")
    parser.add_argument(
        "--empty-backoff-ms", type=float, default=0, help="a window's pause after queue.empty"
    )
    parser.add_argument(
        "--kiosk-interval-ms",
        type=float,
        default=2000,
        help="paced: a kiosk issues at most once per interval (0: flat out, a capacity test)",
    )
    parser.add_argument(
        "--window-interval-ms",
        type=float,
        default=5000,
        help="paced: a window calls at most once per interval (0: flat out, a capacity test)",
    )
    parser.add_argument("--solo", type=int, default=100, help="unloaded issue/call/finish cycles first")
    parser.add_argument("--skip-queries", action="store_true", help="no in-process statement count")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds (make bench-quick)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.windows, args.kiosks, args.workers, args.warmup = 2, 3, 2, 2, 0.5
        args.prefill, args.solo, args.window_interval_ms = 20, 5, 500  # at 5 s, 2 s may call none
    if not 1 <= args.windows <= 99:
        parser.error("--windows: 1 … 99")
    harness.exit_on_sigterm()  # a plain `kill` still stops the gunicorn (the `finally` below)

    harness.prepare_database(DATABASE_URL, DB_PREFIX)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
    windows, kiosk_secrets = setup_hall(args.windows, args.kiosks)
    prefill(args.prefill)
    log(
        f"migrate + seed_demo + {args.windows} windows + {args.prefill} tickets: {time.perf_counter() - t0:.1f} s"
    )
    connection.close()  # the server's workers and the generator share the machine, not this connection

    errors = Errors()
    shared = Shared(args.prefill)
    server = Server(args.workers, DATABASE_URL, "queue")
    try:
        server.wait_ready(kiosk_secrets[0])
        log(f"gunicorn: {args.workers} sync workers on {HOST}:{server.port} (log {server.log.name})")
        kiosks = [Client(server.port, s, errors, shared) for s in kiosk_secrets]
        counters = [Client(server.port, s, errors, shared, window=w) for w, s in windows]
        solo_kiosk = Client(server.port, kiosk_secrets[0], errors, Shared(0))
        solo_counter = Client(server.port, windows[0][1], errors, Shared(0), window=windows[0][0])
        unloaded = solo(solo_kiosk, solo_counter, args.solo) if args.solo else None
        result = run(kiosks, counters, server, args)
    finally:
        server.stop()
    errors.report(server)

    dup = duplicates(counters + [solo_counter])
    statements = None
    if not args.skip_queries:
        statements = count_queries(windows[0][1], windows[0][0], kiosk_secrets[0])

    call_lat = result["latency_ms"]["call-next"]
    line = {
        "bench": "queue",
        "seconds": args.seconds if args.seconds != int(args.seconds) else int(args.seconds),
        "windows": args.windows,
        "kiosks": args.kiosks,
        "calls_per_s": round(result["calls"] / args.seconds, 1),
        "issues_per_s": round(result["issues"] / args.seconds, 1),
        "p50_ms": call_lat["p50"],
        "p99_ms": call_lat["p99"],
        "empty_answers": result["empties"],
        "errors": errors.count,
        "duplicates": dup["duplicates"],
        # more detail
        "call_ok_p99_ms": result["call_ok_p99_ms"],
        "issue_p99_ms": result["latency_ms"]["issue"]["p99"],
        "finish_p99_ms": result["latency_ms"]["finish"]["p99"],
        "solo_call_p50_ms": unloaded["call-next"]["p50"] if unloaded else None,
        "solo_call_p99_ms": unloaded["call-next"]["p99"] if unloaded else None,
        "rps": result["rps"],
        "server_cpu_ms": result["server_cpu_ms"],
        "cpu_cores": result["cpu_cores"],
        "statements": statements,
        "workers": args.workers,
        "prefill": args.prefill,
        "paced_ms": {"kiosk": args.kiosk_interval_ms, "window": args.window_interval_ms}
        if args.kiosk_interval_ms or args.window_interval_ms
        else None,
    }
    print(json.dumps(line))
    if errors.count or dup["duplicates"] or not result["calls"]:  # make bench-quick fails on a broken run
        sys.exit(
            f"bench/hall_queue.py: {errors.count} errors, {dup['duplicates']} duplicates, {result['calls']} calls"
        )


if __name__ == "__main__":
    main()
