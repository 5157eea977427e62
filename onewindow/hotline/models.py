"""12345 hotline tables (issue 18; RULES.md "Hotline"; GLOSSARY: 12345 热线 / 工单 = hotline /
WorkOrder). A work order is received from a channel, answered directly by the operator from the
knowledge base (直接答复) or dispatched to a lead department (and assisting ones when ownership is
unclear), handled, replied, closed, called back (process and result satisfaction) — reopened when
the caller is unsatisfied. Every step appends a WorkOrderEvent to the order's hash chain."""

from django.db import models
from django.db.models import Q

from onewindow import pii
from onewindow.accounts.models import Department, Region, User


class OrderChannel(models.TextChoices):
    PHONE = "phone", "电话"
    WEB = "web", "网站"
    APP = "app", "手机App"
    MINI_PROGRAM = "mini_program", "小程序"
    EMAIL = "email", "电子邮件"
    WALK_IN = "walk_in", "来访"


class OrderType(models.TextChoices):
    CONSULTATION = "consultation", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"
    EMERGENCY = "emergency", "紧急"


class OrderStatus(models.TextChoices):
    ACCEPTED = "accepted", "已受理"  # registered: the operator answers directly or dispatches
    DISPATCHED = "dispatched", "已派单"  # waiting for the lead department to sign for it
    HANDLING = "handling", "办理中"  # signed for by the lead department
    REPLIED = "replied", "已答复"  # the department's reply, for the operator to close
    CLOSED = "closed", "已办结"  # closed (replied or answered directly), the callback owed
    CALLED_BACK = "called_back", "已回访"  # the caller's satisfaction recorded: done
    MERGED = "merged", "已合并"  # a duplicate, merged into another order


# The handling clock runs (due_seq) while the order waits for a department's reply.
ORDER_OPEN = (OrderStatus.ACCEPTED, OrderStatus.DISPATCHED, OrderStatus.HANDLING)


class Satisfaction(models.TextChoices):
    """The caller's answer at the callback, for the process and for the result."""

    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class Category(models.Model):
    """The configurable tree of what orders are about (seeded from the national 12345
    classification where available): 城乡建设 › 物业管理 › 电梯维修 …"""

    code = models.CharField("分类编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级分类"
    )
    # The department an order of this category is usually dispatched to (a suggestion to the operator).
    department = models.ForeignKey(
        Department, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="默认承办部门"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "热线分类"
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class TypeLimit(models.Model):
    """*Configurable* (RULES.md "Hotline"): the handling limit of an order type in working days
    (0: the same day — emergency), and the callback limit after closing. Without a row the
    project defaults (hotline.services.DEFAULT_DAYS) apply."""

    type = models.CharField("工单类型", max_length=14, choices=OrderType.choices, unique=True)
    handle_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    callback_days = models.PositiveSmallIntegerField("回访时限（工作日）", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "工单办理时限"
        constraints = [
            models.CheckConstraint(condition=Q(handle_days__lte=60) & Q(callback_days__lte=10),
                                   name="hotline_type_limit_range"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.get_type_display()}：{self.handle_days}个工作日"


class WorkOrder(models.Model):
    number = models.CharField("工单编号", max_length=30, unique=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name="所属区划")
    channel = models.CharField("来源渠道", max_length=14, choices=OrderChannel.choices)
    type = models.CharField("工单类型", max_length=14, choices=OrderType.choices)
    category = models.ForeignKey(Category, models.PROTECT, related_name="orders", verbose_name="分类")
    title = models.CharField("标题", max_length=100)
    content = models.TextField("诉求内容")
    # The caller (pages and the API show the phone masked: decision 18).
    caller_name = models.CharField("来电人", max_length=50, blank=True)
    caller_phone = pii.Sealed("来电号码", max_length=20, blank=True, purpose="order.caller_phone")
    caller_phone_digest = pii.Digest(source="caller_phone", kind="phone")
    caller_user = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="hotline_orders", verbose_name="提交账号"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=OrderStatus.choices, default=OrderStatus.ACCEPTED
    )
    received_at = models.DateTimeField("受理时间")
    received_on = models.DateField("受理日期")
    received_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="受理话务员"
    )
    # The handling limit: working days from the day received (not counted); emergency: that day.
    handle_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    due_seq = models.IntegerField("到期工作日序号")
    due_on = models.DateField("办理期限")
    direct_answer = models.BooleanField("直接答复", default=False)
    lead_department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="主办部门"
    )
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name="答复人")  # fmt: skip
    replied_on_time = models.BooleanField("按期答复", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    callback_due_on = models.DateField("回访期限", null=True, blank=True)
    called_back_at = models.DateTimeField("回访时间", null=True, blank=True)
    process_satisfaction = models.CharField(
        "过程满意度", max_length=12, choices=Satisfaction.choices, blank=True
    )
    result_satisfaction = models.CharField(
        "结果满意度", max_length=12, choices=Satisfaction.choices, blank=True
    )
    callback_note = models.TextField("回访记录", blank=True)
    transfer_count = models.PositiveSmallIntegerField("转办次数", default=0)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    merged_into = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="duplicates",
                                    verbose_name="合并至")  # fmt: skip
    # Open311 (GeoReport v2): the token a client may poll before it knows the request's id.
    token = models.CharField("Open311令牌", max_length=36, unique=True, null=True, blank=True)
    # The head of the audit chain (as on Case).
    event_count = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "热线工单"
        ordering = ["-received_at", "-pk"]
        indexes = [
            # The operator's history of a caller (bench/hotline.py: < 50 ms at 1,000,000 orders).
            models.Index(fields=["caller_phone_digest", "-received_at"], name="order_caller_history"),
            # The supervision watch and the overdue list: open orders by deadline.
            models.Index(fields=["due_seq"], condition=Q(status__in=["accepted", "dispatched", "handling"]),
                         name="order_open_due"),
            # The weekly / monthly category report.
            models.Index(fields=["received_on", "category"], name="order_day_category"),
            models.Index(fields=["lead_department", "status"], name="order_department"),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(condition=Q(replied_at__isnull=True) | ~Q(reply=""), name="order_replied_with_text"),
            models.CheckConstraint(condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
                                   name="order_latitude_range"),
            models.CheckConstraint(condition=Q(longitude__isnull=True) | (Q(longitude__gte=-180) & Q(longitude__lte=180)),
                                   name="order_longitude_range"),
        ]  # fmt: skip

    def __str__(self):
        return f"工单 {self.number}"


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSIST = "assist", "协办"


