from django.core.management.base import BaseCommand

from onewindow.hotline import seed


class Command(BaseCommand):
    help = "载入12345热线分类（两级，编码稳定；参照全国12345热线分类实践）。可重复运行。"

    def handle(self, *args, **options):
        counts = seed.seed_categories()
        self.stdout.write(f"热线分类就绪：新增 {counts['created']} 个，更新 {counts['updated']} 个。")
