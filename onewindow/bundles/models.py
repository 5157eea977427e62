"""一件事 applications (GLOSSARY.md "Parallel approval"; issue 6): one merged form, one
deduplicated material list, one acceptance at a comprehensive window; one child `Case` per item,
all running at the same time in their departments (each child carries `case.bundle_number`).

The application's status is not stored: it is derived from its children in SQL
(`queries.with_status`). What is stored is what happened to the application as a whole — when
it was accepted (the bundle's clock) and when its last child closed (recorded by
`services.settle`, which queues the one completion message)."""

from django.db import models
from django.db.models import Q

from onewindow.accounts.models import Applicant, Hall, User
from onewindow.cases.models import Channel
from onewindow.catalog.models import Bundle, ServiceItem


class Status(models.TextChoices):
    """The application's status, derived from its children (same codes as a case's)."""

    # 接件: handed in; no child accepted yet; the hall owes one written answer (art. 32).
    SUBMITTED = "submitted", "已接件"
    # 补正: one one-time notice for the whole bundle; waits for the supplement.
    SUPPLEMENT_REQUESTED = "supplement_requested", "待补正"
    # 受理 → 办理: accepted once; the children run in parallel in their departments.
    IN_REVIEW = "in_review", "办理中"
    # 办结: every child closed (decided or withdrawn).
    CLOSED = "closed", "已办结"
    # 不予受理: the whole bundle was refused at intake.
    REFUSED = "refused", "不予受理"


class FieldKind(models.TextChoices):
    TEXT = "text", "文本"
    TEXTAREA = "textarea", "多行文本"
    NUMBER = "number", "数字"
    DATE = "date", "日期"
    CHOICE = "choice", "单选"


class FormField(models.Model):
    """申请表字段: one question of an item's application form. `key` names the data element
    (数据项): two items asking the same key ask the same thing, so a bundle's merged form asks it
    once (一表申请) and every child case gets the one answer."""

    item = models.ForeignKey(ServiceItem, models.CASCADE, related_name="form_fields", verbose_name="事项")
    order = models.PositiveSmallIntegerField("序号", default=0)
    key = models.SlugField("数据项标识", max_length=40, help_text="相同标识的字段在一件事中只填一次")
    label = models.CharField("字段名称", max_length=60)
    kind = models.CharField("类型", max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    required = models.BooleanField("必填", default=True)
    choices = models.CharField("可选项", max_length=300, blank=True, help_text="单选字段的可选项，以“|”分隔")
    help_text = models.CharField("填写说明", max_length=120, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请表字段"
        ordering = ["item", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "key"], name="form_field_key_unique"),
            models.CheckConstraint(condition=~Q(kind="choice") | ~Q(choices=""), name="form_field_choices"),
        ]

    def __str__(self):
        return f"{self.label}（{self.key}）"

    def choice_list(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in self.choices.split("|") if c.strip())


class BundleApplication(models.Model):
    """一件事申请: the application as a whole; its children are the cases whose
    `bundle_number` is this number."""

    number = models.CharField("一件事申请编号", max_length=30, unique=True)
    bundle = models.ForeignKey(Bundle, models.PROTECT, related_name="applications", verbose_name="一件事")
    applicant = models.ForeignKey(
        Applicant, models.PROTECT, related_name="bundle_applications", verbose_name="申请人"
    )
    hall = models.ForeignKey(
        Hall, models.PROTECT, related_name="bundle_applications", verbose_name="受理中心"
    )
    region_code = models.CharField("区划代码", max_length=12, db_index=True)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    # The merged form as answered ({key: value}) and as it was asked then ([{key, label}]), so the
    # application reads the same after the catalog changes.
    form_data = models.JSONField("申请表", default=dict, blank=True)
    form_fields = models.JSONField("申请表字段", default=list, blank=True)
    # Names of the merged materials handed in (one tick or upload serves every item asking for it).
    handed_in = models.JSONField("所交材料", default=list, blank=True)
    submitted_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="接件人"
    )
    received_at = models.DateTimeField("接件时间")
    received_on = models.DateField("接件日期")
    # The bundle's promised limit at submission (承诺时限, working days).
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="受理人"
    )
    # The bundle's deadline: seq(accepted_on) + promised days (ARCHITECTURE.md "The case clock").
    due_seq = models.IntegerField("到期工作日序号", null=True, blank=True)
    due_on = models.DateField("办结期限", null=True, blank=True)
    # The last child's close (decided, withdrawn or refused), recorded by services.settle.
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "一件事申请"
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["applicant", "-received_at"], name="bundle_app_applicant"),
            models.Index(fields=["hall", "-received_at"], name="bundle_app_hall"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(due_seq__isnull=False),
                name="bundle_app_accepted_has_due",
            ),
        ]

    def __str__(self):
        return self.number
