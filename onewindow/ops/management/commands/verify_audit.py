"""manage.py verify_audit: every hash chain of the hall recomputed — the cases' (cases.audit), the
ratings' (ratings.audit: a rating, its rectification and appeal), the complaints', the 12345 work
orders', the intermediary market's (agencies and purchases, with their draws) and the trading
projects' (公共资源交易): the list in ops/chains.py, which `manage.py restore` verifies too."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.ops import chains


class Command(BaseCommand):
    help = "重新计算全部办件、评价、投诉、热线工单、中介超市和公共资源交易项目的留痕哈希链，列出被篡改的记录。发现问题时以非零状态退出。"

    def handle(self, *args, **options):
        broken = chains.broken()
        for subject, seq, why in broken:
            self.stdout.write(f"{subject}: 第{seq}条事件起 {why}")
        if broken:
            raise CommandError(f"{len(broken)} 条记录的留痕被篡改。")
        self.stdout.write("全部办件、评价、投诉、热线工单、中介超市和交易项目留痕完整。")
