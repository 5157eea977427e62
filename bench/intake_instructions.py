"""Diagnostic (not a test, no target): the client-side cost of one window intake, counted in CPU
instructions, which unlike the rates of bench/intake.py do not move with the machine's speed.

Runs submit (POST /api/v1/cases) + accept (POST …/accept), and the no-op GET /api/v1/ping, through
the project's WSGI application in a process of its own — the middleware, ninja, the services and
psycopg, not gunicorn's HTTP handling, not PostgreSQL's side, not the kernel's — against the
database bench/intake.py filled (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/onewindow_bench: run that first). Each measured loop runs under
valgrind's callgrind (Debian's valgrind package), counting its instructions only; without valgrind
it prints the process CPU time per case and per ping instead (which varies by ±15 % here).

    .venv/bin/python bench/intake_instructions.py [--cases 40] [--pings 200]

stdout ends with one JSON line: `case_minstr` and `ping_minstr` (millions of instructions per
submitted-and-accepted case and per ping), or `case_cpu_ms` and `ping_cpu_ms`. Decision 13 quotes
the figures.
"""

import argparse
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_spec = importlib.util.spec_from_file_location("bench_harness", Path(__file__).with_name("harness.py"))
harness = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

harness.configure("postgres://postgres@127.0.0.1:5432/onewindow_bench")

import django

django.setup()

from django.core.wsgi import get_wsgi_application

from onewindow.accounts.models import Applicant, User
from onewindow.accounts.services import issue_token
from onewindow.catalog.models import ServiceItem

ITEM = "SPJY-XK-0001"  # as bench/intake.py
# valgrind preloads its own libraries into the process it runs.
UNDER_VALGRIND = "vgpreload" in Path("/proc/self/maps").read_text()


def measure(what: str, n: int) -> float:
    """The measured loop, in this process (a child of `main`, perhaps under valgrind)."""
    app = get_wsgi_application()
    secret = issue_token(User.objects.get(username="clerk"), "bench-instructions")[1]
    applicant = Applicant.objects.get(user__username="luwei").ref  # as bench/intake.py
    materials = ServiceItem.objects.get(code=ITEM).current.materials.order_by("order")
    handed = [m.order for m in materials if m.required and m.source != "shared"]  # as bench/intake.py
    body = json.dumps(
        {"item": ITEM, "applicant": applicant, "channel": "window", "handed_in": handed}
    ).encode()

    def call(method: str, path: str, data: bytes = b"") -> tuple[str, bytes]:
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": harness.HOST, "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(data), "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(data)), "CONTENT_TYPE": "application/json",
            "HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_HOST": harness.HOST, "REMOTE_ADDR": harness.HOST,
        }  # fmt: skip
        status = []
        answer = app(environ, lambda s, headers: status.append(s))
        try:
            return status[0], b"".join(answer)
        finally:
            answer.close()

    def case() -> None:
        status, data = call("POST", "/api/v1/cases", body)
        assert status.startswith("201"), (status, data)
        status, data = call("POST", f"/api/v1/cases/{json.loads(data)['number']}/accept", b"{}")
        assert status.startswith("200"), (status, data)

    def ping() -> None:
        status, data = call("GET", "/api/v1/ping")
        assert status.startswith("200"), (status, data)

    fn = case if what == "case" else ping
    for _ in range(5):  # warm: the per-process caches filled, the statements prepared, as in a worker
        fn()
    toggle = ["callgrind_control", "--instr=on", str(os.getpid())]
    if UNDER_VALGRIND:
        subprocess.run(toggle, check=True, capture_output=True)
    t0 = time.process_time()
    for _ in range(n):
        fn()
    spent = time.process_time() - t0
    if UNDER_VALGRIND:
        subprocess.run([toggle[0], "--instr=off", toggle[2]], check=True, capture_output=True)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--pings", type=int, default=200)
    parser.add_argument("--child", choices=["case", "ping"], help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds (make bench-quick)")
    args = parser.parse_args()
    if args.quick:
        args.cases, args.pings = 3, 10
    if args.child:
        n = args.cases if args.child == "case" else args.pings
        print(json.dumps({"cpu_s": measure(args.child, n)}))
        return
    result = {"bench": "intake_instructions", "cases": args.cases, "pings": args.pings}
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        harness.log("valgrind is not installed: CPU time instead of instructions (apt-get install valgrind)")
    for what, n in (("case", args.cases), ("ping", args.pings)):
        child = [
            sys.executable,
            __file__,
            "--child",
            what,
            "--cases",
            str(args.cases),
            "--pings",
            str(args.pings),
        ]
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "callgrind.out"
            if valgrind:
                child = [
                    valgrind,
                    "--tool=callgrind",
                    "--instr-atstart=no",
                    f"--callgrind-out-file={out}",
                    *child,
                ]
            done = subprocess.run(child, check=True, capture_output=True, text=True)
            if valgrind:
                totals = [line for line in out.read_text().splitlines() if line.startswith("totals:")]
                result[f"{what}_minstr"] = round(int(totals[0].split()[1]) / n / 1e6, 3)
            else:
                result[f"{what}_cpu_ms"] = round(
                    json.loads(done.stdout.splitlines()[-1])["cpu_s"] / n * 1000, 3
                )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
