"""Urges and escalations sent (one per case and light), and the violation register."""

from django.db import models
from django.db.models import Q

from onewindow.accounts.models import Department, User, Window
from onewindow.cases.models import Case, Light
from onewindow.hotline.models import WorkOrder
from onewindow.payments.models import PaymentNotice
from onewindow.projects.models import Project, SilentConsent
from onewindow.ratings.models import Complaint, Rectification


class Urge(models.Model):
    """催办 (yellow, to the handler) or 督办 (red, to the department head): at most one per case
    and light — the unique constraint makes a second run, or a concurrent one, send nothing.
    A 12345 work order (issue 18) is urged once per light and department it waits on: its
    `department` is the lead department then (None while the hotline office still has to
    dispatch it), so an order transferred to another department is urged there again."""

    class Kind(models.TextChoices):
        URGE = "urge", "催办"
        ESCALATE = "escalate", "督办"

    case = models.ForeignKey(
        Case, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="办件", db_index=False
    )
    work_order = models.ForeignKey(
        WorkOrder,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="热线工单",
        db_index=False,
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="被催部门"
    )
    light = models.CharField("灯色", max_length=6, choices=Light.choices)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    at = models.DateTimeField("时间")
    recipients = models.PositiveSmallIntegerField("短信条数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "催办督办"
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "light"], name="urge_case_light_unique"),
            models.UniqueConstraint(fields=["work_order", "light", "department"], name="urge_order_light_department",
                                    condition=Q(work_order__isnull=False, department__isnull=False)),
            models.UniqueConstraint(fields=["work_order", "light"], name="urge_order_light_office",
                                    condition=Q(work_order__isnull=False, department__isnull=True)),
            models.CheckConstraint(condition=Q(case__isnull=False, work_order__isnull=True)
                                   | Q(case__isnull=True, work_order__isnull=False), name="urge_one_subject"),
        ]  # fmt: skip

    def __str__(self):
        subject = self.case_id if self.case_id else f"工单{self.work_order_id}"
        return f"{self.get_kind_display()} {subject} {self.light}"


