"""The working-day calendar (RULES.md "Working days and deadlines")."""

from django.db import models


class Day(models.Model):
    """One calendar date. `seq` is the working-day ordinal of ARCHITECTURE.md "The case
    clock": working days counted from the first day of the table up to and including this
    date (a non-working day shares the ordinal of the working day before it). It is kept
    here, recomputed set-based on every change, so SQL can join on it."""

    class Kind(models.TextChoices):
        NORMAL = "normal", "正常"  # a weekday at work or a weekend day off
        HOLIDAY = "holiday", "法定节假日"  # a day off by the State Council's schedule
        ADJUSTED_WORKDAY = "adjusted_workday", "调休上班"  # a weekend day declared a working day

    class Source(models.TextChoices):
        OFFICIAL = "official", "国务院办公厅公布"
        PROVISIONAL = "provisional", "按法定假日规则推算（待官方公布）"
        MANUAL = "manual", "管理员手工调整"

    date = models.DateField("日期", primary_key=True)
    is_workday = models.BooleanField("工作日")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.NORMAL)
    holiday_name = models.CharField("节日", max_length=20, blank=True)
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    seq = models.IntegerField("工作日序号", default=0, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'工作日' if self.is_workday else '休息日'}"


class CalendarState(models.Model):
    """One row: bumped in the same transaction as every calendar change, so each process
    knows when to reload its in-memory ordinal arrays."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = verbose_name_plural = "日历版本"

    def __str__(self):
        return f"日历版本 {self.version}"
