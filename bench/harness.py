"""What the HTTP benchmarks bench/intake.py and bench/hall_queue.py share. Not a benchmark itself.

Holds the set-up of the environment Django is then configured from, the bench database's
creation, the gunicorn server a benchmark starts and stops (`Server`), the CPU accounting of the
generator, gunicorn, the bench database's PostgreSQL backends and the rest of the machine
(`CpuMeter` and its parts), the error tally (`Errors`), the raw-socket HTTP client
(`RawConnection`), the retrying, timed request of one simulated client (`HttpClient`), and small
helpers (`log`, `percentile`, `server_cpu_ms`, `exit_on_sigterm`). Loading it has no side effects:
nothing here imports Django or the project; what needs the database gets its URL as an argument.

The benchmarks load it by path, as the module `bench_harness`. No script here may be named like
a standard-library module (the queue bench was once `queue.py` and broke every other bench's
`django.setup()` when run as a script).
"""

import http.client
import os
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HOST = "127.0.0.1"
# gunicorn's worker heartbeat file, in memory when the machine has /dev/shm (as scripts/run.sh).
TMP_DIR = "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir()


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None  # no answer at all: null in the JSON line, not NaN
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 2)


def median_ms(fn, runs: int, warmups: int = 1) -> float:
    """The median time of `runs` calls of `fn`, in milliseconds, after `warmups` calls left out
    (templates, the calendar, prepared plans and cold pages are the first calls' cost)."""
    for _ in range(warmups):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def server_cpu_ms(cores: dict, requests: int, seconds: float) -> float | None:
    """Server-side CPU (gunicorn workers + PostgreSQL) per answered request: unlike the rates,
    this hardly moves when another job takes part of the machine."""
    if not requests:
        return None
    return round((cores["gunicorn"] + cores["postgres"]) * 1000 / (requests / seconds), 2)


# ---- the environment and the database ------------------------------------------------------


def configure(default_url: str) -> str:
    """Puts the project on sys.path instead of this folder (a bench script must never shadow a
    module Django imports) and sets the environment Django is then set
    up from (the caller imports Django after this); returns the database URL
    (BENCH_DATABASE_URL, else `default_url`)."""
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    sys.path.insert(0, str(ROOT))
    database_url = os.environ.get("BENCH_DATABASE_URL", default_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("ONEWINDOW_PLAIN_STATIC", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return database_url


def exit_on_sigterm() -> None:
    """A plain `kill` of the benchmark still runs the `finally` that stops its gunicorn."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def prepare_database(database_url: str, own_prefix: str, fresh: bool = True) -> None:
    """Creates the bench database if missing; drops and recreates it first when `fresh` and it
    is the bench's own (a name starting with `own_prefix`). Another existing database is used
    as it is."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh and name.startswith(own_prefix):
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# ---- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn (`workers` sync workers) on a free port of 127.0.0.1, in a session of its own,
    serving `database_url`; its output goes to a temporary log file named after `name`."""

    def __init__(self, workers: int, database_url: str, name: str):
        self.port = free_port()
        self.database_url = database_url
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-gunicorn-", suffix=".log", delete=False)
        env = {
            **os.environ, "DATABASE_URL": database_url, "CONN_MAX_AGE": "600", "ONEWINDOW_PLAIN_STATIC": "true",
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
            "ONEWINDOW_DEMO": "true",  # a loopback public address is refused at start otherwise (onewindow.links)
        }  # fmt: skip
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "onewindow.wsgi", "-w", str(workers),
             "--worker-class", "sync", "--worker-tmp-dir", TMP_DIR, "-b", f"{HOST}:{self.port}"],
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


def bench_backends(database_url: str) -> list[int]:
    """The PostgreSQL backends serving the bench database (not another job's databases)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
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
    backends of the server's database, and everything else on the machine ("other": PostgreSQL's
    shared writers, and another job running at the same time, which skews the rates)."""

    def __init__(self, server: Server):
        self.server = server

    def __enter__(self):
        self.t0 = time.perf_counter()
        self.busy0 = machine_busy_seconds()
        self.self0 = self_cpu_seconds()
        self.workers0 = cpu_by_pid(self.server.worker_pids())
        self.pg0 = cpu_by_pid(bench_backends(self.server.database_url))
        return self

    def __exit__(self, *exc):
        pg1 = cpu_by_pid(bench_backends(self.server.database_url))
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

    def report(self, server: Server) -> None:
        """After the server stopped: the errors, samples and the tail of the server's log, or
        (no error) the log file removed."""
        if self.count:
            log(f"[errors] {self.count}: {self.by_status}")
            for sample in self.samples:
                log("  " + sample)
            log(f"[gunicorn log tail] {server.log.name}\n{server.tail()}")
        else:
            os.unlink(server.log.name)


class RawConnection:
    """A minimal HTTP/1.1 client on a plain socket: the request bytes are built once, the answer
    is read by Content-Length. About half of http.client's CPU per request, so a load generator
    sharing the machine takes less from the server it measures."""

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
            if len(self._requests) < 64:  # paths with a case or ticket number differ: keep the fixed ones
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


class HttpClient:
    """One simulated client's HTTP connection to the server on `port`: a RawConnection, or
    http.client's (`raw=False`). Both reconnect when the server has closed the connection, as
    gunicorn's sync workers do after every answer (they do no keep-alive): `connects` counts
    the connections opened, ≈ requests with sync workers."""

    def __init__(self, port: int, raw: bool = True):
        self.raw = raw
        self.conn = (
            RawConnection(HOST, port, 60) if raw else http.client.HTTPConnection(HOST, port, timeout=60)
        )
        self.connects = 0

    def call(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
        for attempt in (0, 1):
            fresh = self.conn.sock is None
            if fresh:
                self.connects += 1
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

    def timed_call(
        self, method: str, path: str, body: bytes | None, headers: dict
    ) -> tuple[int, bytes, float, float]:
        """`call`, a failure to connect or read as status -1 (its repr as the body); also returns
        the perf_counter before and after."""
        t0 = time.perf_counter()
        try:
            status, data = self.call(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            status, data = -1, repr(exc).encode()
        return status, data, t0, time.perf_counter()


def in_process_timing(connection, runs: int, steps: list) -> dict:
    """The median time of each labelled request, in total and inside the database driver, over
    `runs` rounds of `steps`. A step is (label, fn), or a generator function that yields
    (label, fn) pairs and is sent each answer (a call whose answer the next call needs)."""
    sql_time = [0.0]
    samples: dict[str, list[tuple[float, float]]] = {}

    def timed_sql(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_time[0] += time.perf_counter() - t

    def measure(label, fn):
        sql_time[0] = 0.0
        t = time.perf_counter()
        with connection.execute_wrapper(timed_sql):
            answer = fn()
        samples.setdefault(label, []).append(((time.perf_counter() - t) * 1000, sql_time[0] * 1000))
        return answer

    for _ in range(runs):
        for step in steps:
            if isinstance(step, tuple):
                measure(*step)
                continue
            calls, answer = step(), None
            try:
                while True:
                    answer = measure(*calls.send(answer))
            except StopIteration:
                pass
    return {
        label: {"total_ms": round(statistics.median(t for t, _ in v), 2),
                "sql_ms": round(statistics.median(q for _, q in v), 2)}
        for label, v in samples.items()
    }  # fmt: skip
