"""Benchmark: the read-only pages on a real streaming standby (issue 21 item 5; decision 49). Not a test.

Starts a throw-away PostgreSQL 15 primary of its own (initdb in /tmp/replica-primary-pg, on
127.0.0.1:5434; with --cluster local, the machine's cluster of BENCH_DATABASE_URL instead, whose
every database the standby then copies and replays), loads the demo hall into the database
onewindow_replica_bench (migrate + seed_demo), makes a streaming standby of that primary
(pg_basebackup -R -X stream into /tmp/replica-pg, started as the user postgres on 127.0.0.1:5433,
hot_standby=on), and runs the same read-only traffic twice, each in a fresh process through
django.test.Client (the whole middleware stack): --lookups public progress lookups (the page's
POST and the API's GET in turn, each counting the rate limit), --dashboards GETs of /staff/stats/
as the hall's supervisor and as many of the wall display's state — first without
DATABASE_REPLICA_URL, then with it. For each run: statements per alias (a Django execute
wrapper), the CPU of the PostgreSQL backend serving each alias (utime+stime from /proc), and the
latency per kind. Then the replication lag seen by a probe: a row committed on the primary,
polled on the standby until it appears.

On one 2-core machine the standby competes with the primary for the same cores: throughput does
not rise. What the figures show is the load moved off the primary.

Needs root (the clusters' files belong to the user postgres, who runs them) and a pg_hba.conf
rule letting 127.0.0.1 connect for replication: initdb's has one; with --cluster local and none
there, the script appends `host replication postgres 127.0.0.1/32 trust` (with a comment) to the
cluster's hba file and reloads — the only change it makes to a cluster it did not start
(operator's guide "Read replicas"). The standby (and the private primary) are stopped and their
directories removed at the end, whatever happens.

    .venv/bin/python bench/replica.py [--lookups 2000] [--dashboards 100] [--cluster private|local] [--quick]

Diagnostics go to stderr; stdout ends with one JSON line. With --quick and no way to make a
standby (not root, no PostgreSQL 15 binaries), the line says why and the script exits 0.
"""

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

_spec = importlib.util.spec_from_file_location("bench_harness", Path(__file__).with_name("harness.py"))
harness = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

from bench_harness import log

PG_BIN = Path("/usr/lib/postgresql/15/bin")
STANDBY_DIR = Path("/tmp/replica-pg")
STANDBY_LOG = Path("/tmp/replica-pg.log")
STANDBY_PORT = 5433
PRIVATE_DIR = Path("/tmp/replica-primary-pg")
PRIVATE_LOG = Path("/tmp/replica-primary-pg.log")
PRIVATE_PORT = 5434
HBA_COMMENT = "# bench/replica.py (decision 49): streaming replication from this machine, for its standby"
HBA_LINE = "host replication postgres 127.0.0.1/32 trust"
# A hot standby refuses to start when one of these is lower than on the primary.
MUST_MATCH = ("max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions",
              "max_locks_per_transaction")  # fmt: skip


def as_postgres(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, **kwargs)


def with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = netloc[-1].rsplit(":", 1)[0]
    auth = netloc[0] + "@" if len(netloc) == 2 else ""
    return urlunsplit((parts.scheme, f"{auth}{host}:{port}", parts.path, parts.query, ""))


def admin(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit((parts.scheme, parts.netloc, "/postgres", "", "")), autocommit=True)


# ---- the standby -------------------------------------------------------------------------------


def allow_replication(primary_url: str) -> bool:
    """Adds the pg_hba rule for replication from 127.0.0.1 when none matches; True if it did."""
    with admin(primary_url) as conn:
        rules = conn.execute(
            "SELECT count(*) FROM pg_hba_file_rules WHERE type = 'host' AND 'replication' = ANY(database) "
            "AND (address = '127.0.0.1' OR address = 'all' OR address IS NULL AND netmask IS NULL) "
            "AND error IS NULL"
        ).fetchone()[0]
        if rules:
            return False
        hba = Path(conn.execute("SHOW hba_file").fetchone()[0])
        with hba.open("a") as f:
            f.write(f"\n{HBA_COMMENT}\n{HBA_LINE}\n")
        conn.execute("SELECT pg_reload_conf()")
    time.sleep(0.5)
    log(f"pg_hba: added '{HBA_LINE}' to {hba} and reloaded")
    return True


