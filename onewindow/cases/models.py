"""办件: one application for one item, from submission to close, on the working-day clock
(ARCHITECTURE.md "The case clock"), with its audit trail (网上留痕, 终身追溯)."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from onewindow import pii
from onewindow.accounts.models import Applicant, Department, Hall, User, Window
from onewindow.catalog.models import ItemVersion, Material, ServiceItem


class Status(models.TextChoices):
    # 接件: handed in at a window or online; the hall owes a written answer (art. 32).
    SUBMITTED = "submitted", "已接件"
    # 补正: one-time notice issued; the clock has not started; waits for the supplement.
    SUPPLEMENT_REQUESTED = "supplement_requested", "待补正"
    # 不予受理: outside the hall's power or the law; closed with a written reason.
    REFUSED = "refused", "不予受理"
    # 受理 → 办理: the clock runs; the item's steps are worked through.
    IN_REVIEW = "in_review", "办理中"
    # 特别程序 (art. 45): hearing, expert review, survey …; the clock stops.
    SUSPENDED = "suspended", "特别程序"
    # 退回补正 during review: counts as a one-time notice; the clock stops until the supplement.
    CORRECTION_REQUESTED = "correction_requested", "退回补正"
    # 办结: decided (approved or denied) or withdrawn.
    CLOSED = "closed", "已办结"


OPEN_STATUSES = (Status.IN_REVIEW, Status.SUSPENDED, Status.CORRECTION_REQUESTED)
CLOCK_STOPPED = (Status.SUSPENDED, Status.CORRECTION_REQUESTED)


class Outcome(models.TextChoices):
    APPROVED = "approved", "准予"
    DENIED = "denied", "不予准予"
    WITHDRAWN = "withdrawn", "撤回"
    REFUSED = "refused", "不予受理"
    # 告知承诺制: the later check (核查) found the commitment untrue; the approval is revoked.
    REVOKED = "revoked", "撤销审批"


class Channel(models.TextChoices):
    WINDOW = "window", "窗口"
    PORTAL = "portal", "网上办事大厅"
    AGENT = "agent", "帮办代办"
    API = "api", "系统对接"


class Light(models.TextChoices):
    GREEN = "green", "绿灯"
    YELLOW = "yellow", "黄灯"
    RED = "red", "红灯"


# 预警 (issue 22): the fourth colour, before yellow — a green case the forecast expects to close
# late (CaseRisk). Shown only, never stored as a case's light: the law's lights stay three.
AT_RISK = "at_risk"
AT_RISK_LABEL = "预警"


class Case(models.Model):
    number = models.CharField("办件编号", max_length=30)  # unique: `case_number_unique` below
    item = models.ForeignKey(ServiceItem, models.PROTECT, related_name="cases", verbose_name="事项")
    # No index of its own (nor on applicant, region_code): every index is written by each intake
    # insert and each clock update (bench/intake.py); versions are never deleted, and the
    # applicant's cases use the composite `case_applicant`.
    item_version = models.ForeignKey(
        ItemVersion, models.PROTECT, related_name="cases", verbose_name="事项版本", db_index=False
    )
    department = models.ForeignKey(Department, models.PROTECT, related_name="cases", verbose_name="办理部门")
    applicant = models.ForeignKey(
        Applicant, models.PROTECT, related_name="cases", verbose_name="申请人", db_index=False
    )
    hall = models.ForeignKey(Hall, models.PROTECT, related_name="cases", verbose_name="受理中心")
    # 受理窗口: the window of `hall` where the intake was answered — until then where it was
    # received (the clerk's accounts.Staff.at_window; cases.transitions.intake_window). None
    # online and for 视为受理 (art. 32); an answer away from a window keeps the receiving one.
    # Supervision counts a violation against it, stats its figures. No index: every index costs
    # each intake insert (bench/intake.py).
    window = models.ForeignKey(
        Window,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="受理窗口",
        db_index=False,
    )
    region_code = models.CharField("区划代码", max_length=12)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    status = models.CharField("状态", max_length=24, choices=Status.choices, default=Status.SUBMITTED)
    outcome = models.CharField("办结结果", max_length=12, choices=Outcome.choices, blank=True)
    form_data = models.JSONField("申请表", default=dict, blank=True)
    received_at = models.DateTimeField("接件时间")
    received_on = models.DateField("接件日期")
    # 行政许可法 art. 32: the day the application counts as received for the 5 working days
    # of the written answer — its receipt, or the arrival of its last supplement (RULES.md:
    # "after a supplement, the 5 days run again … and 'received' means that day").
    intake_from = models.DateField("受理审查起算日")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    # Working days added to the deadline by suspensions, corrections and extensions.
    extra_days = models.PositiveSmallIntegerField("顺延工作日", default=0)
    due_seq = models.IntegerField("到期工作日序号", null=True, blank=True)
    due_on = models.DateField("办结期限", null=True, blank=True)
    paused_on = models.DateField("计时暂停日", null=True, blank=True)
    frozen_light = models.CharField("暂停时灯色", max_length=6, choices=Light.choices, blank=True)
    extended = models.BooleanField("已延期", default=False)
    # 容缺受理: the promised supply date of the tolerated materials; decision blocked until then.
    tolerance_due_on = models.DateField("容缺材料承诺补齐日", null=True, blank=True)
    by_commitment = models.BooleanField("告知承诺", default=False)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    closed_seq = models.IntegerField("办结工作日序号", null=True, blank=True)
    # 投资项目代码 (issue 6): every case of an investment project carries its lifelong code.
    project_code = models.CharField("项目代码", max_length=24, blank=True)
    # 一件事: the bundle application this case is a child of (its number); messages and notices
    # then go out once for the whole bundle.
    bundle_number = models.CharField("一件事申请编号", max_length=30, blank=True)
    # 前置办件: a child of a 一件事 that depends on a sibling (公章刻制 on 企业设立登记, the bundle's
    # definition: catalog.BundleItem.after) is neither decided nor issued before it (permits).
    prerequisite = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="前置办件",
        db_index=False,
    )
    # The audit chain's head, kept on the row so a transition needs no extra read.
    event_count = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件"
        ordering = ["-received_at"]
        indexes = [
            # The department inbox and the lights: open cases of a department by deadline.
            models.Index(
                fields=["department", "due_seq", "number"],
                condition=Q(status__in=OPEN_STATUSES),
                name="case_inbox_open",
            ),
            # The lights of a hall's open cases (stats dashboard, decision 34): an index-only scan
            # holds what the light needs; the red ones (due_seq < today) are a range of it.
            models.Index(
                fields=["hall", "due_seq"],
                include=[
                    "promised_days",
                    "status",
                    "frozen_light",
                    "accepted_on",
                    "department",
                    "item",
                    "id",
                ],
                condition=Q(status__in=OPEN_STATUSES),
                name="case_open_hall_lights",
            ),
            # The red lists' second range (clock_rules.red_parts): stopped clocks frozen at red.
            models.Index(
                fields=["hall", "due_seq"],
                condition=Q(status__in=CLOCK_STOPPED, frozen_light="red"),
                name="case_stopped_red",
            ),
            # Art. 32's sweep: applications awaiting an answer by the day they count as received.
            models.Index(fields=["status", "intake_from"], name="case_intake_from"),
            models.Index(fields=["applicant", "-received_at"], name="case_applicant"),
            # Most cases belong to no project or bundle: only the others are indexed.
            models.Index(fields=["project_code"], condition=~Q(project_code=""), name="case_project_code"),
            models.Index(fields=["bundle_number"], condition=~Q(bundle_number=""), name="case_bundle_number"),
            # Approvals by decision time: payments' sweep for approvals still owing a fee notice
            # (payments.services.issue_due_notices) reads the recent ones only.
            models.Index(fields=["decided_at"], condition=Q(outcome="approved"), name="case_approved"),
            # Closed cases by closing time: the rating invitation job reads the last days' closings
            # (ratings.invites). Partial: an intake insert (closed_at empty) writes no entry.
            models.Index(fields=["closed_at"], condition=Q(closed_at__isnull=False), name="case_closed_at"),
            # The tolerance job (cases.tolerance): the few cases with a promise date, by that date.
            models.Index(
                fields=["tolerance_due_on"],
                condition=Q(tolerance_due_on__isnull=False),
                name="case_tolerance_due",
            ),
        ]
        constraints = [
            # A constraint, not unique=True: on PostgreSQL that would add a second (LIKE) index
            # written by every intake, and numbers are only ever looked up whole.
            models.UniqueConstraint(fields=["number"], name="case_number_unique"),
            models.CheckConstraint(
                condition=Q(status="closed") | Q(status="refused") | Q(closed_at__isnull=True),
                name="open_not_closed",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def clock_stopped(self) -> bool:
        """特别程序 or a correction under way: the deadline waits, the light is the one it had."""
        return self.status in CLOCK_STOPPED

    @property
    def on_time(self) -> bool | None:
        """按时办结: closed (decided) on or before the deadline."""
        if self.closed_seq is None or self.due_seq is None:
            return None
        return self.closed_seq <= self.due_seq


class Mark(models.TextChoices):
    """材料审核: the clerk's mark on one material of an application (issue 15)."""

    PASSED = "passed", "合格"
    NEEDS_CORRECTION = "needs_correction", "需补正"


