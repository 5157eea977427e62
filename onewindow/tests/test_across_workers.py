"""Issue 21's acceptance over real HTTP: gunicorn with two sync workers, every request on a new
connection so it lands on either worker (the access log names the worker that answered):

- the 21st try after 20 wrong passwords is refused even with the right password;
- the progress lookup allows exactly its configured number per window, page and API together,
  then 429 with Retry-After — even when the lookups arrive at the same moment.

Once with the database cache (the embedded default) and once with Redis as the shared cache.
The server runs on this test's own database (the test database, committed: a transactional test).
"""

import html
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from onewindow.accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
PASSWORD = "Right-Pass-2026"
REDIS_TEST_URL = os.environ.get("ONEWINDOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = urllib.parse.quote(s["USER"] or "")
    password = urllib.parse.quote(s["PASSWORD"] or "")
    return f"postgres://{user}:{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Server:
    def __init__(self, cache: str):
        self.port = _free_port()
        self.dir = tempfile.mkdtemp(prefix="across-workers-")
        self.access_log = Path(self.dir) / "access.log"
        self.log = open(Path(self.dir) / "gunicorn.log", "w")
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CONN_MAX_AGE": "0",
            "ONEWINDOW_PLAIN_STATIC": "true",
            "ONEWINDOW_DEMO": "true",  # a loopback public address is refused at start otherwise
            "ALLOWED_HOSTS": HOST,
            "LOG_LEVEL": "WARNING",
            "ONEWINDOW_CACHE_PREFIX": f"across-{uuid.uuid4().hex[:12]}",  # counters of this run only
            "ONEWINDOW_PROGRESS_LOOKUPS_PER_WINDOW": "20",
            "ONEWINDOW_PROGRESS_WINDOW_SECONDS": "600",
            "ONEWINDOW_LOGIN_FAILURE_LIMIT": "20",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("DEBUG", None)
        if cache == "redis":
            env["REDIS_URL"] = REDIS_TEST_URL
        else:
            env.pop("REDIS_URL", None)
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.proc = subprocess.Popen(
            [str(gunicorn), "onewindow.wsgi", "-w", "2", "--worker-class", "sync", "-b", f"{HOST}:{self.port}",
             "--access-logfile", str(self.access_log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def request(self, method, path, body=None, headers=None):
        """One request on a connection of its own (so either worker may take it)."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            answer = conn.getresponse()
            return answer.status, dict(answer.getheaders()), answer.read().decode()
        finally:
            conn.close()

    def workers(self, path_prefix: str) -> set[str]:
        """The worker pids that answered requests under `path_prefix`."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return {
            line.split()[0]
            for line in lines
            if len(line.split()) == 4 and line.split()[2].startswith(path_prefix)
        }

    def wait_for_both_workers(self, timeout=90):
        deadline = time.monotonic() + timeout
        with ThreadPoolExecutor(4) as pool:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"gunicorn exited:\n{self.tail()}")
                try:
                    list(pool.map(lambda _: self.request("GET", "/api/v1/ping"), range(4)))
                except OSError:
                    time.sleep(0.3)
                    continue
                if len(self.workers("/api/v1/ping")) == 2:
                    return
                time.sleep(0.1)
        raise RuntimeError(f"both workers did not answer within {timeout} s:\n{self.tail()}")

    def tail(self):
        self.log.flush()
        return (Path(self.dir) / "gunicorn.log").read_text(errors="replace")[-3000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)  # its own session: the master and its workers
                self.proc.wait(5)
        self.log.close()


@pytest.fixture(params=["database", "redis"])
def server(request, world):
    if request.param == "redis" and not _redis_up():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: Redis is required at {REDIS_TEST_URL}")
        pytest.skip("no Redis at 127.0.0.1:6379")
    # A real password hash (the tests' MD5 is not in the server's PASSWORD_HASHERS); 30,000
    # iterations make a login take long enough that two at once go to both workers.
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(pk=world.alice.pk).update(password=hasher.encode(PASSWORD, hasher.salt(), 30_000))
    started = Server(request.param)
    try:
        started.wait_for_both_workers()
        yield started
    finally:
        started.stop()


def _csrf(server, path):
    status, headers, page = server.request("GET", path)
    assert status == 200, (path, status)
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    token = html.unescape(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1))
    return cookie, token


def _post(server, path, fields, csrf):
    cookie, token = csrf
    body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}"}
    return server.request("POST", path, body, headers)


def test_twenty_wrong_passwords_lock_the_login_across_workers(server):
    csrf = _csrf(server, "/accounts/login/")

    def login(password):
        return _post(server, "/accounts/login/", {"username": "alice", "password": password}, csrf)

    status, headers, _ = login(PASSWORD)
    assert status == 302, "the right password logs in before any failure"
    with ThreadPoolExecutor(2) as pool:  # two at a time: both workers busy
        wrong = list(pool.map(lambda _: login("wrong-password"), range(20)))
    statuses = sorted(status for status, _, _ in wrong)
    assert set(statuses) <= {200, 429} and statuses.count(429) >= 1 and statuses.count(200) >= 18, statuses
    status, headers, page = login(PASSWORD)
    assert status == 429, "the 21st try is refused even with the right password"
    assert "登录已暂时锁定" in page and headers["Retry-After"] == "1800"
    assert "sessionid" not in headers.get("Set-Cookie", "")
    assert len(server.workers("/accounts/login/")) == 2, "both workers answered logins"


def test_the_progress_lookup_allows_exactly_twenty_across_workers_page_and_api(server):
    csrf = _csrf(server, "/progress/")

    def lookup(i):
        if i % 2:
            return _post(server, "/progress/", {"number": "371400-X-0001", "phone_last4": "0000"}, csrf)
        return server.request("GET", "/api/v1/progress?number=371400-X-0001&phone_last4=0000")

    with ThreadPoolExecutor(4) as pool:  # four at once: the count must still be exact
        answers = list(pool.map(lookup, range(24)))
    assert sorted(status for status, _, _ in answers) == [404] * 20 + [429] * 4
    for status, headers, _ in answers:
        if status == 429:
            assert 1 <= int(headers["Retry-After"]) <= 600
    for i in (0, 1):  # the API and the page, each refused with Retry-After
        status, headers, body = lookup(i)
        assert status == 429 and "查询过于频繁" in body and 1 <= int(headers["Retry-After"]) <= 600
    assert len(server.workers("/progress/") | server.workers("/api/v1/progress")) == 2
