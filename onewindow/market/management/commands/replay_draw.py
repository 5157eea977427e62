"""manage.py replay_draw <number>: recomputes a purchase's published draw (market.selection.replay)
and prints whether it gives the recorded result and whether the seed matches the commitment
published before the draw. Exit status 1 when either does not."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.errors import DomainError
from onewindow.market import selection
from onewindow.market.models import Purchase


class Command(BaseCommand):
    help = "复算中介超市项目的随机抽取（用公开的随机种子和候选机构），核对结果与种子承诺"

    def add_arguments(self, parser):
        parser.add_argument("number", help="项目编号，如 ZJ2026000001")

    def handle(self, *args, number: str, **options):
        purchase = Purchase.objects.filter(number=number.strip()).first()
        if purchase is None:
            raise CommandError(f"未找到项目 {number}。")
        try:
            r = selection.replay(purchase)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        yes = {True: "一致", False: "不一致"}
        lines = [
            f"项目：{r['number']}（抽取用途：{selection.PURPOSES.get(r['purpose'], r['purpose'])}）",
            f"抽取时间：{r['drawn_at'].isoformat()}",
            f"发布时公布的种子承诺：{r['commitment']}",
            f"公开的随机种子：{r['seed']}",
            f"SHA-256(种子) 与承诺：{yes[r['commitment_matches']]}",
            f"候选机构（{len(r['candidates'])}家，按统一社会信用代码排序）：{'、'.join(r['candidates'])}",
            f"抽取数量：{r['k']}",
            f"记录的结果：{'、'.join(r['recorded'])}",
            f"复算的结果：{'、'.join(r['replayed'])}",
            f"复算结果与记录：{yes[r['matches']]}",
        ]
        self.stdout.write("\n".join(lines))
        if not (r["matches"] and r["commitment_matches"]):
            raise CommandError("复算未通过：抽取记录与公开数据不一致。")