class CaseMaterial(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", "已收"
        MISSING = "missing", "缺少"
        DEFECTIVE = "defective", "需补正"
        TOLERATED = "tolerated", "容缺后补"
        SHARED = "shared", "共享获取"
        NOT_APPLICABLE = "not_applicable", "不适用"

    # No index of their own: the unique (case, material) serves a case's materials, and catalog
    # materials are never deleted (every index is written by each intake, bench/intake.py).
    case = models.ForeignKey(
        Case, models.CASCADE, related_name="materials", verbose_name="办件", db_index=False
    )
    material = models.ForeignKey(
        Material, models.PROTECT, related_name="+", verbose_name="材料要求", db_index=False
    )
    name = models.CharField("材料名称", max_length=120)
    state = models.CharField("状态", max_length=16, choices=State.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    file = models.FileField("文件", upload_to="cases/%Y/%m/", blank=True)
    # 材料审核 before the written answer (issue 15): the clerk's mark on a material handed in,
    # with its note — read by the one-time notice's form (prefilled) and by 受理 (refused while a
    # material is marked 需补正). Cleared when a supplement replaces the material.
    mark = models.CharField("审核结果", max_length=16, choices=Mark.choices, blank=True)
    mark_note = models.CharField("审核意见", max_length=300, blank=True)
    marked_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="审核人", db_index=False
    )
    marked_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办件材料"
        ordering = ["pk"]  # created in the item's order; no join to sort
        constraints = [models.UniqueConstraint(fields=["case", "material"], name="case_material_unique")]

    def __str__(self):
        return f"{self.name}（{self.get_state_display()}）"


class MaterialFile(models.Model):
    """An earlier file of a case material, replaced by a supplement (补正): nothing handed in is
    ever lost — the stored file stays, and staff see a material's files in order."""

    material = models.ForeignKey(
        CaseMaterial, models.PROTECT, related_name="earlier_files", verbose_name="办件材料", db_index=False
    )
    file = models.FileField("文件", upload_to="cases/%Y/%m/")
    mark = models.CharField("审核结果", max_length=16, choices=Mark.choices, blank=True)
    mark_note = models.CharField("审核意见", max_length=300, blank=True)
    replaced_at = models.DateTimeField("替换时间")
    replaced_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name="替换人", db_index=False
    )

    class Meta:
        verbose_name = verbose_name_plural = "材料历史文件"
        ordering = ["material", "pk"]
        indexes = [models.Index(fields=["material", "replaced_at"], name="material_file_material")]

    def __str__(self):
        return f"{self.material_id} {self.file.name}"


