from django.core.management.base import BaseCommand

from onewindow.workdays import queries, services


class Command(BaseCommand):
    help = "导入官方工作日历（chinese-calendar），并为之后几年生成临时推算日历。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--provisional-year",
            type=int,
            action="append",
            default=[],
            help="另外为该年生成临时日历（年份须与现有年份相连）",
        )

    def handle(self, *args, provisional_year, **options):
        services.ensure_calendar()
        for year in provisional_year:
            services.generate_provisional(year)
        for row in queries.years()[-4:]:
            mark = "临时推算" if row["provisional"] else "官方"
            self.stdout.write(
                f"{row['year']}: {row['workdays']} 个工作日, {row['holidays']} 天法定假日（{mark}）"
            )
