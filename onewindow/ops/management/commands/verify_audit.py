"""manage.py verify_audit: every hash chain of the hall recomputed — the cases' (cases.audit), the
ratings' (ratings.audit: a rating, its rectification and appeal), the complaints', the 12345 work
orders', the intermediary market's (agencies and purchases, with their draws) and the trading
projects' (公共资源交易). Here in
ops, above every module whose chain it reads (the cases' own module may not import ratings)."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.cases import audit as cases
from onewindow.hotline import audit as hotline
from onewindow.market import audit as market
from onewindow.ratings import audit as ratings
from onewindow.ratings import complaints
from onewindow.trading import audit as trading


class Command(BaseCommand):
    help = "重新计算全部办件、评价、投诉、热线工单、中介超市和公共资源交易项目的留痕哈希链，列出被篡改的记录。发现问题时以非零状态退出。"

    def handle(self, *args, **options):
        broken = [(f"{number}", seq, why) for number, seq, why in cases.verify()]
        broken += [(f"评价{pk}", seq, why) for pk, seq, why in ratings.verify()]
        broken += [(f"投诉{number}", seq, why) for number, seq, why in complaints.verify_all()]
        broken += [(f"热线工单{number}", seq, why) for number, seq, why in hotline.verify_all()]
        broken += [(f"中介超市{key}", seq, why) for key, seq, why in market.verify_all()]
        broken += [(f"交易项目{number}", seq, why) for number, seq, why in trading.verify_all()]
        for subject, seq, why in broken:
            self.stdout.write(f"{subject}: 第{seq}条事件起 {why}")
        if broken:
            raise CommandError(f"{len(broken)} 条记录的留痕被篡改。")
        self.stdout.write("全部办件、评价、投诉、热线工单、中介超市和交易项目留痕完整。")
