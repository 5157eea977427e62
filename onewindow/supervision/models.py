"""Urges and escalations sent (one per case and light), and the violation register."""

from django.db import models

from onewindow.accounts.models import Department, User, Window
from onewindow.cases.models import Case, Light


class Urge(models.Model):
    """催办 (yellow, to the handler) or 督办 (red, to the department head): at most one per case
    and light — the unique constraint makes a second run, or a concurrent one, send nothing."""

    class Kind(models.TextChoices):
        URGE = "urge", "催办"
        ESCALATE = "escalate", "督办"

    case = models.ForeignKey(Case, models.PROTECT, related_name="+", verbose_name="办件", db_index=False)
    light = models.CharField("灯色", max_length=6, choices=Light.choices)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    at = models.DateTimeField("时间")
    recipients = models.PositiveSmallIntegerField("短信条数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "催办督办"
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["case", "light"], name="urge_case_light_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.case_id} {self.light}"


class Violation(models.Model):
    """A violation in the register: what, the evidence (the case and the seq of its audit event),
    whom it counts against (department always; window and officer when known), its status and
    the supervisor's decision (who, when, why)."""

    class Kind(models.TextChoices):
        OVER_TIME = "over_time", "超期办理"

    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        EXPLAINED = "explained", "已说明"
        UPHELD = "upheld", "认定违规"
        DISMISSED = "dismissed", "不予认定"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    case = models.ForeignKey(Case, models.PROTECT, related_name="+", verbose_name="办件", db_index=False)
    # The audit event that is the evidence (case number + seq: cases:case#event-<seq>).
    event_seq = models.PositiveIntegerField("留痕序号", null=True, blank=True)
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="责任部门")
    window = models.ForeignKey(
        Window, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="责任窗口"
    )
    officer = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="责任人"
    )
    found_on = models.DateField("发现日期")
    found_at = models.DateTimeField("发现时间")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    explanation = models.TextField("情况说明", blank=True)
    decided_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="认定人"
    )
    decided_at = models.DateTimeField("认定时间", null=True, blank=True)
    decision_reason = models.TextField("认定理由", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "违规记录"
        ordering = ["-found_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="violation_case_kind_unique")]
        indexes = [models.Index(fields=["status", "department"], name="violation_status_dept")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.case_id}"


class CardClearance(models.Model):
    """销牌: the supervisor clears the open card (yellow, red or reported) of an officer or of a
    window — one of the two (RULES.md: cards of windows and officers); the count of upheld
    violations starts again (supervision.cards)."""

    officer = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="责任人"
    )
    window = models.ForeignKey(
        Window, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="责任窗口"
    )
    at = models.DateTimeField("销牌时间")
    by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="销牌人")
    reason = models.TextField("理由")

    class Meta:
        verbose_name = verbose_name_plural = "销牌记录"
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(officer__isnull=False, window__isnull=True)
                | models.Q(officer__isnull=True, window__isnull=False),
                name="card_clearance_officer_or_window",
            )
        ]

    def __str__(self):
        return f"{self.officer or self.window} {self.at:%Y-%m-%d}"
