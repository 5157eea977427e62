"""The hall's periodic jobs (onewindow/ops/periodic.py), run once: from cron, or by hand.
`manage.py worker` runs the same list every minute beside the server."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.ops.periodic import run_jobs, summary


class Command(BaseCommand):
    help = "运行一次定时任务（逾期未答复视为受理、预约爽约、预约提醒短信等）；任一任务失败时以非零状态退出。"

    def handle(self, *args, **options):
        results = run_jobs()
        self.stdout.write(summary(results))
        failed = [name for name, count in results.items() if count is None]
        if failed:
            raise CommandError(f"定时任务失败：{', '.join(failed)}（详见日志）")