class MaterialRead(models.Model):
    """查阅记录: one read of an uploaded file (or one page of its thumbnails) — who, when, which
    case and material, and the answer, refused reads included (issue 15: every read logged)."""

    class Kind(models.TextChoices):
        FILE = "file", "原件"
        PAGE = "page", "页面缩略图"

    class Result(models.TextChoices):
        SERVED = "served", "已查阅"
        REFUSED = "refused", "无权查阅（404）"
        NOT_FOUND = "not_found", "文件不存在（404）"

    at = models.DateTimeField("时间")
    user = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="查阅人", db_index=False)
    # The case asked for, when one by that number exists (a refused read names it too).
    case = models.ForeignKey(
        Case,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="material_reads",
        verbose_name="办件",
        db_index=False,
    )
    material = models.ForeignKey(
        CaseMaterial,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办件材料",
        db_index=False,
    )
    earlier_file = models.ForeignKey(
        MaterialFile,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="历史文件",
        db_index=False,
    )
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    page = models.PositiveSmallIntegerField("页码", null=True, blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices)

    class Meta:
        verbose_name = verbose_name_plural = "材料查阅记录"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["case", "-at"], name="material_read_case")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.get_result_display()}"


class CaseStep(models.Model):
    """An internal step after acceptance, from the item version's steps."""

    class Kind(models.TextChoices):
        REVIEW = "review", "审查"
        DECIDE = "decide", "决定"
        AFTER = "after", "决定后"  # 制证/送达: the documents issue completes these

    # Served by the unique (case, order); users are deactivated, never deleted: no index of their own.
    case = models.ForeignKey(Case, models.CASCADE, related_name="steps", verbose_name="办件", db_index=False)
    order = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("环节", max_length=30)
    role = models.CharField("办理角色", max_length=20)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    due_seq = models.IntegerField("环节到期序号", null=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="办理人", db_index=False
    )
    opinion = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办理环节"
        ordering = ["case", "order"]
        constraints = [models.UniqueConstraint(fields=["case", "order"], name="case_step_unique")]

    def __str__(self):
        return self.name


