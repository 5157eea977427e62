"""`manage.py worker` as the operator runs it — a process of its own against the test database —
killed mid-batch, stopped with SIGTERM, and run twice at once. The local gateway counts what
reaches it by idempotency key: every message arrives, and none is accepted twice."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from onewindow import clock
from onewindow.concurrently import run_together
from onewindow.notify.backends import HttpBackend
from onewindow.notify.models import Message
from onewindow.notify.tests.gateway import API_KEY
from onewindow.notify.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)  # committed: the worker process must see the rows

S = Message.State


def database_url() -> str:
    """The test database, for the worker process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, gateway, log: Path, *, batch: int, lease: int):
        env = os.environ | {
            "DATABASE_URL": database_url(),
            "ONEWINDOW_SMS_BACKEND": "http",
            "ONEWINDOW_SMS_URL": gateway.url,
            "ONEWINDOW_SMS_KEY": API_KEY,
            "ONEWINDOW_SMS_CONNECT_TIMEOUT": "1",
            "ONEWINDOW_SMS_READ_TIMEOUT": "2",
            "ONEWINDOW_WORKER_BATCH": str(batch),
            "ONEWINDOW_WORKER_LEASE_SECONDS": str(lease),
            "ONEWINDOW_WORKER_POLL_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
            # a worker started by hand checks the public address its SMS carry (onewindow.links):
            # this one runs as the demo does, on loopback
            "ONEWINDOW_DEMO": "true",
        }
        self.log = log
        with open(log, "a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "worker", "--jobs-every", "0"],
                cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def output(self) -> str:
        return self.log.read_text()

    def stop(self, how: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(how)
        return self.process.wait(timeout=60)


@pytest.fixture
def workers(tmp_path):
    started: list[WorkerProcess] = []

    def start(gateway, *, batch: int = 8, lease: int = 10) -> WorkerProcess:
        worker = WorkerProcess(gateway, tmp_path / f"worker-{len(started) + 1}.log", batch=batch, lease=lease)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait()


def wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.02)


def sent() -> int:
    return Message.objects.filter(state=S.SENT).count()


def due_now(queued, n: int) -> list[str]:
    return [m.key for m in queued(n, at=clock.now() - dt.timedelta(minutes=1))]


def test_killing_the_worker_mid_batch_then_restarting_delivers_every_message_once(gateway, queued, workers):
    # given 20 messages and a slow gateway (0.5 s per SMS)
    keys = due_now(queued, 20)
    gateway.delay = 0.5
    first = workers(gateway, batch=8, lease=10)
    # when the worker is killed (SIGKILL: no clean-up at all) while the gateway holds the 5th SMS
    wait_until(lambda: len(gateway.accepted) >= 5, timeout=90, what="the gateway has 5 messages")
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    in_flight = Message.objects.filter(state=S.SENDING).count()
    assert sent() + in_flight == 8 and in_flight >= 3, "the kill landed mid-batch: the rest stays claimed"
    assert Message.objects.filter(state=S.SENDING, claimed_until__isnull=True).count() == 0
    # and a new worker is started
    second = workers(gateway, batch=8, lease=10)
    wait_until(lambda: sent() == 20, timeout=120, what="every message is sent")
    assert second.stop() == 0
    # then every message reached the gateway, each idempotency key accepted exactly once
    assert sorted(gateway.accepted) == sorted(keys)
    assert gateway.bad == []
    repeats = sum(gateway.repeats.values())
    assert repeats <= 1  # at most the SMS whose answer the kill cut off, and the gateway deduplicated it
    assert sum(gateway.requests.values()) == 20 + repeats
    refs = dict(Message.objects.values_list("key", "gateway_ref"))
    assert refs == {
        key: gateway.accepted[key]["ref"] for key in keys
    }  # each recorded with the gateway's first answer


def test_sigterm_finishes_the_message_in_hand_and_releases_the_rest(gateway, queued, workers):
    keys = due_now(queued, 12)
    gateway.delay = 0.5
    worker = workers(gateway, batch=8, lease=10)
    wait_until(lambda: len(gateway.accepted) >= 3, timeout=90, what="the gateway has 3 messages")
    assert worker.stop(signal.SIGTERM) == 0
    # nothing is left claimed, nothing reached the gateway unrecorded
    assert not Message.objects.filter(state=S.SENDING).exists()
    done = set(Message.objects.filter(state=S.SENT).values_list("key", flat=True))
    assert done == set(gateway.accepted) and 3 <= len(done) < 12
    waiting = Message.objects.exclude(state=S.SENT)
    assert all(m.state == S.PENDING and m.claim == "" and m.claimed_until is None and m.attempts == 0
               for m in waiting)  # fmt: skip
    assert "交还" in worker.output() and "短信 worker 已停止" in worker.output()
    # and the next worker takes the rest at once (not after a lease)
    again = workers(gateway, batch=8, lease=10)
    wait_until(lambda: sent() == 12, timeout=60, what="every message is sent")
    assert again.stop() == 0
    assert sorted(gateway.accepted) == sorted(keys) and sum(gateway.repeats.values()) == 0


class Counting(HttpBackend):
    def __init__(self):
        super().__init__()
        self.sent: list[str] = []

    def send(self, message):
        self.sent.append(message.key)
        return super().send(message)


def test_two_workers_at_once_never_send_the_same_message(sms_gateway, queued):
    keys = due_now(queued, 60)
    sms_gateway.delay = 0.02
    backends = [Counting(), Counting()]
    results = run_together(*[lambda b=b: Worker(b, batch=5, poll=0).run(once=True) for b in backends])
    assert results == [None, None]
    assert sent() == 60
    assert Counter(sms_gateway.requests) == Counter({key: 1 for key in keys})  # no key requested twice
    assert all(b.sent for b in backends), "both workers delivered"
    assert not set(backends[0].sent) & set(backends[1].sent)