class Assignment(models.Model):
    """A department an order is dispatched to: the lead (one active at a time; a transfer ends it
    and starts another, counted) or an assisting one (unclear ownership: named by the hotline
    office). `ended_at`: transferred away, or the department's objection upheld."""

    order = models.ForeignKey(WorkOrder, models.PROTECT, related_name="assignments", verbose_name="工单")
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="部门")
    role = models.CharField("承办角色", max_length=8, choices=AssignmentRole.choices)
    assigned_at = models.DateTimeField("派单时间")
    assigned_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="派单人")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工单派单"
        ordering = ["order", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=Q(role="lead", ended_at=None),
                                    name="assignment_one_active_lead"),
            models.UniqueConstraint(fields=["order", "department"], condition=Q(ended_at=None),
                                    name="assignment_active_once"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.order_id} {self.get_role_display()} {self.department_id}"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    UPHELD = "upheld", "异议成立"
    REJECTED = "rejected", "异议不成立"


class Objection(models.Model):
    """A department's objection to a dispatch (退单申请): once per order and department (RULES.md
    "Hotline"), decided by the hotline office — upheld: re-dispatched elsewhere; rejected: stays."""

    order = models.ForeignKey(WorkOrder, models.PROTECT, related_name="objections", verbose_name="工单")
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="异议部门")
    reason = models.TextField("异议理由")
    filed_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="申请人")
    filed_at = models.DateTimeField("申请时间")
    status = models.CharField(
        "状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    decided_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name="审核人")  # fmt: skip
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_reason = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "派单异议"
        ordering = ["-filed_at"]
        constraints = [
            models.UniqueConstraint(fields=["order", "department"], name="objection_once_per_department")
        ]

    def __str__(self):
        return f"{self.order_id} 异议 {self.get_status_display()}"


class WorkOrderEvent(models.Model):
    """One step of a work order (网上留痕), hash-chained per order (cases.audit's scheme)."""

    order = models.ForeignKey(
        WorkOrder, models.PROTECT, related_name="events", verbose_name="工单", db_index=False
    )
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
        verbose_name = verbose_name_plural = "工单事件"
        ordering = ["order", "seq"]
        constraints = [models.UniqueConstraint(fields=["order", "seq"], name="work_order_event_seq")]

    def __str__(self):
        return f"{self.order_id}#{self.seq} {self.action}"


class Attachment(models.Model):
    order = models.ForeignKey(WorkOrder, models.PROTECT, related_name="attachments", verbose_name="工单")
    file = models.FileField("文件", upload_to="hotline/%Y/%m/")
    name = models.CharField("文件名", max_length=100)
    content_type = models.CharField("类型", max_length=60)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = verbose_name_plural = "工单附件"

    def __str__(self):
        return self.name


class ReplyTemplate(models.Model):
    """A reply template (答复模板) for a recurring request, by category."""

    category = models.ForeignKey(Category, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="分类")  # fmt: skip
    title = models.CharField("标题", max_length=60)
    text = models.TextField("模板内容")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "答复模板"
        ordering = ["category", "title"]

    def __str__(self):
        return self.title


class KnowledgeEntry(models.Model):
    """A typical question with its answer (知识库): the operator answers directly from it."""

    question = models.CharField("问题", max_length=200)
    answer = models.TextField("答复口径")
    keywords = models.CharField("关键词", max_length=200, blank=True)
    category = models.ForeignKey(Category, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="分类")  # fmt: skip
    department = models.ForeignKey(Department, models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name="口径提供部门")  # fmt: skip
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "热线知识库"
        ordering = ["question"]

    def __str__(self):
        return self.question
