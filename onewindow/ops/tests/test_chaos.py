"""Faults under load (issue 21, "Faults"): gunicorn (2 sync workers) and `manage.py worker` run as
real processes against the test database while four clients file and accept applications through
the API and a kiosk takes queue tickets, each request with its Idempotency-Key. Mid-load the SMS worker is SIGKILLed and
restarted, a gunicorn worker is SIGKILLed (its master starts another), the whole app server is
SIGKILLed and started again, and every backend of the database is terminated (what a PostgreSQL
restart does to the connections, without restarting the machine's server that others share).
A client retries whatever failed with the same key. Then: every application is one case, accepted,
its chain whole; every ticket taken is one ticket; every key answered once; every SMS of an acceptance delivered — a line sent twice
only for a message whose first worker died holding it (the gateway dedups by its key, notify/outbox.py);
and after the database's restart at most one failed request per gunicorn worker (the connection
each held: CONN_HEALTH_CHECKS is off by default, settings.py), then none.

PostgreSQL only: the load needs concurrent writers in several processes and the restart is
pg_terminate_backend; CI runs the PostgreSQL suite."""

import datetime as dt
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from onewindow import clock
from onewindow.accounts import services as accounts
from onewindow.accounts.models import HallOpeningHours, IdempotentRequest
from onewindow.cases.models import Case, Status
from onewindow.notify.models import Message
from onewindow.ops import chains
from onewindow.personas import published_item
from onewindow.queueing import hours
from onewindow.queueing.models import Category, Ticket

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the chaos test runs on PostgreSQL (CI runs it)"
    ),
]

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
CLIENTS = 4
GUNICORN_WORKERS = 2


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Hall:
    """The app server and the SMS worker, as processes of their own sessions (so a SIGKILL of the
    server's group takes its master and workers, and nothing else)."""

    def __init__(self, tmp_path: Path):
        db = connection.settings_dict
        self.port = free_port()
        self.sms = tmp_path / "sms.jsonl"
        self.logs = tmp_path
        self.env = {
            **os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "onewindow.settings",
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
            "CONN_MAX_AGE": "600", "ALLOWED_HOSTS": "127.0.0.1,localhost", "ONEWINDOW_DEMO": "true",
            "ONEWINDOW_PLAIN_STATIC": "true", "LOG_LEVEL": "WARNING",
            "ONEWINDOW_SMS_BACKEND": "file", "ONEWINDOW_SMS_FILE": str(self.sms),
            # A dead worker's claims are taken again after the lease: seconds here, not minutes.
            "ONEWINDOW_SMS_CONNECT_TIMEOUT": "1", "ONEWINDOW_SMS_READ_TIMEOUT": "1",
            "ONEWINDOW_WORKER_LEASE_SECONDS": "4", "ONEWINDOW_WORKER_POLL_SECONDS": "1",
        }  # fmt: skip
        self.server = self.worker = None

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        return subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip

    def start_server(self) -> None:
        self.server = self._start("gunicorn", [
            str(BIN / "gunicorn"), "onewindow.wsgi", "-w", str(GUNICORN_WORKERS), "--worker-class", "sync",
            "-b", f"{HOST}:{self.port}", "--graceful-timeout", "2", "--timeout", "30",
        ])  # fmt: skip

    def start_worker(self) -> None:
        self.worker = self._start("worker", [sys.executable, "manage.py", "worker", "--jobs-every", "0"])

    def kill_server(self) -> None:
        os.killpg(self.server.pid, signal.SIGKILL)
        self.server.wait()

    def kill_worker(self) -> None:
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait()

    def kill_one_server_worker(self) -> int:
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children").read_text().split()
        os.kill(int(children[0]), signal.SIGKILL)
        return int(children[0])

    def wait_ready(self, secret: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.server.poll() is None, (self.logs / "gunicorn.log").read_text()[-2000:]
            status, _ = request(self.port, secret, "GET", "/api/v1/ping")
            if status == 200:
                return
            time.sleep(0.2)
        raise AssertionError("gunicorn did not answer")

    def stop(self) -> None:
        for process in (self.server, self.worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)


def request(
    port: int, secret: str, method: str, path: str, body=None, key: str = ""
) -> tuple[int | None, dict]:
    """(status, JSON answer); status None when the connection failed (refused, reset, timed out)."""
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=15)
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        conn.close()
    except (OSError, http.client.HTTPException):
        return None, {}
    try:
        return answer.status, json.loads(data)
    except ValueError:
        return answer.status, {}


