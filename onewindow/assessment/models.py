"""月度考核 (GLOSSARY.md "考核 / 千分制"; docs/assessment.md): attendance check-ins from the
hall's devices, the configurable criteria of the 1000-point score, the monthly scores with their
breakdown, and the awards (红旗窗口, 服务标兵) confirmed by hall management. Read-only layer: these
are the only tables the module writes; every figure is computed from the other modules' records."""

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import Q

from onewindow import clock
from onewindow.accounts.models import Hall, Staff, User, Window


class HallSettings(models.Model):
    """Per hall: the four check-in times with their grace period, and how many awards the score
    proposes each month. A hall without a row uses the defaults below."""

    hall = models.OneToOneField(Hall, models.CASCADE, related_name="+", verbose_name="政务服务中心")
    morning_in = models.TimeField("上午上班", default=dt.time(9, 0))
    morning_out = models.TimeField("上午下班", default=dt.time(12, 0))
    afternoon_in = models.TimeField("下午上班", default=dt.time(13, 0))
    afternoon_out = models.TimeField("下午下班", default=dt.time(17, 0))
    grace_minutes = models.PositiveSmallIntegerField(
        "宽限（分钟）",
        default=5,
        help_text="上班打卡晚于规定时间、下班打卡早于规定时间不超过此分钟数仍然有效",
    )
    window_minutes = models.PositiveSmallIntegerField(
        "打卡时段（分钟）", default=90, help_text="上班可提前、下班可推后打卡的分钟数"
    )
    red_flag_windows = models.PositiveSmallIntegerField("每月红旗窗口名额", default=3)
    service_stars = models.PositiveSmallIntegerField("每月服务标兵名额", default=5)

    class Meta:
        verbose_name = verbose_name_plural = "考勤与考核设置"

    def __str__(self):
        return f"{self.hall} 考勤与考核设置"


class StaffNumber(models.Model):
    """工号 (考勤编号): the number a check-in device knows a staff member by, besides the login name."""

    staff = models.OneToOneField(Staff, models.CASCADE, related_name="+", verbose_name="工作人员")
    number = models.CharField("工号", max_length=20, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "考勤工号"
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} {self.staff.name}"


class AttendanceDevice(models.Model):
    """考勤机: a fingerprint / face device of a hall posting check-ins with its key (X-Device-Key).
    Only the SHA-256 of the key is stored; the key is shown once, when the device is added."""

    hall = models.ForeignKey(Hall, models.PROTECT, related_name="+", verbose_name="政务服务中心")
    name = models.CharField("设备名称", max_length=60)
    prefix = models.CharField("密钥前缀", max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("添加时间", default=clock.now, editable=False)
    last_seen_at = models.DateTimeField("最近上报", null=True, blank=True, editable=False)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "考勤设备"
        ordering = ["hall", "name"]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"


class Slot(models.IntegerChoices):
    OUTSIDE = 0, "非打卡时段"
    MORNING_IN = 1, "上午上班"
    MORNING_OUT = 2, "上午下班"
    AFTERNOON_IN = 3, "下午上班"
    AFTERNOON_OUT = 4, "下午下班"


class CheckIn(models.Model):
    """One check-in (打卡) as a device reported it: once per device and event id, so a device
    retrying a report records nothing twice. `day` (hall date) and `slot` are fixed when it is
    recorded, by the hall's times then in force (attendance.slot_of)."""

    device = models.ForeignKey(AttendanceDevice, models.PROTECT, related_name="+", verbose_name="设备")
    event_id = models.CharField("设备记录号", max_length=64)
    staff = models.ForeignKey(Staff, models.PROTECT, related_name="+", verbose_name="工作人员")
    at = models.DateTimeField("打卡时间")
    day = models.DateField("日期")
    slot = models.PositiveSmallIntegerField("时段", choices=Slot.choices)
    method = models.CharField("方式", max_length=20, blank=True)  # fingerprint / face / card
    received_at = models.DateTimeField("接收时间", default=clock.now, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "考勤打卡记录"
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["device", "event_id"], name="checkin_device_event_once")
        ]
        indexes = [models.Index(fields=["day", "staff", "slot"], name="checkin_day_staff_slot")]

    def __str__(self):
        return f"{self.staff_id} {self.at:%Y-%m-%d %H:%M} {self.get_slot_display()}"


class Subject(models.TextChoices):
    WINDOW = "window", "窗口"
    OFFICER = "officer", "工作人员"


