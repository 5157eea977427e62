"""`manage.py restore PATH [--yes] [--force]`: a backup put back, then proved — every table's rows
and every audit chain's head as the manifest says, every chain verified (ops/backups.py). Stop the
app servers and the worker first (docs/operators-guide.md "Backups")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from onewindow.ops import backups


class Command(BaseCommand):
    help = "用备份目录覆盖当前数据库和上传文件，然后核对每张表的行数和全部留痕链；不符时以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="manage.py backup 写出的备份目录")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接覆盖")
        parser.add_argument("--force", action="store_true", help="数据库的迁移状态与备份不同时也恢复")

    def handle(self, *args, path, yes, force, **options):
        try:
            manifest = backups.read_manifest(path)
            backups.check_restorable(manifest, force=force)
        except backups.BackupError as error:
            raise CommandError(f"无法恢复：{error.message}") from None
        self.stdout.write(
            f"备份 {path}：{manifest['created_at']}，{manifest['engine']}，{len(manifest['tables'])} 张表"
        )
        if not yes:
            self._confirm()
        try:
            restored = backups.restore(path, force=force)
        except backups.BackupError as error:
            for problem in error.details.get("problems", []):
                self.stderr.write(f"  {problem}")
            raise CommandError(f"恢复失败：{error.message}") from None
        self.stdout.write(f"恢复完成并已核对：{sum(manifest['tables'].values())} 行与清单一致，全部留痕链完整，"
                          f"用时 {restored.seconds} 秒")  # fmt: skip
        if restored.pending:
            self.stdout.write(f"本版本代码比备份多 {len(restored.pending)} 个迁移：请运行 manage.py migrate")

    def _confirm(self):
        name = connection.settings_dict["NAME"]
        try:
            answer = input(f"将用备份覆盖数据库 {name} 的全部数据（现有数据将丢失）。输入 yes 继续：")
        except EOFError:
            answer = ""
        if answer.strip().lower() != "yes":
            raise CommandError("未确认，未做任何更改（非交互运行请加 --yes）")
