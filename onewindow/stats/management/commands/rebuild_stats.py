from django.core.management.base import BaseCommand

from onewindow.stats import rollup


class Command(BaseCommand):
    help = "从办件记录重新生成全部统计日汇总（首次部署、导入历史办件或修改工作日历后运行）。"

    def handle(self, *args, **options):
        rows = rollup.rebuild()
        self.stdout.write(f"统计日汇总已重建：{rows} 行。")
