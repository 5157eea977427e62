"""The one thing the notices store: their numbers (文号). A notice itself is read from the audit
trail (notices.py); its number is given once, from a gap-free counter per hall, kind and year,
the first time the notice is issued, and read back on every reprint."""

from django.db import models

from onewindow.accounts.models import Hall
from onewindow.cases.models import CaseEvent


class NoticeNumber(models.Model):
    """文书编号: e.g. 德政服受字〔2026〕第0023号 — the 23rd 受理通知书 the hall issued in 2026."""

    # The event that issued the notice (受理 → 受理通知书 …) and the notice's kind: one event may
    # issue two notices (容缺受理: 受理通知书 and 容缺受理承诺书), each numbered in its series.
    event = models.ForeignKey(
        CaseEvent, models.CASCADE, related_name="+", verbose_name="留痕事件", db_index=False
    )
    kind = models.CharField("文书种类", max_length=24)
    hall = models.ForeignKey(Hall, models.PROTECT, related_name="+", verbose_name="受理中心", db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    serial = models.PositiveIntegerField("序号")
    # As printed, so a reprint says what the first print said even after the hall's 代字 changed.
    number = models.CharField("文书编号", max_length=80)
    assigned_at = models.DateTimeField("编号时间")

    class Meta:
        verbose_name = verbose_name_plural = "文书编号"
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="notice_number_once"),
            models.UniqueConstraint(
                fields=["hall", "kind", "year", "serial"], name="notice_number_serial_unique"
            ),
        ]

    def __str__(self):
        return self.number
