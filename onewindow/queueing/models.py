"""The hall floor (GLOSSARY.md "The other platforms of the hall"): queue tickets, calls at
windows, the wall display and booked appointments."""

from django.db import models
from django.db.models import Q

from onewindow import pii
from onewindow.accounts.models import Applicant, Hall, User, Window


class Category(models.Model):
    """A business category of a hall's queue (A 企业开办, B 社会事务 …); its letter prefixes tickets."""

    hall = models.ForeignKey(
        Hall, models.CASCADE, related_name="queue_categories", verbose_name="政务服务中心"
    )
    letter = models.CharField("字母", max_length=1)
    name = models.CharField("业务类别", max_length=40)
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "排队业务类别"
        ordering = ["hall", "order", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "letter"], name="queue_category_letter_unique")
        ]

    def __str__(self):
        return f"{self.letter} {self.name}"


class WindowCategory(models.Model):
    """The categories a window calls, in the window's order of preference."""

    window = models.ForeignKey(Window, models.CASCADE, related_name="queue_categories", verbose_name="窗口")
    category = models.ForeignKey(Category, models.CASCADE, related_name="windows", verbose_name="业务类别")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "窗口叫号类别"
        ordering = ["window", "order"]
        constraints = [models.UniqueConstraint(fields=["window", "category"], name="window_category_unique")]

    def __str__(self):
        return f"{self.window} · {self.category}"


class Priority(models.TextChoices):
    NONE = "", "普通"
    ELDERLY = "elderly", "老年人"
    DISABLED = "disabled", "残疾人"
    PREGNANT = "pregnant", "孕妇"
    KEY_PROJECT = "key_project", "重点项目"
    APPOINTMENT = "appointment", "预约"


class Ticket(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "等候中"  # in the queue of its category
        CALLED = "called", "已叫号"  # called (perhaps recalled), not yet at the window
        SERVING = "serving", "办理中"  # the citizen is at the window
        DONE = "done", "已办结"
        NO_SHOW = "no_show", "过号"  # did not come after the recalls
        TRANSFERRED = "transferred", "已转移"  # moved to another category; a new ticket continues

    hall = models.ForeignKey(Hall, models.PROTECT, related_name="tickets", verbose_name="政务服务中心")
    region_code = models.CharField("区划代码", max_length=12)
    category = models.ForeignKey(Category, models.PROTECT, related_name="tickets", verbose_name="业务类别")
    day = models.DateField("日期")
    number = models.CharField("号码", max_length=8)
    priority = models.CharField("优先", max_length=12, choices=Priority.choices, blank=True, default="")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.WAITING)
    issued_at = models.DateTimeField("取号时间")
    # The place in the queue: the original issue time survives a transfer (RULES: keep the wait).
    queued_at = models.DateTimeField("排队起算时间")
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    started_at = models.DateTimeField("开始办理", null=True, blank=True)
    finished_at = models.DateTimeField("办结时间", null=True, blank=True)
    window = models.ForeignKey(Window, models.PROTECT, null=True, blank=True, related_name="tickets",
                               verbose_name="窗口")  # fmt: skip
    target_window = models.ForeignKey(Window, models.PROTECT, null=True, blank=True, related_name="+",
                                      verbose_name="指定窗口")  # fmt: skip
    clerk = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="工作人员"
    )
    recalls = models.PositiveSmallIntegerField("重呼次数", default=0)
    id_number = pii.Sealed("实名取号身份证号", max_length=18, blank=True, purpose="ticket.id_number")
    applicant = models.ForeignKey(Applicant, models.SET_NULL, null=True, blank=True, related_name="tickets")
    transferred_from = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="+")
    case_numbers = models.JSONField("办件编号", default=list, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "排队号"
        ordering = ["-issued_at"]
        constraints = [models.UniqueConstraint(fields=["hall", "day", "number"], name="ticket_number_unique")]
        indexes = [
            models.Index(
                fields=["hall", "day", "category", "queued_at"],
                condition=Q(status="waiting"),
                name="ticket_waiting",
            ),  # fmt: skip
        ]

    def __str__(self):
        return self.number


class TicketCounter(models.Model):
    hall = models.ForeignKey(Hall, models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hall", "category", "day"], name="ticket_counter_unique")
        ]

    def __str__(self):
        return f"{self.category} {self.day}: {self.last}"


class CallEvent(models.Model):
    """One call or recall: what the wall display shows and speaks, in order."""

    hall = models.ForeignKey(Hall, models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, models.CASCADE, related_name="calls")
    window = models.ForeignKey(Window, models.PROTECT, related_name="+")
    at = models.DateTimeField("时间")
    recall = models.BooleanField("重呼", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "叫号记录"
        ordering = ["-pk"]
        indexes = [models.Index(fields=["hall", "-id"], name="call_display")]

    def __str__(self):
        return f"{self.ticket} → {self.window}"


class WindowPause(models.Model):
    window = models.ForeignKey(Window, models.CASCADE, related_name="pauses", verbose_name="窗口")
    clerk = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="工作人员")
    reason = models.CharField("暂停原因", max_length=100)
    started_at = models.DateTimeField("开始")
    ended_at = models.DateTimeField("结束", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "窗口暂停"
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.window} {self.reason}"


class SlotRule(models.Model):
    """Bookable time slots of a category on a weekday, with a capacity each."""

    hall = models.ForeignKey(Hall, models.CASCADE, related_name="slot_rules", verbose_name="政务服务中心")
    category = models.ForeignKey(Category, models.CASCADE, related_name="slot_rules", verbose_name="业务类别")
    weekday = models.PositiveSmallIntegerField(
        "星期", choices=[(i, f"周{'一二三四五六日'[i]}") for i in range(7)]
    )
    start = models.TimeField("开始")
    end = models.TimeField("结束")
    capacity = models.PositiveSmallIntegerField("可约人数")
    # 非工作日预约: a hall may offer slots on weekends and holidays; otherwise non-working
    # days (by the calendar) have no slots even if the weekday has a rule.
    on_non_working_days = models.BooleanField("非工作日也开放", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "预约时段"
        ordering = ["hall", "category", "weekday", "start"]

    def __str__(self):
        return f"{self.category} {self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "已预约"
        CANCELLED = "cancelled", "已取消"
        ARRIVED = "arrived", "已签到"
        NO_SHOW = "no_show", "爽约"

    hall = models.ForeignKey(Hall, models.PROTECT, related_name="appointments", verbose_name="政务服务中心")
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="appointments", verbose_name="业务类别"
    )
    user = models.ForeignKey(User, models.PROTECT, related_name="appointments", verbose_name="预约人")
    day = models.DateField("日期")
    start = models.TimeField("开始")
    end = models.TimeField("结束")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.BOOKED)
    code = models.CharField("预约码", max_length=12, unique=True)
    booked_at = models.DateTimeField("预约时间")
    ticket = models.OneToOneField(Ticket, models.SET_NULL, null=True, blank=True, related_name="appointment")

    class Meta:
        verbose_name = verbose_name_plural = "预约"
        ordering = ["day", "start"]
        indexes = [models.Index(fields=["hall", "category", "day", "start"], name="appointment_slot")]
        constraints = [
            # One active booking per person per category (RULES: issue 7).
            models.UniqueConstraint(
                fields=["user", "category"], condition=Q(status="booked"), name="one_active_booking"
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.code} {self.day} {self.start:%H:%M}"
