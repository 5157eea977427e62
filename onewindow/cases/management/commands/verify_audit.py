from django.core.management.base import BaseCommand, CommandError

from onewindow.cases import audit


class Command(BaseCommand):
    help = "重新计算全部办件的留痕哈希链，列出被篡改的办件。发现问题时以非零状态退出。"

    def handle(self, *args, **options):
        broken = list(audit.verify())
        for number, seq, why in broken:
            self.stdout.write(f"{number}: 第{seq}条事件起 {why}")
        if broken:
            raise CommandError(f"{len(broken)} 个办件的留痕记录被篡改。")
        self.stdout.write("全部办件留痕完整。")
