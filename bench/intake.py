"""Benchmark: window intake through the whole stack on PostgreSQL. Not a test.

Loads the demo hall into its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/onewindow_bench, dropped and recreated unless --skip-fill),
pre-fills --open-cases open cases for the department 371400-xzsp with set-based SQL (on empty
tables PostgreSQL caches bad plans), ANALYZEs, starts its own gunicorn (sync workers) on a free
port of 127.0.0.1 and drives it with --clients concurrent clients (threads, one HTTP connection
each): a warm-up, then --seconds of submit (POST /api/v1/cases) + accept (POST
/api/v1/cases/{number}/accept) as the clerk with API tokens, then the same time of the no-op
GET /api/v1/ping with the same clients. Last, the department inbox query in-process (median of
--inbox-runs). The server is stopped at the end, also on error. Diagnostics go to stderr; stdout
ends with one JSON line.

    .venv/bin/python bench/intake.py [--clients 32] [--seconds 20] [--workers 4]
        [--open-cases 200000] [--skip-fill] [--warmup 3] [--raw-http] [--count-queries]

The machine is shared by the generator, gunicorn and PostgreSQL: each phase logs the CPU cores
each of them used, and what everything else on the machine took ("other" — another job running
at the same time lowers every rate; `intake_cpu_ms` and `noop_cpu_ms`, the gunicorn + PostgreSQL
CPU per answered request, hardly move with it). Gunicorn's sync workers do no keep-alive, so each
request opens a new connection (`connects`). --raw-http replaces http.client by a minimal
socket client that takes about half the generator CPU. --count-queries also runs one submit,
one accept and one ping in-process (django.test.Client) under CaptureQueriesContext and prints
every SQL statement to stderr (in gunicorn each request that touches the database also makes
one hidden `SELECT 1`: CONN_HEALTH_CHECKS).
"""

import argparse
import datetime as dt
import http.client
import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/onewindow_bench"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("ONEWINDOW_PLAIN_STATIC", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.core.management import call_command
from django.db import connection

from onewindow import clock
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
APPLICANT = "zhangwei"
HOST = "127.0.0.1"


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None  # no answer at all: null in the JSON line, not NaN
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 2)


# ---- the database --------------------------------------------------------------------------


def prepare_database(fresh: bool) -> None:
    """Creates the bench database if missing; drops and recreates it first when `fresh` and
    it is the bench's own (a name starting with onewindow_bench)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh and name.startswith("onewindow_bench"):
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


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
                channel, status, outcome, form_data, received_at, received_on, accepted_on, promised_days,
                extra_days, due_seq, due_on, paused_on, frozen_light, extended, tolerance_due_on,
                by_commitment, decided_at, closed_at, closed_on, closed_seq, event_count, last_hash
            )
            SELECT 'BENCH-' || lpad(g::text, 8, '0'), %(item)s, %(version)s, %(department)s,
                   (%(applicants)s::bigint[])[1 + g %% %(na)s], %(hall)s, %(region)s,
                   'window', t.status, '', '{{}}'::jsonb,
                   t.received_at + (g / %(k)s) * interval '1 microsecond', t.received_on, t.accepted_on,
                   t.promised, 0, t.due_seq, t.due_on, t.paused_on, t.frozen, false, NULL,
                   false, NULL, NULL, NULL, NULL, 0, ''
            FROM generate_series(1, %(n)s) AS g
            JOIN tpl t ON t.k = 1 + g %% %(k)s
            """,
            params,
        )
        inserted = cursor.rowcount
        cursor.execute("ANALYZE")
    assert inserted == total, (inserted, total)
    return time.perf_counter() - t0


# ---- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, workers: int):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="bench-intake-gunicorn-", suffix=".log", delete=False)
        env = {
            **os.environ, "DATABASE_URL": DATABASE_URL, "CONN_MAX_AGE": "600", "ONEWINDOW_PLAIN_STATIC": "true",
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
        }  # fmt: skip
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "onewindow.wsgi", "-w", str(workers),
             "--worker-class", "sync", "-b", f"{HOST}:{self.port}"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_ready(self, secret: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/api/v1/ping", headers={"Authorization": f"Bearer {secret}"})
                answer = conn.getresponse()
                answer.read()
                conn.close()
                if answer.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.tail()}")

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    pids.append(int(entry))
        return pids

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of the workers
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: the master and its workers
                self.proc.wait(5)
        self.log.close()


# ---- CPU accounting (is the generator the bottleneck?) -------------------------------------


