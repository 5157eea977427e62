"""manage.py import_case_records FILE --department CODE: a department's own system's case records
(CSV or JSON, supervision.imports), then the 体外循环 and 未按流程办理 checks at once, as the
periodic job would within the minute."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onewindow.accounts.models import Department
from onewindow.errors import DomainError
from onewindow.supervision import detectors, imports


class Command(BaseCommand):
    help = "导入部门自建系统的办件记录（CSV 或 JSON，每条注明是否在大厅系统内办理），并检查体外循环。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 或 JSON 文件")
        parser.add_argument("--department", required=True, help="来源部门编码")
        parser.add_argument("--format", choices=["csv", "json"], help="默认按文件扩展名")

    def handle(self, *args, file, department, format=None, **options):
        found = Department.objects.filter(code=department).first()
        if found is None:
            raise CommandError(f"部门编码“{department}”不存在。")
        path = Path(file)
        fmt = format or path.suffix.lower().lstrip(".")
        try:
            content = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"无法读取文件“{file}”（须为 UTF-8 编码）：{error}") from None
        try:
            result = imports.import_records(found, imports.parse(content, fmt))
        except DomainError as error:
            for line in error.details.get("errors", []) if error.details else []:
                self.stderr.write(line)
            raise CommandError(error.message) from None
        found_now = detectors.detect_outside_system() + detectors.detect_skipped_steps()
        self.stdout.write(f"导入 {result.imported} 条，跳过已导入 {result.skipped} 条，其中未在大厅系统内办理 "
                          f"{result.outside} 条；新发现违规 {found_now} 条。")  # fmt: skip