class Suspension(models.Model):
    """特别程序 (行政许可法 art. 45): time that does not count."""

    class Kind(models.TextChoices):
        HEARING = "hearing", "听证"
        TENDERING = "tendering", "招标"
        AUCTION = "auction", "拍卖"
        INSPECTION = "inspection", "检验"
        TESTING = "testing", "检测"
        QUARANTINE = "quarantine", "检疫"
        APPRAISAL = "appraisal", "鉴定"
        EXPERT_REVIEW = "expert_review", "专家评审"
        ON_SITE_SURVEY = "on_site_survey", "现场勘验"
        PUBLIC_NOTICE = "public_notice", "公示"
        CORRECTION = "correction", "退回补正"  # return for correction at review (not art. 45)

    case = models.ForeignKey(Case, models.CASCADE, related_name="suspensions", verbose_name="办件")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    reason = models.TextField("理由")
    expected_days = models.PositiveSmallIntegerField("预计工作日", null=True, blank=True)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    days = models.PositiveSmallIntegerField("计入顺延的工作日", null=True, blank=True)
    started_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="发起人")

    class Meta:
        verbose_name = verbose_name_plural = "特别程序"
        ordering = ["case", "started_on"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_on}"


class CaseEvent(models.Model):
    """One line of the audit trail. `hash` covers the previous event's hash, so any change to a
    stored event breaks the chain from there on (manage.py verify_audit finds it)."""

    # Served by the unique (case, seq); users are deactivated, never deleted: no index of their own.
    case = models.ForeignKey(Case, models.PROTECT, related_name="events", verbose_name="办件", db_index=False)
    seq = models.PositiveIntegerField("序号")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="操作人", db_index=False
    )
    action = models.CharField("动作", max_length=32)
    from_status = models.CharField("原状态", max_length=24, blank=True)
    to_status = models.CharField("新状态", max_length=24)
    reason = models.TextField("理由", blank=True)
    payload = models.JSONField("数据", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "办件留痕"
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]

    def __str__(self):
        return f"{self.case_id}#{self.seq} {self.action}"


class CaseCounter(models.Model):
    """Case numbers on SQLite (one writer at a time anyway). PostgreSQL uses a SEQUENCE per
    region and day instead — a counter row would be a lock hot spot (ARCHITECTURE.md)."""

    region = models.CharField(max_length=6)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "day"], name="case_counter_unique")]

    def __str__(self):
        return f"{self.region}-{self.day}: {self.last}"


