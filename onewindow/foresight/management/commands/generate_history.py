"""`manage.py generate_history`: months of generated, decided cases with planted patterns
(onewindow.foresight.history) for the forecast's demo and its backtest."""

import datetime as dt
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onewindow import clock
from onewindow.accounts.models import Hall
from onewindow.cases.models import Case
from onewindow.errors import DomainError
from onewindow.foresight import history


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from e


class Command(BaseCommand):
    help = (
        "生成历史办件（演示与回测用）：若干个月、每月若干件已办结的办件，含计划设定的规律"
        "（一个慢科室、一个慢环节、长假积压），截至 --open-until 仍未办结的留作在办。"
        "编号以 H<种子>- 开头，不与真实编号冲突。非演示环境（未设 ONEWINDOW_DEMO=true）且库中已有真实办件时，"
        "须加 --force 才会写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=12, help="月数（默认 12）")
        parser.add_argument("--per-month", type=int, default=150, help="每月办件数（默认 150）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成相同数据，默认 1）")
        parser.add_argument("--start", type=_date, help="起始日（默认：今天往前 --months 个月，即截至今天）")
        parser.add_argument(
            "--open-until",
            type=_date,
            help="截至该日未办结的办件留作在办，此后不再受理（默认今天之前的最后一个工作日）",
        )
        parser.add_argument(
            "--hall", default=history.DEMO_HALL, help=f"政务服务中心编码（默认 {history.DEMO_HALL}）"
        )
        parser.add_argument("--force", action="store_true", help="非演示环境且已有真实办件时仍然写入")

    def handle(self, *args, months, per_month, seed, start, open_until, hall, force, **options):
        if months < 1 or per_month < 1:
            raise CommandError("--months 与 --per-month 须为正整数。")
        real = Case.objects.exclude(number__startswith=history.HISTORY_PREFIX).exists()
        if real and not settings.ONEWINDOW_DEMO and not force:
            raise CommandError(
                "库中已有真实办件且当前不是演示环境（ONEWINDOW_DEMO 未设为 true）：生成的历史办件会混入统计与督办。"
                "确需写入请加 --force。"
            )
        today = clock.today()
        start = start or history.shift_months(today, -months)
        try:
            the_hall = Hall.objects.get(code=hall)
        except Hall.DoesNotExist as e:
            raise CommandError(f"没有编码为 {hall} 的政务服务中心。") from e
        try:
            result = history.generate(start=start, months=months, per_month=per_month, seed=seed, hall=the_hall,
                                      open_until=open_until or history.day_before(today))  # fmt: skip
        except DomainError as e:
            raise CommandError(e.message) from e
        self.stdout.write(
            f"已生成历史办件 {result['cases']} 件（已办结 {result['closed']}，在办 {result['open']}），"
            f"逾期比例 {result['late_share']:.1%}；用时 {result['seconds']:.1f} 秒。"
        )
        self.stdout.write(
            f"慢科室：{result['slow_department']['name']}；慢环节：{result['slow_step']['item']}「{result['slow_step']['step']}」。"
        )
        if options["verbosity"] > 1:
            self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