class Violation(models.Model):
    """A violation in the register: what, the evidence, whom it counts against (department
    always; window and officer when known), its status and the supervisor's decision (who, when,
    why). Its subject is a case (the evidence: the case and the seq of its audit event, and for a
    fee the notice), a project's co-review (the silent consent, with its project), a bad
    rating's rectification (its callback or its feedback late) or a complaint (its answer late)
    — once per subject and kind (the unique constraints below; supervision.detectors)."""

    class Kind(models.TextChoices):
        OVER_TIME = "over_time", "超期办理"
        # A case decided while a step of its item version was never completed (detectors).
        OUT_OF_PROCESS = "out_of_process", "未按流程办理"
        # A live fee notice whose amount or basis is not the item's (catalog fee_fen/fee_basis).
        IRREGULAR_FEE = "irregular_fee", "违规收费"
        # A case touched in a department's own system, not the hall's (imported records).
        OUTSIDE_SYSTEM = "outside_system", "体外循环"
        # A co-reviewing department that gave no opinion by its limit (projects.SilentConsent).
        SILENT_CONSENT = "silent_consent", "超时默认"
        # A bad rating not called back, or its rectification not fed back, by its limit; a
        # complaint not answered by its limit (RULES.md "Ratings"; issue 17: overdue steps are
        # supervision events). Counted against the department, and the rated window and officer.
        CALLBACK_OVERDUE = "callback_overdue", "差评回访超时"
        RECTIFICATION_OVERDUE = "rectification_overdue", "差评整改超时"
        COMPLAINT_OVERDUE = "complaint_overdue", "投诉答复超时"
        # A 12345 work order not replied by its handling limit (RULES.md "Hotline"; decision 40):
        # counted against the lead department.
        HOTLINE_OVERDUE = "hotline_overdue", "热线工单超期"

    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        EXPLAINED = "explained", "已说明"
        UPHELD = "upheld", "认定违规"
        DISMISSED = "dismissed", "不予认定"

    kind = models.CharField("类型", max_length=24, choices=Kind.choices)
    # The subject: a case, or (silent consent) the co-review with its project. The unique
    # (case, kind) serves the case's violations; a project's have no case.
    case = models.ForeignKey(
        Case, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="办件", db_index=False
    )
    # The audit event that is the evidence (case number + seq: cases:case#event-<seq>).
    event_seq = models.PositiveIntegerField("留痕序号", null=True, blank=True)
    notice = models.ForeignKey(
        PaymentNotice, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="缴款通知"
    )
    project = models.ForeignKey(
        Project, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="项目"
    )
    silent_consent = models.ForeignKey(
        SilentConsent, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="超时默认记录"
    )
    rectification = models.ForeignKey(
        Rectification, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="差评整改"
    )
    complaint = models.ForeignKey(
        Complaint, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="投诉"
    )
    work_order = models.ForeignKey(
        WorkOrder, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="热线工单"
    )
    # What was found, in words (the amounts of a fee, the step not completed, the import's record).
    detail = models.CharField("违规情形", max_length=300, blank=True)
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
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="violation_case_kind_unique"),
            models.UniqueConstraint(
                fields=["silent_consent", "kind"],
                condition=Q(silent_consent__isnull=False),
                name="violation_consent_kind_unique",
            ),
            models.UniqueConstraint(
                fields=["rectification", "kind"],
                condition=Q(rectification__isnull=False),
                name="violation_rectification_kind_unique",
            ),
            models.UniqueConstraint(
                fields=["complaint", "kind"],
                condition=Q(complaint__isnull=False),
                name="violation_complaint_kind_unique",
            ),
            models.UniqueConstraint(
                fields=["work_order", "kind"],
                condition=Q(work_order__isnull=False),
                name="violation_work_order_kind_unique",
            ),
            # Every violation has its subject: a case, a co-review's silent consent, a bad
            # rating's rectification, a complaint or a 12345 work order.
            models.CheckConstraint(
                condition=Q(case__isnull=False)
                | Q(silent_consent__isnull=False)
                | Q(rectification__isnull=False)
                | Q(complaint__isnull=False)
                | Q(work_order__isnull=False),
                name="violation_has_subject",
            ),
        ]
        indexes = [models.Index(fields=["status", "department"], name="violation_status_dept")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_label}"

    @property
    def subject_label(self) -> str:
        """What it is about, as a line of the register, a card or the report: the case's number,
        the project's code, the bad rating's number (评价 <id>) or the complaint's number."""
        if self.case_id:
            return self.case.number
        if self.project_id:
            return self.project.code
        if self.rectification_id:
            return f"差评{self.rectification.rating_id}"
        if self.complaint_id:
            return self.complaint.number
        if self.work_order_id:
            return self.work_order.number
        return ""


class ImportedRecord(models.Model):
    """一条部门自建系统的办件记录, imported (supervision.imports) from a department's own system:
    what was done to which case, when and by whom there, and whether it happened in the hall's
    system. Each becomes an event of the case's audit trail (`event_seq`); one outside the hall's
    system is the evidence of 体外循环. Once per department and record number: a re-import of
    the same file records nothing twice."""

    class Action(models.TextChoices):
        ACCEPT = "accept", "受理"
        REVIEW = "review", "审查"
        DECIDE = "decide", "决定"
        ISSUE = "issue", "制证"
        DELIVER = "deliver", "送达"
        OTHER = "other", "其他"

    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="来源部门")
    record_id = models.CharField("记录编号", max_length=64)
    case = models.ForeignKey(Case, models.PROTECT, related_name="+", verbose_name="办件", db_index=False)
    event_seq = models.PositiveIntegerField("留痕序号")
    action = models.CharField("动作", max_length=8, choices=Action.choices)
    at = models.DateTimeField("发生时间")
    actor_name = models.CharField("经办人", max_length=40, blank=True)
    in_hall_system = models.BooleanField("在大厅系统内办理")
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = verbose_name_plural = "外部系统办件记录"
        ordering = ["-imported_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["department", "record_id"], name="imported_record_once"),
        ]
        # The detectors read the few records marked outside the hall's system, by case.
        indexes = [
            models.Index(fields=["case"], condition=Q(in_hall_system=False), name="imported_outside"),
            models.Index(fields=["case"], condition=Q(action="decide"), name="imported_decision"),
        ]

    def __str__(self):
        return f"{self.department_id}:{self.record_id}"


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
