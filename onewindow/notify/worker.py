"""The worker loop behind `manage.py worker`: claim a batch of due messages, send each through
the backend, record each result; every so often run the periodic jobs; stop cleanly.

Stopping (SIGTERM/SIGINT sets `stopping`): the message in hand is finished and recorded, the rest
of the batch is released at once (not left to its lease), and the loop ends."""

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable

from django import db
from django.conf import settings

from onewindow import clock
from onewindow.notify import outbox
from onewindow.notify.backends import ERROR_MAX, RETRY, Result

log = logging.getLogger("onewindow.notify")


class Worker:
    def __init__(self, backend, *, jobs: Callable[[], object] | None = None, jobs_every: float = 0,
                 batch: int | None = None, lease: int | None = None, poll: float | None = None):  # fmt: skip
        self.backend = backend
        self.jobs, self.jobs_every = jobs, jobs_every
        self.batch = batch or settings.ONEWINDOW_WORKER_BATCH
        self.lease = lease or settings.ONEWINDOW_WORKER_LEASE_SECONDS
        self.poll = settings.ONEWINDOW_WORKER_POLL_SECONDS if poll is None else poll
        # The longest one send may take: a message is not started unless it can end in the lease.
        budget = settings.ONEWINDOW_SMS_CONNECT_TIMEOUT + settings.ONEWINDOW_SMS_READ_TIMEOUT + 1
        if self.lease <= budget:
            raise ValueError(
                f"the lease ({self.lease} s) must be longer than one send may take ({budget} s: "
                "ONEWINDOW_SMS_CONNECT_TIMEOUT + ONEWINDOW_SMS_READ_TIMEOUT + 1)"
            )
        self.send_budget = dt.timedelta(seconds=budget)
        self.stopping = False

    def stop(self, *_signal) -> None:
        """The signal handler: only a flag, so a send in progress is never interrupted."""
        self.stopping = True

    def deliver_batch(self) -> Counter | None:
        """One batch; its tally by outcome, or None when no message was due."""
        started = time.monotonic()
        token, messages = outbox.claim(self.batch, self.lease)
        if not messages:
            return None
        tally = Counter(claimed=len(messages))
        for i, message in enumerate(messages):
            if self.stopping or clock.now() + self.send_budget >= message.claimed_until:
                tally["released"] += outbox.release(token, messages[i:])
                break
            try:
                result = self.backend.send(message)
            except Exception as exc:  # a backend's bug must not stop the others' messages
                log.exception("短信 %s：发送程序出错", message.key)
                result = Result(RETRY, error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX])
            tally[outbox.record(message, token, result) or "lost"] += 1
        log.info(
            "短信批次：领取 %d 条，发送成功 %d，待重试 %d，发送失败 %d，交还 %d，租约已失 %d（%.2f 秒）",
            tally["claimed"], tally["sent"], tally["pending"], tally["dead"], tally["released"], tally["lost"],
            time.monotonic() - started,
        )  # fmt: skip
        return tally

    def run_jobs(self) -> None:
        done = self.jobs()
        if done:  # a line when something happened, not every minute
            log.info("定时任务：%s", done)

    def run(self, *, once: bool = False) -> None:
        """Until stopped; `once`: the jobs, then batches until none is due."""
        next_jobs = 0.0
        try:
            while not self.stopping:
                if not db.connection.in_atomic_block:  # (a test's transaction)
                    db.close_old_connections()  # a connection past CONN_MAX_AGE or broken
                try:
                    if self.jobs is not None and time.monotonic() >= next_jobs:
                        self.run_jobs()
                        next_jobs = float("inf") if once else time.monotonic() + self.jobs_every
                    tally = self.deliver_batch()
                except db.Error:
                    if once:
                        raise
                    log.exception("数据库不可用，%s 秒后重试", self.poll)
                    db.connection.close()
                    tally = None
                if tally is None:
                    if once:
                        return
                    self._sleep(self.poll)
        finally:
            self.backend.close()

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
