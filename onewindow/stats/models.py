"""日汇总: the daily roll-up of the cases' figures (issue 16 part 3; decision 29). Read-only
layer: rows are written only by `rollup.refresh`/`rollup.rebuild`, from the cases' own records."""

from django.db import models

from onewindow.accounts.models import Department, Hall, User, Window
from onewindow.catalog.models import ServiceItem


class DailyFigure(models.Model):
    """One day × hall × department × window × item × officer. The officer is the one who accepted
    the case (its `accept` event's actor; none for 视为受理 by art. 32); the window is the case's
    受理窗口 (Case.window, recorded at intake; none online and for 视为受理)."""

    day = models.DateField("日期")
    hall = models.ForeignKey(Hall, models.CASCADE, related_name="+", verbose_name="受理中心", db_index=False)
    department = models.ForeignKey(Department, models.CASCADE, related_name="+", verbose_name="办理部门")
    window = models.ForeignKey(
        Window, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="窗口", db_index=False
    )
    item = models.ForeignKey(
        ServiceItem, models.CASCADE, related_name="+", verbose_name="事项", db_index=False
    )
    officer = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="受理人", db_index=False
    )
    received = models.PositiveIntegerField("接件", default=0)
    accepted = models.PositiveIntegerField("受理", default=0)
    on_the_spot = models.PositiveIntegerField("即办", default=0)
    closed = models.PositiveIntegerField("办结", default=0)
    closed_on_time = models.PositiveIntegerField("按时办结", default=0)
    overdue = models.PositiveIntegerField("日终逾期在办", default=0)
    # Over the cases closed that day: working days used (clock time: closing day's ordinal − the
    # acceptance day's − the suspended days), the suspended days, the promised and legal limits.
    days_used = models.PositiveIntegerField("办理用时（工作日）合计", default=0)
    suspended_days = models.PositiveIntegerField("暂停计时（工作日）合计", default=0)
    promised_days = models.PositiveIntegerField("承诺时限合计", default=0)
    legal_days = models.PositiveIntegerField("法定时限合计", default=0)
    # Closed that day and the item version asks at most one visit (ItemVersion.visits ≤ 1: 一次办好).
    one_visit = models.PositiveIntegerField("一次办好办结", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "日汇总"
        ordering = ["day", "hall", "department", "item"]
        indexes = [
            # The refresh replaces whole days of every hall; a hall's pages read a year of its own
            # rows: in a province's roll-up a range of days is every hall's (bench/province.py).
            models.Index(fields=["day", "hall"], name="stats_daily_day_hall"),
            models.Index(fields=["hall", "day"], name="stats_daily_hall_day"),
        ]
        # No unique constraint: a day's rows are replaced whole in one transaction (rollup.refresh).

    def __str__(self):
        return f"{self.day} {self.department_id} {self.item_id}"