class CommitmentCheck(models.Model):
    """核查 after a commitment approval (告知承诺制, RULES.md): the department checks the
    applicant's commitment within ONEWINDOW_COMMITMENT_CHECK_DAYS working days of the approval.
    Passed, or failed with the reason — a failure revokes the approval (and the license issued
    for it): cases.commitment_checks, called through licenses.services.record_commitment_check."""

    class Result(models.TextChoices):
        PENDING = "pending", "待核查"
        PASSED = "passed", "核查通过"
        FAILED = "failed", "承诺不实"

    case = models.OneToOneField(Case, models.PROTECT, related_name="commitment_check", verbose_name="办件")
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="核查部门")
    approved_on = models.DateField("审批日期")
    days = models.PositiveSmallIntegerField("核查期限（工作日）")
    due_seq = models.IntegerField("核查到期工作日序号")
    due_on = models.DateField("核查期限")
    result = models.CharField("核查结果", max_length=8, choices=Result.choices, default=Result.PENDING)
    reason = models.TextField("核查说明", blank=True)
    checked_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="核查人", db_index=False
    )
    checked_at = models.DateTimeField("核查时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "告知承诺核查"
        ordering = ["due_seq", "pk"]
        indexes = [
            # The department's checks still due, by working-day deadline (the list and its lights).
            models.Index(
                fields=["department", "due_seq"], condition=Q(result="pending"), name="commitment_check_due"
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.get_result_display()}"


class VetoFiling(models.Model):
    """否决报备 (Shan county, RULES.md "Parallel approval"): the refusal or denial of a project's
    case, filed to hall management with its legal basis in the transaction that makes it — so
    before its notice or SMS can go out. Hall supervisors read these."""

    class Kind(models.TextChoices):
        REFUSAL = "refusal", "不予受理"
        DENIAL = "denial", "不予准予"

    case = models.OneToOneField(Case, models.PROTECT, related_name="veto_filing", verbose_name="办件")
    hall = models.ForeignKey(Hall, models.PROTECT, related_name="+", verbose_name="受理中心", db_index=False)
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="办理部门")
    project_code = models.CharField("项目代码", max_length=24)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    reason = models.TextField("理由")
    legal_basis = models.TextField("法律依据")
    filed_by = models.ForeignKey(
        User, models.PROTECT, related_name="+", verbose_name="报备人", db_index=False
    )
    filed_at = models.DateTimeField("报备时间")

    class Meta:
        verbose_name = verbose_name_plural = "否决报备"
        ordering = ["-filed_at", "-pk"]
        indexes = [models.Index(fields=["hall", "-filed_at"], name="veto_filing_hall")]

    def __str__(self):
        return f"{self.project_code} {self.case_id} {self.get_kind_display()}"


class DeliveryChoice(models.Model):
    """送达方式 as the applicant chose it when applying online (不见面审批, issue 15 item 3): pick the
    license up at a window, or have it posted to the recipient below. Read again at 制证 and
    送达, so the hall never asks twice; the recipient's phone is personal data (masked on
    staff pages)."""

    class Method(models.TextChoices):
        PICKUP = "pickup", "窗口领取"
        POST = "post", "免费邮寄"

    case = models.OneToOneField(Case, models.PROTECT, related_name="delivery_choice", verbose_name="办件")
    method = models.CharField("送达方式", max_length=6, choices=Method.choices)
    recipient = models.CharField("收件人", max_length=50, blank=True)
    phone = pii.Sealed("收件人电话", max_length=11, blank=True, purpose="delivery.phone")
    address = models.CharField("收件地址", max_length=200, blank=True)
    chosen_at = models.DateTimeField("选择时间")

    class Meta:
        verbose_name = verbose_name_plural = "申请人选择的送达方式"
        constraints = [
            models.CheckConstraint(
                condition=Q(method="pickup", recipient="", phone="", address="")
                | (Q(method="post") & ~Q(recipient="") & ~Q(phone="") & ~Q(address="")),
                name="delivery_choice_post_has_address",
            ),
        ]

    def __str__(self):
        return f"{self.case_id} {self.get_method_display()}"


class SupervisionSettings(models.Model):
    """A hall's thresholds of the case light and of the supervision job (RULES.md "Supervision":
    yellow when the remaining working days ≤ max(min, share of the promised days)). Kept beside
    the case light (clock_rules), which reads it; a hall without a row uses the settings
    (ONEWINDOW_YELLOW_LIGHT_PERCENT, minimum 1 day, urge and escalate on). Edited in the admin
    (supervision.admin)."""

    hall = models.OneToOneField(
        Hall, models.CASCADE, related_name="supervision_settings", verbose_name="政务服务中心"
    )
    yellow_percent = models.PositiveSmallIntegerField(
        "黄灯比例（承诺时限的%）", default=20, validators=[MaxValueValidator(100)]
    )
    yellow_min_days = models.PositiveSmallIntegerField("黄灯最少剩余工作日", default=1)
    urge = models.BooleanField("黄灯催办经办人", default=True)
    escalate = models.BooleanField("红灯督办部门负责人", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "电子监察设置"

    def __str__(self):
        return f"{self.hall} 电子监察设置"


class CaseRisk(models.Model):
    """风险预判: the latest forecast that an open case closes late, written by the worker
    (onewindow.foresight.services.score) and read by the inbox and the supervision dashboard,
    which show a fourth colour, "at risk", on a green case whose probability reaches
    ONEWINDOW_AT_RISK_PROBABILITY (cases.clock_rules.display_light_expression). `reasons`: the
    case's largest contributions, each a key and the figures its sentence quotes
    (foresight.reasons renders them)."""

    case = models.OneToOneField(
        Case, models.CASCADE, primary_key=True, related_name="risk", verbose_name="办件"
    )
    # The case's department, copied when scored: a department's at-risk cases are then one range
    # of the index below (its inbox counted them over a join of every open case: 40 ms of the page
    # over 20,000 open cases, bench/forecast.py).
    department = models.ForeignKey(
        Department, models.CASCADE, related_name="+", verbose_name="办理部门", db_index=False
    )
    probability = models.FloatField("逾期概率")
    reasons = models.JSONField("主要原因", default=list)
    model_version = models.PositiveIntegerField("模型版本")
    scored_on = models.DateField("评估日期")

    class Meta:
        verbose_name = verbose_name_plural = "办件逾期风险"
        indexes = [models.Index(fields=["department", "probability"], name="case_risk_department")]

    def __str__(self):
        return f"{self.case_id} {self.probability:.0%}"
