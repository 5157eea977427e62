"""manage.py forecast: fit the deadline-risk forecast and/or score the open cases now (the worker
does both once a day; issue 22)."""

import json

from django.core.management.base import BaseCommand

from onewindow.foresight import queries, services


class Command(BaseCommand):
    help = "风险预判：立即训练模型（--fit）、评估全部在办件（--score），或显示在用模型（--show）"

    def add_arguments(self, parser):
        parser.add_argument("--fit", action="store_true", help="用近 12 个月已办结办件训练新版本")
        parser.add_argument("--score", action="store_true", help="用在用模型评估全部在办件")
        parser.add_argument("--show", action="store_true", help="以 JSON 显示在用模型的特征、系数与检验")

    def handle(self, *args, fit=False, score=False, show=False, **options):
        if fit:
            model = services.fit()
            if model is None:
                self.stdout.write("历史办件样本不足，未训练新模型。")
            else:
                self.stdout.write(
                    f"已训练 v{model.version}：办件 {model.cases} 件，样本 {model.snapshots} 个。"
                )
        if score:
            n = services.score()
            self.stdout.write(f"已评估在办件 {n} 件。" if n or services.active_model() else "尚无可用模型。")
        if show:
            model = services.active_model()
            if model is None:
                self.stdout.write("尚无可用模型。")
            else:
                out = {"version": model.version, "evaluation": model.evaluation, **queries.readable(model)}
                self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2, default=str))
