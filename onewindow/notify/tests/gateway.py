"""A local SMS gateway for the tests: `http.server` in a thread on 127.0.0.1, switchable between
up, failing (500), hanging past the client's timeout, refusing (400) and throttling (429).

Like a real gateway it dedups by idempotency key: the first receipt of a key is the one SMS sent
to the phone (`accepted`); a repeat is answered 200 with the first reference and counted in
`repeats`. `requests` counts every POST per key, whatever the answer. A hanging gateway has taken
the message (it is accepted) but its answer comes after the client gave up — the lost answer
that makes the sender try again."""

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "test-gateway-key"


class Gateway:
    def __init__(self):
        self.lock = threading.Lock()
        self.mode = "up"  # up | error | hang | reject | throttle
        self.delay = 0.0  # seconds before each answer when up (a slow gateway)
        self.hang_seconds = 3.0
        self.retry_after = "7"
        self.accepted: dict[str, dict] = {}
        self.repeats: Counter = Counter()
        self.requests: Counter = Counter()
        self.bad: list[str] = []  # requests that broke the contract (missing key, header ≠ body)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def start(self) -> "Gateway":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def receive(self, headers, body: dict) -> tuple[int, dict, dict]:
        """(status, JSON answer, extra headers) for one POST."""
        key = body.get("idempotency_key", "")
        with self.lock:
            self.requests[key] += 1
            if headers.get("X-Api-Key") != API_KEY:
                return 401, {"error": "bad key"}, {}
            if not key or headers.get("Idempotency-Key") != key or not body.get("to") or not body.get("text"):
                self.bad.append(json.dumps(body, ensure_ascii=False))
                return 400, {"error": "bad request"}, {}
            mode = self.mode
            if mode == "error":
                return 500, {"error": "internal error"}, {}
            if mode == "reject":
                return 400, {"error": "号码格式错误"}, {}
            if mode == "throttle":
                return 429, {"error": "too many requests"}, {"Retry-After": self.retry_after}
            if key in self.accepted:
                self.repeats[key] += 1
            else:
                self.accepted[key] = body | {"ref": f"GW{len(self.accepted) + 1:06d}"}
            ref = self.accepted[key]["ref"]
        time.sleep(self.hang_seconds if mode == "hang" else self.delay)
        return 200, {"id": ref}, {}

    def received_in_order(self) -> list[str]:
        with self.lock:
            return list(self.accepted)


def _handler(gateway: Gateway):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                body = {}
            status, answer, extra = gateway.receive(self.headers, body)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout) or was killed

        def log_message(self, *args):
            pass

    return Handler
