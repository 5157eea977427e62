"""`manage.py worker`: delivers the outbox's messages and runs the hall's periodic jobs
(onewindow/ops/periodic.py). Several may run at once on PostgreSQL; SIGTERM stops it cleanly."""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onewindow import links
from onewindow.notify import backends
from onewindow.notify.worker import Worker
from onewindow.ops.periodic import run_jobs, summary


def _jobs() -> str:
    """The periodic jobs; their summary when one did something or failed, else ''."""
    results = run_jobs()
    return summary(results) if any(count != 0 for count in results.values()) else ""


class Command(BaseCommand):
    help = "发送短信并运行定时任务（逾期视为受理、预约爽约与提醒等）；收到 SIGTERM 后处理完手头的短信即退出。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="运行一次定时任务、发完到期短信后退出")
        parser.add_argument(
            "--jobs-every", type=int, default=settings.ONEWINDOW_WORKER_JOBS_SECONDS,
            help="定时任务间隔秒数；0 为本进程不运行定时任务（由其他 worker 或 cron 运行）",
        )  # fmt: skip

    def handle(self, *args, once, jobs_every, **options):
        if not options.get("skip_checks"):  # started by hand or `make run`, not call_command in a test
            links.fail_on_errors()  # the SMS carry the public address (system check onewindow.E001)
        try:
            worker = Worker(backends.configured(), jobs=_jobs if jobs_every else None, jobs_every=jobs_every)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        previous = {sig: signal.signal(sig, worker.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.stdout.write(f"短信 worker 已启动（{settings.ONEWINDOW_SMS_BACKEND}）")
        self.stdout.flush()
        try:
            worker.run(once=once)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("短信 worker 已停止")