def stop_cluster(directory: Path) -> None:
    """Stops the server of `directory` (one of this script's own directories) and removes it."""
    if (directory / "postmaster.pid").exists():
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(directory),
                        "-m", "fast", "-w", "stop"], capture_output=True, timeout=120)  # fmt: skip
    shutil.rmtree(directory, ignore_errors=True)


def start_cluster(directory: Path, port: int, log_file: Path) -> None:
    log_file.touch()
    shutil.chown(log_file, "postgres", "postgres")
    subprocess.run(["chown", "-R", "postgres:postgres", str(directory)], check=True)
    directory.chmod(0o700)
    as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(directory), "-o", f"-p {port}", "-l", str(log_file), "-w",
                "start", stdout=subprocess.DEVNULL)  # fmt: skip


def start_private_primary(database_url: str) -> str:
    """A throw-away primary of this bench's own on PRIVATE_PORT: its standby then copies and
    replays only the bench's database, not every other database of the machine's cluster."""
    stop_cluster(PRIVATE_DIR)
    PRIVATE_DIR.mkdir()
    shutil.chown(PRIVATE_DIR, "postgres", "postgres")
    as_postgres(str(PG_BIN / "initdb"), "-D", str(PRIVATE_DIR), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--locale=C.UTF-8", stdout=subprocess.DEVNULL)  # fmt: skip
    # initdb's pg_hba.conf lets 127.0.0.1 connect, for replication too, with trust
    with (PRIVATE_DIR / "postgresql.conf").open("a") as f:
        f.write(f"port = {PRIVATE_PORT}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '/tmp'\n")
    start_cluster(PRIVATE_DIR, PRIVATE_PORT, PRIVATE_LOG)
    log(f"private primary up on :{PRIVATE_PORT}")
    return with_port(database_url, PRIVATE_PORT)


def start_standby(primary_url: str) -> None:
    parts = urlsplit(primary_url)
    stop_cluster(STANDBY_DIR)  # a previous run's, left by a kill -9
    t0 = time.perf_counter()
    subprocess.run([str(PG_BIN / "pg_basebackup"), "-h", parts.hostname, "-p", str(parts.port or 5432),
                    "-U", parts.username or "postgres", "-D", str(STANDBY_DIR), "-R", "-X", "stream",
                    "-c", "fast"], check=True)  # fmt: skip
    with admin(primary_url) as conn:
        must = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in MUST_MATCH}
    # The copy's postgresql.conf (the private primary's) or none (Debian keeps it under /etc):
    # the standby's own settings, last, win.
    conf = {"port": STANDBY_PORT, "listen_addresses": "'127.0.0.1'", "unix_socket_directories": "'/tmp'",
            "hot_standby": "on", "shared_buffers": "'128MB'", **must}  # fmt: skip
    with (STANDBY_DIR / "postgresql.conf").open("a") as f:
        f.write("".join(f"{k} = {v}\n" for k, v in conf.items()))
    (STANDBY_DIR / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    start_cluster(STANDBY_DIR, STANDBY_PORT, STANDBY_LOG)
    log(f"standby up on :{STANDBY_PORT} in {time.perf_counter() - t0:.1f} s")


def caught_up(primary_url: str, standby_url: str, timeout: float = 60) -> None:
    import psycopg

    with psycopg.connect(primary_url, autocommit=True) as p:
        target = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    with psycopg.connect(standby_url, autocommit=True) as s:
        while time.monotonic() < deadline:
            if s.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]:
                return
            time.sleep(0.05)
    raise RuntimeError("the standby did not catch up within a minute")


