"""manage.py detect_violations [--all]: the periodic job's violation checks once; --all looks at
every decided case and fee notice, not only the last 30 days' (a first run over old records)."""

from django.core.management.base import BaseCommand

from onewindow.supervision import detectors


class Command(BaseCommand):
    help = "检查未按流程办理、违规收费、体外循环、超时默认，记入违规记录（每项一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="检查全部历史办件与缴款通知")

    def handle(self, *args, **options):
        self.stdout.write(f"新发现违规 {detectors.detect(everything=options['all'])} 条。")