class Load:
    """CLIENTS threads, each filing and accepting applications until stopped; a failed request
    (no answer, or 5xx) is retried with the same key until it succeeds."""

    def __init__(self, port: int, secret: str, item: str, applicant: str, hall: str | None):
        self.port, self.secret, self.item, self.applicant, self.hall = port, secret, item, applicant, hall
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.filed: list[tuple[str, str]] = []  # (key, case number) of every application done
        self.log: list[tuple[float, int | None]] = []  # (when answered, status) of every request
        self.tickets: list[tuple[str, str]] = []  # (key, ticket number) of every ticket taken
        self.refused: list[tuple[str, int, dict]] = []  # 4xx (a bug, not a fault), or no answer for a minute
        self.threads = [threading.Thread(target=self.client, args=(n,), daemon=True) for n in range(CLIENTS)]
        if hall is not None:
            self.threads.append(threading.Thread(target=self.kiosk, daemon=True))

    def send(self, path: str, body: dict, key: str) -> dict:
        give_up = time.monotonic() + 60  # a hall that never comes back fails the test, not hangs it
        while time.monotonic() < give_up:
            status, answer = request(self.port, self.secret, "POST", path, body, key)
            with self.lock:
                self.log.append((time.monotonic(), status))
            if status is not None and status < 500:
                if status >= 300:
                    self.refused.append((path, status, answer))
                return answer
            time.sleep(0.1)
        self.refused.append((path, 0, {"message": "no answer for 60 s"}))
        return {}

    def client(self, n: int) -> None:
        for i in range(10_000):
            if self.stopping.is_set():
                return
            key = f"chaos-{n}-{i}"
            filed = self.send("/api/v1/cases", {"item": self.item, "applicant": self.applicant,
                                                "channel": "window", "handed_in": [1, 2, 3]}, f"{key}-submit")  # fmt: skip
            number = filed.get("number")
            if number is None:
                return
            self.send(f"/api/v1/cases/{number}/accept", {}, f"{key}-accept")
            with self.lock:
                self.filed.append((key, number))

    def kiosk(self) -> None:
        for i in range(10_000):
            if self.stopping.is_set():
                return
            key = f"chaos-kiosk-{i}"
            taken = self.send("/api/v1/tickets", {"hall": self.hall, "category": "A"}, key)
            if "number" not in taken:
                return
            with self.lock:
                self.tickets.append((key, taken.get("number")))
            time.sleep(0.05)

    def failures_after(self, moment: float) -> int:
        return sum(
            1 for answered, status in self.log if answered >= moment and (status is None or status >= 500)
        )


def terminate_backends() -> int:
    """What a PostgreSQL restart does to the app's connections: all of them (but this test's) cut."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()) AS cut")  # fmt: skip
        return cursor.fetchone()[0]


def test_no_case_or_message_is_lost_or_doubled_when_processes_die_and_the_database_restarts(world, tmp_path):
    # given: the hall running, a clerk's token, four clients filing and accepting applications
    food = published_item(world)
    _, secret = accounts.issue_token(world.clerk, "chaos")
    Category.objects.create(hall=world.hall, letter="A", name="综合受理")
    world.hall.opening_hours.bulk_create(
        HallOpeningHours(hall=world.hall, weekday=day, opens=dt.time(0), closes=dt.time(23, 59, 59, 999999)) for day in range(7)
    )  # fmt: skip
    # On a statutory holiday the hall is closed whatever its hours (queueing/hours.py): no kiosk then.
    kiosk = world.hall.code if hours.is_open(world.hall, clock.now()) else None
    hall = Hall(tmp_path)
    started = time.monotonic()
    try:
        hall.start_server()
        hall.start_worker()
        hall.wait_ready(secret)
        load = Load(hall.port, secret, food.code, world.alice_applicant.ref, kiosk)
        for thread in load.threads:
            thread.start()

        # when: the worker, a gunicorn worker, the whole app server and the database's connections die
        time.sleep(3)
        hall.kill_worker()
        time.sleep(1)
        hall.start_worker()
        time.sleep(2)
        hall.kill_one_server_worker()
        time.sleep(2)
        hall.kill_server()
        time.sleep(1)
        hall.start_server()
        hall.wait_ready(secret)
        time.sleep(2)
        restarted = time.monotonic()
        cut = terminate_backends()
        time.sleep(4)
        load.stopping.set()
        for thread in load.threads:
            thread.join(timeout=60)
        loaded = time.monotonic()
        deadline = time.monotonic() + 40
        while Message.objects.exclude(state=Message.State.SENT).exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        delivered = time.monotonic()
    finally:
        hall.stop()

    # then: nothing refused, every application one case, accepted once, its chain whole
    assert load.refused == []
    filed = dict(load.filed)
    assert len(filed) == len(load.filed) > 20
    assert len(set(filed.values())) == len(filed)  # a retried submit answered with its first case
    assert set(Case.objects.values_list("number", flat=True)) == set(filed.values())
    assert set(Case.objects.values_list("status", flat=True)) == {
        Status.IN_REVIEW
    }  # accepted: the clock runs
    assert chains.broken() == []
    tickets = dict(load.tickets)
    assert len(tickets) == len(load.tickets) and (kiosk is None or len(tickets) > 20)
    assert sorted(Ticket.objects.values_list("number", flat=True)) == sorted(tickets.values())  # none twice
    assert IdempotentRequest.objects.filter(key__startswith="chaos-").count() == 2 * len(filed) + len(tickets)

    # every acceptance's SMS delivered; a second line only where the first worker died holding it
    messages = {m.key: m for m in Message.objects.all()}
    assert len(messages) == len(filed) and {m.state for m in messages.values()} == {Message.State.SENT}
    lines = Counter(json.loads(line)["idempotency_key"] for line in hall.sms.read_text().splitlines())
    assert set(lines) == set(messages)
    twice = {key for key, times in lines.items() if times > 1}
    assert all(messages[key].attempts > 1 for key in twice) and max(lines.values()) <= 2

    # after the database's restart: at most one failed request per gunicorn worker, then none
    after = load.failures_after(restarted)
    last = [status for answered, status in load.log if answered >= restarted][-20:]
    assert after <= GUNICORN_WORKERS and last and all(status is not None and status < 500 for status in last)
    print(f"\nchaos: {len(filed)} applications, {len(tickets)} tickets; load {loaded - started:.1f} s, all SMS out {delivered - loaded:.1f} s; "
          f"{sum(1 for _, s in load.log if s is None or s >= 500)} failed requests retried, "
          f"{len(twice)} SMS sent twice (dead worker's lease), {cut} backends cut, "
          f"{after} failed requests after the database restart")  # fmt: skip
