"""manage.py partition_events: the audit trail (cases_caseevent) partitioned by the year of its
case, on PostgreSQL (decision 50; operator's guide "Partitioning"). Without an option: convert
the plain table in place, in one transaction. --dry-run prints the statements; --list the
partitions; --roll closes the past year's open partition and opens the current year's (run it
once after New Year, next to the yearly calendar upkeep); --undo returns to the plain table."""

from django.core.management.base import BaseCommand, CommandError

from onewindow.ops import partitions


class Command(BaseCommand):
    help = "按办件年度对留痕表分区（仅 PostgreSQL）：转换、--dry-run 预览、--list 列出、--roll 年度滚动、--undo 还原。"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--dry-run", action="store_true", help="只打印将执行的语句，不作改动")
        group.add_argument("--list", action="store_true", help="列出分区及其范围")
        group.add_argument("--roll", action="store_true", help="年度滚动：关闭上一年的分区，开启本年分区")
        group.add_argument("--undo", action="store_true", help="还原为不分区的表")

    def handle(self, *args, **options):
        try:
            if options["dry_run"]:
                made = partitions.plan()
                for statement in made.statements:
                    self.stdout.write(statement.strip() + ";")
                self.stdout.write(f"-- 预览：{len(made.partitions)} 个分区，未作改动。")
            elif options["list"]:
                self._list()
            elif options["roll"]:
                rolled = partitions.roll()
                if rolled is None:
                    self.stdout.write("本年分区已开启，无需滚动。")
                else:
                    self.stdout.write(f"已关闭 {rolled.closed.name}（办件 id < {rolled.closed.high}），"
                                      f"已开启 {rolled.opened.name}（办件 id ≥ {rolled.opened.low}）。")  # fmt: skip
            elif options["undo"]:
                partitions.undo()
                self.stdout.write(f"{partitions.EVENTS} 已还原为不分区的表。")
            else:
                made = partitions.convert()
                self.stdout.write(f"{partitions.EVENTS} 已按年分区：{', '.join(p.name for p in made)}。")
        except partitions.PartitionError as error:
            raise CommandError(error.message) from None

    def _list(self):
        partitions.available()
        if not partitions.is_partitioned():
            raise partitions.PartitionError("partition.not_partitioned", f"{partitions.EVENTS} 未分区。(Not partitioned.)")  # fmt: skip
        rows = partitions.rows_estimate()
        for p in partitions.partitions():
            low = "MINVALUE" if p.low is None else p.low
            high = "MAXVALUE（本年，开放）" if p.high is None else p.high
            self.stdout.write(f"{p.name}\t办件 id [{low}, {high})\t约 {rows.get(p.name, 0)} 行")
