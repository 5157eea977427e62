"""The hall's periodic jobs: run once (from cron) or in a loop beside the server.

- cases: 行政许可法 art. 32 — applications left without an intake answer for 5 working days
  count as accepted from the day they were received;
- queueing: appointments whose slot has ended without arrival become no-shows.
The messages worker of the notify module will take this loop over."""

import datetime as dt
import signal
import time

from django.core.management.base import BaseCommand

from onewindow import clock
from onewindow.cases import jobs
from onewindow.queueing import appointments


class Command(BaseCommand):
    help = "运行定时任务（逾期未答复视为受理、预约爽约等）。--loop N 每 N 秒运行一次，收到 SIGTERM 后退出。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="循环间隔秒数；0 为只运行一次")

    def handle(self, *args, loop, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while True:
            accepted = jobs.auto_accept_overdue_intake()
            today = clock.today()
            no_shows = appointments.mark_no_shows(today - dt.timedelta(days=1)) + appointments.mark_no_shows(
                today
            )
            if accepted or no_shows or not loop:
                self.stdout.write(f"逾期未答复视为受理：{accepted} 件；预约爽约：{no_shows} 个")
            if not loop:
                return
            deadline = time.monotonic() + loop
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.5)
            if stopping:
                return
