"""好差评 tables (issue 17): ratings, their rectification, and complaints (投诉)."""

from django.db import models
from django.db.models import Q

from onewindow.accounts.models import Applicant, Department, Hall, User, Window
from onewindow.cases.models import Case

# ---- complaints (投诉) ---------------------------------------------------------------------------
# A complaint (GLOSSARY.md 投诉) about a service of the hall: filed on the portal, at the hall's
# complaint desk or from the hotline; assigned to a department by hall management; answered by
# the department within the hall's limit (working days, ComplaintLimit); called back; decided
# upheld or not (the monthly assessment counts upheld complaints against the window and the
# officer); closed. Every step appends a ComplaintEvent to the complaint's hash chain.


class ComplaintSource(models.TextChoices):
    PORTAL = "portal", "网上投诉"
    DESK = "desk", "大厅投诉台"
    # 12345: a work order of the hotline (no hotline module yet): `source_ref` is its number.
    HOTLINE = "hotline", "12345热线"


class ComplaintStatus(models.TextChoices):
    FILED = "filed", "待分派"
    ASSIGNED = "assigned", "待答复"
    ANSWERED = "answered", "已答复待回访"
    CALLED_BACK = "called_back", "已回访"
    CLOSED = "closed", "已办结"


# Waiting for the department's answer: the answer limit runs (overdue when due_seq < seq(today)).
COMPLAINT_AWAITING_ANSWER = (ComplaintStatus.FILED, ComplaintStatus.ASSIGNED)


class CallbackOutcome(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    UNSATISFIED = "unsatisfied", "不满意"
    UNREACHABLE = "unreachable", "联系不上"


class ComplaintFinding(models.TextChoices):
    UPHELD = "upheld", "投诉属实"
    NOT_UPHELD = "not_upheld", "投诉不属实"


class ComplaintLimit(models.Model):
    """Per hall, *configurable* (RULES.md style): the working days a department has to answer a
    complaint, counted from the day it is filed (the day of filing not counted). Without a row
    the project default ratings.complaints.DEFAULT_ANSWER_DAYS (5) applies."""

    hall = models.OneToOneField(
        Hall, models.CASCADE, related_name="complaint_limit", verbose_name="政务服务中心"
    )
    answer_days = models.PositiveSmallIntegerField("答复时限（工作日）", default=5)

    class Meta:
        verbose_name = verbose_name_plural = "投诉答复时限"
        constraints = [
            models.CheckConstraint(condition=Q(answer_days__gte=1) & Q(answer_days__lte=60),
                                   name="complaint_limit_range"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.hall}：{self.answer_days}个工作日"


class Complaint(models.Model):
    number = models.CharField("投诉编号", max_length=30, unique=True)
    hall = models.ForeignKey(Hall, models.PROTECT, related_name="complaints", verbose_name="政务服务中心")
    source = models.CharField("来源", max_length=10, choices=ComplaintSource.choices)
    source_ref = models.CharField("来源编号", max_length=40, blank=True)  # the hotline's work order
    # Who complains: the portal's login (their own complaints at /my/complaints/), the applicant
    # record where known, and the name and phone the callback and the SMS use.
    complainant_user = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="complaints", verbose_name="投诉人账号"
    )
    complainant = models.ForeignKey(
        Applicant, models.PROTECT, null=True, blank=True, related_name="complaints", verbose_name="投诉人"
    )
    name = models.CharField("投诉人姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    # What it is about, where known: the case, its window and accepting officer, the department.
    case = models.ForeignKey(
        Case, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="办件", db_index=False
    )
    window = models.ForeignKey(
        Window, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="窗口"
    )
    officer = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="被投诉工作人员"
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="complaints", verbose_name="承办部门"
    )
    subject = models.CharField("投诉事由", max_length=100)
    text = models.TextField("投诉内容")
    status = models.CharField(
        "状态", max_length=12, choices=ComplaintStatus.choices, default=ComplaintStatus.FILED
    )
    filed_at = models.DateTimeField("投诉时间")
    filed_on = models.DateField("投诉日期")
    filed_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="登记人")
    answer_days = models.PositiveSmallIntegerField("答复时限（工作日）")
    due_seq = models.IntegerField("答复到期工作日序号")
    due_on = models.DateField("答复期限")
    assigned_at = models.DateTimeField("分派时间", null=True, blank=True)
    answer = models.TextField("答复内容", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="答复人"
    )
    answered_on_time = models.BooleanField("按期答复", null=True, blank=True)
    callback_outcome = models.CharField(
        "回访结果", max_length=12, choices=CallbackOutcome.choices, blank=True
    )
    callback_note = models.TextField("回访记录", blank=True)
    called_back_at = models.DateTimeField("回访时间", null=True, blank=True)
    finding = models.CharField("认定结果", max_length=12, choices=ComplaintFinding.choices, blank=True)
    finding_reason = models.TextField("认定理由", blank=True)
    found_at = models.DateTimeField("认定时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    # The head of the audit chain (as on Case): events counted and the last event's hash.
    event_count = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "投诉"
        ordering = ["-filed_at"]
        indexes = [
            # The overdue list (queries.overdue_complaints): still waiting for the answer, by due_seq.
            models.Index(fields=["due_seq"], condition=Q(status__in=["filed", "assigned"]),
                         name="complaint_awaiting_due"),
            models.Index(fields=["department", "status"], name="complaint_department"),
            models.Index(fields=["hall", "status"], name="complaint_hall"),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(condition=~Q(source="hotline") | ~Q(source_ref=""), name="complaint_hotline_ref"),
            models.CheckConstraint(condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                                   name="complaint_answered_with_text"),
            models.CheckConstraint(condition=Q(finding="") | ~Q(finding_reason=""), name="complaint_finding_reason"),
        ]  # fmt: skip

    def __str__(self):
        return f"投诉 {self.number}"


class ComplaintEvent(models.Model):
    """One step of a complaint (网上留痕): who, when, from, to, why, what; its hash covers the
    previous event's hash (the scheme of cases.audit)."""

    complaint = models.ForeignKey(Complaint, models.PROTECT, related_name="events", verbose_name="投诉",
                                  db_index=False)  # fmt: skip
    seq = models.PositiveIntegerField("序号")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="操作人"
    )
    action = models.CharField("动作", max_length=20)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12)
    reason = models.TextField("理由", blank=True)
    payload = models.JSONField("数据", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "投诉事件"
        ordering = ["complaint", "seq"]
        constraints = [models.UniqueConstraint(fields=["complaint", "seq"], name="complaint_event_seq")]

    def __str__(self):
        return f"{self.complaint_id}#{self.seq} {self.action}"