def lag_probe(primary_url: str, standby_url: str, probes: int) -> list[float]:
    """Milliseconds from a commit on the primary to its row being visible on the standby."""
    import psycopg

    found = []
    with (
        psycopg.connect(primary_url, autocommit=True) as p,
        psycopg.connect(standby_url, autocommit=True) as s,
    ):
        p.execute("CREATE TABLE IF NOT EXISTS bench_lag_probe (n int)")
        caught_up(primary_url, standby_url)
        for n in range(probes):
            p.execute("INSERT INTO bench_lag_probe VALUES (%s)", [n])
            t0 = time.perf_counter()
            while not s.execute("SELECT 1 FROM bench_lag_probe WHERE n = %s", [n]).fetchone():
                if time.perf_counter() - t0 > 30:
                    raise RuntimeError("a probe row took over 30 s to reach the standby")
            found.append((time.perf_counter() - t0) * 1000)
    return found


# ---- one measured run (a child process: settings are read from the environment once) ----------


def measure(args) -> dict:
    os.environ["ONEWINDOW_PROGRESS_LOOKUPS_PER_WINDOW"] = str(10**9)  # counted, never refused
    import django

    django.setup()
    from django.db import connections
    from django.test import Client

    from onewindow.accounts.models import Hall, User
    from onewindow.cases.models import Case

    aliases = list(connections.settings)
    lookups = []  # (number, last four digits of the applicant's phone), read before the measure
    for case in Case.objects.select_related("applicant").order_by("pk"):
        if case.applicant.phone:
            lookups.append((case.number, case.applicant.phone[-4:]))
    hall = Hall.objects.order_by("pk").first()
    supervisor = Client()
    supervisor.force_login(User.objects.get(username="supervisor"))
    public = Client()
    counts = {alias: {"select": 0, "other": 0} for alias in aliases}

    def counter(alias):
        def wrapper(execute, sql, params, many, context):
            counts[alias]["select" if sql.lstrip()[:6].upper() == "SELECT" else "other"] += 1
            return execute(sql, params, many, context)

        return wrapper

    def one(kind, i):
        if kind == "progress":
            number, digits = lookups[i % len(lookups)]
            if i % 2:
                return public.get("/api/v1/progress", {"number": number, "phone_last4": digits})
            return public.post("/progress/", {"number": number, "phone_last4": digits})
        if kind == "dashboard":
            return supervisor.get("/staff/stats/")
        return public.get(f"/queue/{hall.code}/display/state/", {"since": 0})

    plan = [("progress", i) for i in range(args.lookups)]
    plan += [(k, i) for i in range(args.dashboards) for k in ("dashboard", "display")]
    # warm up: every connection open, the calendar and the templates loaded (not measured)
    for kind in ("progress", "dashboard", "display"):
        assert one(kind, 0).status_code in (200, 304)
    backends = {}
    for alias in aliases:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backends[alias] = cursor.fetchone()[0]
    cpu0 = harness.cpu_by_pid(backends.values())
    latencies: dict[str, list[float]] = {"progress": [], "dashboard": [], "display": []}
    wrappers = [connections[alias].execute_wrapper(counter(alias)) for alias in aliases]
    for w in wrappers:
        w.__enter__()
    t_all = time.perf_counter()
    try:
        for kind, i in plan:
            t0 = time.perf_counter()
            answer = one(kind, i)
            latencies[kind].append((time.perf_counter() - t0) * 1000)
            if answer.status_code not in (200, 304):
                raise RuntimeError(f"{kind} answered {answer.status_code}")
    finally:
        for w in reversed(wrappers):
            w.__exit__(None, None, None)
    wall = time.perf_counter() - t_all
    cpu1 = harness.cpu_by_pid(backends.values())
    for alias in aliases:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            if cursor.fetchone()[0] != backends[alias]:
                raise RuntimeError(f"the {alias} connection was reopened during the run: its CPU is unknown")
    out = {"requests": len(plan), "wall_s": round(wall, 2)}
    for alias in ("default", "replica"):
        label = "primary" if alias == "default" else "replica"
        out[f"{label}_statements"] = sum(counts[alias].values()) if alias in counts else 0
        out[f"{label}_selects"] = counts[alias]["select"] if alias in counts else 0
        out[f"{label}_backend_cpu_ms"] = (
            round((cpu1[backends[alias]] - cpu0[backends[alias]]) * 1000) if alias in backends else 0
        )
    for kind, values in latencies.items():
        out[f"{kind}_p50_ms"] = round(statistics.median(values), 2)
        out[f"{kind}_p99_ms"] = harness.percentile(values, 99)
    return out


