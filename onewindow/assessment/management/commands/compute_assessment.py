import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from onewindow.accounts.models import Hall
from onewindow.assessment import services


class Command(BaseCommand):
    help = "计算某月的千分制考核（重算会替换该月得分；已确认的评选结果保留）。"

    def add_arguments(self, parser):
        parser.add_argument("month", nargs="?", help="月份 YYYY-MM（默认上个月）")
        parser.add_argument("--hall", help="中心编码（默认所有设有窗口的中心）")

    def handle(self, *args, month=None, hall=None, **options):
        try:
            first = dt.datetime.strptime(month, "%Y-%m").date() if month else services.previous_month()
        except ValueError:
            raise CommandError("月份格式应为 YYYY-MM，如 2026-03。") from None
        halls = Hall.objects.filter(windows__is_active=True).distinct()
        if hall:
            halls = halls.filter(code=hall)
            if not halls.exists():
                raise CommandError(f"没有编码为 {hall} 且设有窗口的中心。")
        for h in halls:
            scores = services.compute(first, h)
            self.stdout.write(f"{h.name} {first:%Y年%m月}：{len(scores)} 个窗口和工作人员的得分已计算。")