class Criterion(models.Model):
    """一项考核指标: which registered function measures it (`code`, assessment.criteria.REGISTRY),
    whom it applies to, and its points — editable in the admin. Deduction = min(cap, units ×
    points); a bonus criterion adds instead. The default rows (and their reasons) are written by
    criteria.ensure_defaults and documented in docs/assessment.md."""

    code = models.CharField("指标代码", max_length=30, unique=True)
    name = models.CharField("指标名称", max_length=40)
    for_windows = models.BooleanField("考核窗口", default=True)
    for_officers = models.BooleanField("考核工作人员", default=True)
    points = models.DecimalField("每单位分值", max_digits=6, decimal_places=2)
    cap = models.DecimalField("最多扣（加）分", max_digits=6, decimal_places=2, default=Decimal("0"),
                              help_text="0 表示不设上限")  # fmt: skip
    threshold = models.DecimalField("目标/起扣线", max_digits=8, decimal_places=2, default=Decimal("0"),
                                    help_text="如按时办结率目标（%）、平均等候分钟起扣线")  # fmt: skip
    is_bonus = models.BooleanField("加分项", default=False)
    enabled = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    reason = models.TextField("设定理由", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核指标"
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class MonthlyScore(models.Model):
    """The month's score of one window or one officer of a hall: 1000 − deductions + bonuses,
    its rank among its kind, and its breakdown (ScoreLine). Replaced whole by each compute."""

    hall = models.ForeignKey(Hall, models.CASCADE, related_name="+", verbose_name="政务服务中心")
    month = models.DateField("月份")  # the first day of the month
    subject = models.CharField("对象", max_length=10, choices=Subject.choices)
    window = models.ForeignKey(
        Window, models.CASCADE, null=True, blank=True, related_name="+", verbose_name="窗口"
    )
    officer = models.ForeignKey(
        User, models.CASCADE, null=True, blank=True, related_name="+", verbose_name="工作人员"
    )
    name = models.CharField("名称", max_length=80)
    score = models.DecimalField("得分", max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField("名次")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "月度考核得分"
        ordering = ["hall", "-month", "subject", "rank"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject="window", window__isnull=False, officer__isnull=True)
                | Q(subject="officer", window__isnull=True, officer__isnull=False),
                name="monthly_score_window_or_officer",
            ),
            models.UniqueConstraint(fields=["hall", "month", "window"], name="monthly_score_window_once"),
            models.UniqueConstraint(fields=["hall", "month", "officer"], name="monthly_score_officer_once"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.name} {self.score}"


class ScoreLine(models.Model):
    """One criterion of a score: what was measured, how many units, the points they cost (negative)
    or earn (positive)."""

    score = models.ForeignKey(MonthlyScore, models.CASCADE, related_name="lines", verbose_name="得分")
    code = models.CharField("指标代码", max_length=30)
    name = models.CharField("指标名称", max_length=40)
    measured = models.CharField("考核情况", max_length=120)
    units = models.DecimalField("计分单位数", max_digits=10, decimal_places=2)
    points = models.DecimalField("得分变化", max_digits=7, decimal_places=2)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "得分明细"
        ordering = ["score", "order", "code"]

    def __str__(self):
        return f"{self.name} {self.points}"


class Run(models.Model):
    """That a hall's month was computed (when, by whom — none: the periodic job): what the
    periodic job looks up to compute the previous month once."""

    hall = models.ForeignKey(Hall, models.CASCADE, related_name="+", verbose_name="政务服务中心")
    month = models.DateField("月份")
    computed_at = models.DateTimeField("计算时间")
    by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="操作人"
    )

    class Meta:
        verbose_name = verbose_name_plural = "考核计算记录"
        ordering = ["-month", "hall"]
        constraints = [models.UniqueConstraint(fields=["hall", "month"], name="assessment_run_once")]

    def __str__(self):
        return f"{self.hall} {self.month:%Y-%m}"


class Award(models.Model):
    """红旗窗口 or 服务标兵 of a month, confirmed by hall management (who, when) from the proposals
    of the score; the score and rank are kept as they were when confirmed."""

    class Kind(models.TextChoices):
        RED_FLAG = "red_flag", "红旗窗口"
        SERVICE_STAR = "service_star", "服务标兵"

    hall = models.ForeignKey(Hall, models.CASCADE, related_name="+", verbose_name="政务服务中心")
    month = models.DateField("月份")
    kind = models.CharField("奖项", max_length=15, choices=Kind.choices)
    window = models.ForeignKey(
        Window, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="窗口"
    )
    officer = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="工作人员"
    )
    name = models.CharField("名称", max_length=80)
    score = models.DecimalField("得分", max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField("名次")
    confirmed_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="确认人")
    confirmed_at = models.DateTimeField("确认时间")

    class Meta:
        verbose_name = verbose_name_plural = "月度评选"
        ordering = ["hall", "-month", "kind", "rank"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="red_flag", window__isnull=False, officer__isnull=True)
                | Q(kind="service_star", window__isnull=True, officer__isnull=False),
                name="award_window_or_officer",
            ),
            models.UniqueConstraint(fields=["month", "window"], name="award_window_once"),
            models.UniqueConstraint(fields=["month", "officer"], name="award_officer_once"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.get_kind_display()} {self.name}"