def run_child(mode: str, primary_url: str, standby_url: str, args) -> dict:
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": primary_url,
        "DATABASE_URL": primary_url,
        "CONN_MAX_AGE": "600",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    if mode == "replica":
        env["DATABASE_REPLICA_URL"] = standby_url
    done = subprocess.run([sys.executable, __file__, "--measure", "--lookups", str(args.lookups),
                           "--dashboards", str(args.dashboards)], env=env, capture_output=True, text=True,
                          check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"the {mode} run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--dashboards", type=int, default=100)
    parser.add_argument("--probes", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds (make bench-quick)")
    parser.add_argument(
        "--cluster", choices=("private", "local"), default="private",
        help="private: a throw-away primary of its own on :5434 (default); local: the machine's "
        "cluster (BENCH_DATABASE_URL), whose every database the standby then copies and replays",
    )  # fmt: skip
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # one run, in a child
    args = parser.parse_args()
    if args.quick:
        args.lookups, args.dashboards, args.probes = 20, 3, 3
    primary_url = harness.configure("postgres://postgres@127.0.0.1:5432/onewindow_replica_bench")
    if args.measure:
        print(json.dumps(measure(args)))
        return
    harness.exit_on_sigterm()
    if os.geteuid() != 0 or not (PG_BIN / "pg_basebackup").exists():
        reason = "needs root and PostgreSQL 15's binaries to make a standby"
        if not args.quick or os.environ.get("CI") == "true":  # in CI a missing part fails, never skips
            sys.exit(f"bench/replica.py {reason}")
        print(json.dumps({"bench": "replica", "skipped": reason}))
        return
    hba_added = False
    try:
        if args.cluster == "private":
            primary_url = start_private_primary(primary_url)
        standby_url = with_port(primary_url, STANDBY_PORT)
        harness.prepare_database(primary_url, "onewindow_replica_bench")
        env = {**os.environ, "DATABASE_URL": primary_url}
        env.pop("DATABASE_REPLICA_URL", None)
        t0 = time.perf_counter()
        for command in (["migrate", "--noinput", "-v0"], ["seed_demo", "-v0"]):
            subprocess.run([sys.executable, str(harness.ROOT / "manage.py"), *command], env=env, check=True,
                           stdout=subprocess.DEVNULL)  # fmt: skip
        with __import__("psycopg").connect(primary_url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        log(f"migrate + seed_demo: {time.perf_counter() - t0:.1f} s")
        hba_added = allow_replication(primary_url)
        start_standby(primary_url)
        caught_up(primary_url, standby_url)
        without = run_child("primary", primary_url, standby_url, args)
        log("without a replica:", json.dumps(without))
        caught_up(primary_url, standby_url)
        with_replica = run_child("replica", primary_url, standby_url, args)
        log("with the replica:", json.dumps(with_replica))
        lags = lag_probe(primary_url, standby_url, args.probes)
    finally:
        stop_cluster(STANDBY_DIR)
        stop_cluster(PRIVATE_DIR)
        log(
            f"standby stopped, {STANDBY_DIR} removed"
            + (", private primary too" if args.cluster == "private" else "")
        )
    result = {"bench": "replica", "cluster": args.cluster, "lookups": args.lookups, "dashboards": args.dashboards,
              "without_replica": without, "with_replica": with_replica,
              "primary_statements_moved": without["primary_statements"] - with_replica["primary_statements"],
              "primary_backend_cpu_ms_moved": without["primary_backend_cpu_ms"] - with_replica["primary_backend_cpu_ms"],
              "lag_probe_p50_ms": round(statistics.median(lags), 2), "lag_probe_max_ms": round(max(lags), 2),
              "pg_hba_rule_added": hba_added}  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