def cpu_by_pid(pids) -> dict[int, float]:
    """utime + stime in seconds of each process still alive."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two snapshots: a process started in between counts whole, one that
    ended in between is left out (it would otherwise count negative)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def bench_backends() -> list[int]:
    """The PostgreSQL backends serving the bench database (not another job's databases)."""
    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [r[0] for r in rows]


def machine_busy_seconds() -> float:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """CPU cores used by the generator (this process), the gunicorn workers, the PostgreSQL
    backends of the bench database, and everything else on the machine ("other": PostgreSQL's
    shared writers, and another job running at the same time, which skews the rates)."""

    def __init__(self, server: Server):
        self.server = server

    def __enter__(self):
        self.t0 = time.perf_counter()
        self.busy0 = machine_busy_seconds()
        self.self0 = self_cpu_seconds()
        self.workers0 = cpu_by_pid(self.server.worker_pids())
        self.pg0 = cpu_by_pid(bench_backends())
        return self

    def __exit__(self, *exc):
        pg1 = cpu_by_pid(bench_backends())
        workers1 = cpu_by_pid(self.server.worker_pids())
        self1 = self_cpu_seconds()
        busy = machine_busy_seconds() - self.busy0
        wall = time.perf_counter() - self.t0
        ours = {
            "generator": (self1 - self.self0) / wall,
            "gunicorn": delta(self.workers0, workers1) / wall,
            "postgres": delta(self.pg0, pg1) / wall,
        }
        self.cores = {k: round(v, 2) for k, v in ours.items()}
        self.cores["other"] = round(max(0.0, busy / wall - sum(ours.values())), 2)
        self.cores["idle"] = round(max(0.0, os.cpu_count() - busy / wall), 2)
        self.cores["machine"] = os.cpu_count()


# ---- the load generator --------------------------------------------------------------------


class Errors:
    def __init__(self):
        self.lock = threading.Lock()
        self.count = 0
        self.by_status: dict[str, int] = {}
        self.samples: list[str] = []

    def add(self, what: str, status, body) -> None:
        with self.lock:
            self.count += 1
            key = f"{what} {status}"
            self.by_status[key] = self.by_status.get(key, 0) + 1
            if len(self.samples) < 5:
                text = body.decode(errors="replace") if isinstance(body, bytes) else str(body)
                self.samples.append(f"{key}: {text[:400]}")


class RawConnection:
    """A minimal HTTP/1.1 client on a plain socket (--raw-http): the request bytes are built
    once, the answer is read by Content-Length. About half of http.client's CPU per request,
    so a load generator sharing the machine takes less from the server it measures."""

    def __init__(self, host: str, port: int, timeout: float):
        self.address, self.timeout = (host, port), timeout
        self.sock: socket.socket | None = None
        self._requests: dict[tuple, bytes] = {}

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def exchange(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
        key = (method, path, body, id(headers))
        request = self._requests.get(key)
        if request is None:
            lines = [f"{method} {path} HTTP/1.1", f"Host: {self.address[0]}:{self.address[1]}"]
            lines += [f"{k}: {v}" for k, v in headers.items()]
            if body is not None:
                lines.append(f"Content-Length: {len(body)}")
            request = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
            if len(self._requests) < 64:  # the accept paths differ every time: keep the fixed ones
                self._requests[key] = request
        if self.sock is None:
            self.sock = socket.create_connection(self.address, self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock = self.sock
        sock.sendall(request)
        buf = b""
        while (head_end := buf.find(b"\r\n\r\n")) < 0:
            chunk = sock.recv(65536)
            if not chunk:
                self.close()
                raise http.client.RemoteDisconnected("closed before the answer")
            buf += chunk
        head = buf[:head_end].decode("latin-1")
        status = int(head[9:12])
        length, close = None, False
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        data = buf[head_end + 4 :]
        while length is None or len(data) < length:
            chunk = sock.recv(65536)
            if not chunk:
                if length is None:
                    break  # the body ends with the connection
                self.close()
                raise http.client.IncompleteRead(data, length - len(data))
            data += chunk
        if close or length is None:
            self.close()
        return status, data


class Client:
    """One simulated window: one HTTP connection. http.client reconnects by itself when the
    server closes it, as gunicorn's sync workers do after every answer (they do no
    keep-alive), so `connects` ≈ requests with sync workers."""

    def __init__(self, port: int, secret: str, applicant: str, errors: Errors, raw: bool = False):
        self.raw = raw
        self.conn = (
            RawConnection(HOST, port, 60) if raw else http.client.HTTPConnection(HOST, port, timeout=60)
        )
        self.headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        self.get_headers = {"Authorization": f"Bearer {secret}"}
        self.submit_body = json.dumps({"item": ITEM, "applicant": applicant, "channel": "window"}).encode()
        self.errors = errors
        self.reset()

    def reset(self) -> None:
        self.latencies: list[float] = []
        self.requests = 0
        self.cases = 0
        self.reconnects = 0

    def call(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
        for attempt in (0, 1):
            fresh = self.conn.sock is None
            if fresh:
                self.reconnects += 1
            try:
                if self.raw:
                    return self.conn.exchange(method, path, body, headers)
                self.conn.request(method, path, body=body, headers=headers)
                answer = self.conn.getresponse()
                return answer.status, answer.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest, http.client.ResponseNotReady):  # fmt: skip
                # Only a kept-alive connection the server had closed meanwhile is retried (once,
                # on a new connection); a fresh connection failing is an error.
                self.conn.close()
                if attempt or fresh:
                    raise
        raise AssertionError("unreachable")

    def _timed(self, what, method, path, body, headers, expect, window) -> tuple[int, bytes, float]:
        measure_from, end = window
        t0 = time.perf_counter()
        try:
            status, data = self.call(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            status, data = -1, repr(exc).encode()
        t1 = time.perf_counter()
        if measure_from <= t1 <= end:
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
        "connects": sum(c.reconnects for c in clients),
        "cpu_cores": cpu.cores,
        # Server-side CPU (gunicorn workers + PostgreSQL) per answered request: unlike the rates,
        # this hardly moves when another job takes part of the machine.
        "server_cpu_ms": round(
            (cpu.cores["gunicorn"] + cpu.cores["postgres"]) * 1000 / (requests / seconds), 2
        )
        if requests
        else None,
    }
    log(f"[{name}] {json.dumps(result, ensure_ascii=False)}")
    return result


# ---- in-process measurements ---------------------------------------------------------------


def median_ms(fn, runs: int) -> float:
    fn()
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


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
    body = json.dumps({"item": ITEM, "applicant": applicant, "channel": "window"})

    def submit():
        return client.post("/api/v1/cases", body, content_type="application/json")

    def accept(number):
        return client.post(f"/api/v1/cases/{number}/accept", "{}", content_type="application/json")

    # Warm the per-process caches (token, published version, calendar) as a running worker has.
    accept(submit().json()["number"])
    with CaptureQueriesContext(connection) as submitted:
        answer = submit()
    number = answer.json()["number"]
    with CaptureQueriesContext(connection) as accepted:
        accept(number)
    with CaptureQueriesContext(connection) as pinged:
        client.get("/api/v1/ping")
    for label, ctx in (("submit", submitted), ("accept", accepted), ("ping", pinged)):
        log(f"[queries] {label}: {len(ctx.captured_queries)} statements")
        for i, q in enumerate(ctx.captured_queries, 1):
            log(f"  {i:2d}. ({q['time']}s) {q['sql'][:300]}")


# ---- main ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--open-cases", type=int, default=200_000)
    parser.add_argument("--skip-fill", action="store_true", help="reuse the database as it is")
    parser.add_argument("--inbox-runs", type=int, default=20)
    parser.add_argument(
        "--raw-http",
        action="store_true",
        help="a minimal socket HTTP client instead of http.client (less generator CPU)",
    )
    parser.add_argument("--count-queries", action="store_true", help="list the SQL of one submit/accept/ping")
    args = parser.parse_args()
    # A plain `kill` of the benchmark still runs the `finally` that stops its gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    prepare_database(fresh=not args.skip_fill)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
    log(f"migrate + seed_demo: {time.perf_counter() - t0:.1f} s")
    if not args.skip_fill:
        fill_s = fill_open_cases(args.open_cases)
        log(f"filled {args.open_cases} open cases + ANALYZE in {fill_s:.1f} s")
    department = Department.objects.get(code=DEPARTMENT)
    open_cases = Case.objects.filter(department=department, status__in=OPEN_STATUSES).count()
    clerk = User.objects.get(username=CLERK)
    applicant = Applicant.objects.get(user__username=APPLICANT).ref
    secrets_ = [issue_token(clerk, f"bench-intake-{i}")[1] for i in range(args.clients)]
    connection.close()  # the server's workers and the generator share the machine, not this connection

    errors = Errors()
    server = Server(args.workers)
    try:
        server.wait_ready(secrets_[0])
        log(f"gunicorn: {args.workers} sync workers on {HOST}:{server.port} (log {server.log.name})")
        clients = [Client(server.port, s, applicant, errors, raw=args.raw_http) for s in secrets_]
        intake = run_phase("intake", clients, server, args.warmup, args.seconds)
        noop = run_phase("ping", clients, server, min(args.warmup, 1.0), args.seconds)
    finally:
        server.stop()
    if errors.count:
        log(f"[errors] {errors.count}: {errors.by_status}")
        for sample in errors.samples:
            log("  " + sample)
        log(f"[gunicorn log tail] {server.log.name}\n{server.tail()}")
    else:
        os.unlink(server.log.name)

    inbox_ms = median_ms(lambda: queries.inbox(department.pk), args.inbox_runs)
    counts_ms = median_ms(lambda: queries.light_counts(department.pk), max(5, args.inbox_runs // 2))
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
        "open_cases": open_cases,
        "intake_cpu_ms": intake["server_cpu_ms"],
        "noop_cpu_ms": noop["server_cpu_ms"],
        "generator_cores": max(intake["cpu_cores"]["generator"], noop["cpu_cores"]["generator"]),
        "other_cores": max(intake["cpu_cores"]["other"], noop["cpu_cores"]["other"]),
        "http": "raw" if args.raw_http else "http.client",
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
