"""`manage.py backup [--output PATH]`: the database, the uploads and a manifest in one new
directory (ops/backups.py; docs/operators-guide.md "Backups")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onewindow.ops import backups


class Command(BaseCommand):
    help = "备份数据库（PostgreSQL 用 pg_dump，SQLite 用在线备份）、上传文件和清单（行数、迁移状态、留痕链头）到一个新目录。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="备份目录（须不存在）；默认 VAR_DIR/backups/onewindow-<时间>"
        )

    def handle(self, *args, output, **options):
        output = output or backups.default_output()
        try:
            manifest = backups.backup(output)
        except backups.BackupError as error:
            raise CommandError(f"备份失败：{error.message}") from None
        rows = sum(manifest["tables"].values())
        events = sum(chain["events"] for chain in manifest["chains"].values())
        media = manifest["media"]["files"] if manifest["media"] else 0
        self.stdout.write(f"备份完成：{output}")
        self.stdout.write(f"  {manifest['engine']}，{len(manifest['tables'])} 张表 {rows} 行，留痕事件 {events} 条，"
                          f"上传文件 {media} 个，用时 {manifest['seconds']} 秒")  # fmt: skip
