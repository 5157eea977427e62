"""The intermediary market (中介超市; issue 19, RULES.md "Intermediary market").

Agencies (中介机构) register as legal persons and are admitted by hall management, with a
qualification per service type; service types carry the legal fee cap and the time cap (限时限价),
and fee relief by owner type narrows the cap. An owner posts a purchase (中介服务采购项目: the need,
its budget cap, time limit and selection method); admitted agencies register for it with an
offer inside every cap until the registration deadline; the selection (direct choice, random draw,
lowest price, best value) names the agency, the contract, the delivery and the owner's acceptance
follow, then two-way evaluation. Each year every agency is graded A–D; D is blacklisted. Every step
of a purchase and of an agency is an event of its hash chain (cases.audit's scheme)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from onewindow.accounts.models import Applicant, Region, User
from onewindow.cases.chain import ChainEvent


class OwnerType(models.TextChoices):
    """Who owns a purchase, for fee relief (configurable: FeeRelief)."""

    GOVERNMENT = "government", "政府投资项目单位"
    SMALL_MICRO = "small_micro", "小微企业"
    OTHER = "other", "其他企业"


class Grade(models.TextChoices):
    A = "A", "A级（优秀）"
    B = "B", "B级（良好）"
    C = "C", "C级（警示）"
    D = "D", "D级（黑名单）"


class ServiceType(models.Model):
    """A kind of intermediary service (测绘, 环评, 能评, 防雷检测 …) with its caps: the legal fee cap
    (收费上限, fen) and the time cap (服务时限, working days). An offer stays inside both."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("服务类型", max_length=50)
    fee_cap_fen = models.PositiveBigIntegerField("收费上限（分）", validators=[MaxValueValidator(10**13)])
    fee_basis = models.CharField("收费依据", max_length=200, blank=True)
    time_cap_days = models.PositiveSmallIntegerField(
        "服务时限（工作日）", validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "中介服务类型"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(time_cap_days__gte=1, time_cap_days__lte=365), name="service_time_cap"
            ),
        ]

    def __str__(self):
        return self.name


class FeeRelief(models.Model):
    """Fee relief (降费): an owner of this type pays at most `max_percent` % of the service type's
    cap (a row without a service type applies to every type without its own row). Shan county:
    small and micro enterprises 40/50/60 % by service kind; Wendeng: below half (50 %)."""

    owner_type = models.CharField("业主类型", max_length=12, choices=OwnerType.choices)
    service_type = models.ForeignKey(
        ServiceType, models.CASCADE, null=True, blank=True, related_name="reliefs", verbose_name="服务类型"
    )
    max_percent = models.PositiveSmallIntegerField(
        "收费不超过上限的百分比", validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    note = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "降费规则"
        constraints = [
            models.UniqueConstraint(fields=["owner_type", "service_type"], name="relief_owner_service",
                                    condition=Q(service_type__isnull=False)),
            models.UniqueConstraint(fields=["owner_type"], name="relief_owner_default",
                                    condition=Q(service_type__isnull=True)),
            models.CheckConstraint(condition=Q(max_percent__gte=1, max_percent__lte=100), name="relief_percent"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.get_owner_type_display()} {self.max_percent}%"


class MarketSettings(models.Model):
    """The market's configurable rules (one row; defaults when none). Grade weights follow
    GB/T 39683-2020 in spirit (docs/market.md)."""

    long_list_size = models.PositiveSmallIntegerField("优选法信用长名单人数", default=7)
    short_list_size = models.PositiveSmallIntegerField("优选法随机短名单人数", default=3)
    # Grades: points out of 100 from the owners' evaluations and on-time delivery, minus deductions.
    weight_evaluation = models.PositiveSmallIntegerField("评价得分权重", default=60)
    weight_on_time = models.PositiveSmallIntegerField("按时交付权重", default=40)
    deduct_complaint = models.PositiveSmallIntegerField("每件成立投诉扣分", default=5)
    deduct_violation = models.PositiveSmallIntegerField("每起违规扣分", default=10)
    grade_a_min = models.PositiveSmallIntegerField("A级最低分", default=90)
    grade_b_min = models.PositiveSmallIntegerField("B级最低分", default=75)
    grade_c_min = models.PositiveSmallIntegerField("C级最低分", default=60)
    appeal_days = models.PositiveSmallIntegerField("等级申诉期限（工作日）", default=10)

    class Meta:
        verbose_name = verbose_name_plural = "中介超市设置"

    def __str__(self):
        return "中介超市设置"


class Agency(models.Model):
    """中介机构: a legal person (the credit code is validated, GB 32100) registered by its account
    (`user`), admitted by hall management; exit voluntary or forced. `grade` is the latest
    published yearly grade (blank: not graded yet)."""

    class Status(models.TextChoices):
        APPLIED = "applied", "待审核"
        ADMITTED = "admitted", "已入驻"
        REFUSED = "refused", "未通过"
        EXITED = "exited", "已退出"
        EXPELLED = "expelled", "已清退"

    ref = models.CharField("编号", max_length=16, unique=True)
    name = models.CharField("机构名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    legal_representative = models.CharField("法定代表人", max_length=50)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20)
    address = models.CharField("地址", max_length=200, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name="所在区划")
    user = models.OneToOneField(User, models.PROTECT, related_name="agency", verbose_name="机构账号")
    introduction = models.TextField("机构简介", blank=True)
    # Fee commitment (收费承诺): the agency's own promise below the caps, shown in the directory.
    fee_commitment = models.CharField("收费承诺", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.APPLIED)
    applied_at = models.DateTimeField("申请时间")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="审核人"
    )
    decision_note = models.CharField("审核意见", max_length=500, blank=True)
    exited_at = models.DateTimeField("退出时间", null=True, blank=True)
    exit_reason = models.CharField("退出原因", max_length=500, blank=True)
    grade = models.CharField("信用等级", max_length=1, choices=Grade.choices, blank=True)
    grade_year = models.PositiveSmallIntegerField("等级年度", null=True, blank=True)
    event_count = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "中介机构"
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "grade"], name="agency_status_grade")]

    def __str__(self):
        return self.name


class Qualification(models.Model):
    """An agency's qualification for a service type (资质): certificate number and validity; it
    may register only for purchases of a type it holds valid on the registration day."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="qualifications", verbose_name="中介机构")
    service_type = models.ForeignKey(ServiceType, models.PROTECT, related_name="+", verbose_name="服务类型")
    certificate_no = models.CharField("资质证书编号", max_length=50)
    level = models.CharField("资质等级", max_length=20, blank=True)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至")

    class Meta:
        verbose_name = verbose_name_plural = "中介机构资质"
        constraints = [
            models.UniqueConstraint(fields=["agency", "service_type"], name="qualification_agency_service"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="qualification_period"
            ),
        ]

    def __str__(self):
        return f"{self.agency} {self.service_type}"


class AgencyStaff(models.Model):
    """The agency's practitioners (执业人员) shown in the directory."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="staff", verbose_name="中介机构")
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职称/执业资格", max_length=100, blank=True)
    certificate_no = models.CharField("证书编号", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "执业人员"

    def __str__(self):
        return self.name


class AgencyEvent(ChainEvent):
    """One step of an agency (申请、审核、退出、等级、申诉 …), hash-chained per agency (its ref)."""

    agency = models.ForeignKey(
        Agency, models.PROTECT, related_name="events", verbose_name="中介机构", db_index=False
    )

    class Meta:
        verbose_name = verbose_name_plural = "中介机构事件"
        ordering = ["agency", "seq"]
        constraints = [models.UniqueConstraint(fields=["agency", "seq"], name="agency_event_seq")]

    def __str__(self):
        return f"{self.agency_id}#{self.seq} {self.action}"


class Method(models.TextChoices):
    """How the agency is chosen (RULES.md: the owner chooses; never the approving department)."""

    DIRECT = "direct", "直接选取"
    RANDOM = "random", "随机抽取"
    LOWEST_PRICE = "lowest_price", "最低价选取"
    BEST_VALUE = "best_value", "综合优选（信用长名单+随机短名单+业主选定）"


class Purchase(models.Model):
    """中介服务采购项目: an owner's need, posted on the board until its registration deadline."""

    class Status(models.TextChoices):
        POSTED = "posted", "报名中"
        CHOOSING = "choosing", "待业主选定"
        SELECTED = "selected", "已选定"
        FAILED = "failed", "流标"
        CONTRACTED = "contracted", "已签约"
        DELIVERED = "delivered", "已交付"
        COMPLETED = "completed", "已验收"
        CANCELLED = "cancelled", "已撤销"

    number = models.CharField("项目编号", max_length=20, unique=True)
    owner = models.ForeignKey(Applicant, models.PROTECT, related_name="+", verbose_name="业主")
    owner_type = models.CharField("业主类型", max_length=12, choices=OwnerType.choices)
    government_invested = models.BooleanField("政府投资项目", default=False)
    # 投资项目代码 (projects.Project.code) when the need serves an investment project.
    project_code = models.CharField("投资项目代码", max_length=40, blank=True)
    title = models.CharField("项目名称", max_length=100)
    service_type = models.ForeignKey(
        ServiceType, models.PROTECT, related_name="purchases", verbose_name="服务类型"
    )
    scope = models.TextField("服务内容及范围")
    budget_fen = models.PositiveBigIntegerField("预算上限（分）")
    time_limit_days = models.PositiveSmallIntegerField("服务时限（工作日）")
    method = models.CharField("选取方式", max_length=14, choices=Method.choices)
    registration_deadline = models.DateTimeField("报名截止时间")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.POSTED)
    posted_at = models.DateTimeField("发布时间")
    posted_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="发布人")
    reposted_from = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="reposts", verbose_name="原流标项目"
    )
    # The draw (random, best value's short list, and a lowest-price tie): commitment published
    # when posted; the seed kept secret until the draw, then published (onewindow.draws).
    seed_commitment = models.CharField("随机种子承诺（SHA-256）", max_length=64)
    seed = models.CharField("随机种子", max_length=64)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    short_list = models.JSONField("随机短名单", default=list, blank=True)
    selected = models.ForeignKey(
        "Registration", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="选定机构报名"
    )
    selected_at = models.DateTimeField("选定时间", null=True, blank=True)
    closed_reason = models.CharField("流标/撤销原因", max_length=200, blank=True)
    event_count = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "中介服务采购项目"
        ordering = ["-posted_at", "-pk"]
        indexes = [
            models.Index(fields=["registration_deadline"], condition=Q(status="posted"), name="purchase_open_deadline"),
            models.Index(fields=["status", "-posted_at"], name="purchase_board"),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(condition=Q(budget_fen__gte=1, budget_fen__lte=10**13), name="purchase_budget"),
            models.CheckConstraint(condition=Q(time_limit_days__gte=1, time_limit_days__lte=365),
                                   name="purchase_time_limit"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.number} {self.title}"


class Registration(models.Model):
    """An agency's registration (报名) for a purchase, with its offer (报价, 承诺时限): once per
    agency and purchase; withdrawn before the deadline only."""

    purchase = models.ForeignKey(
        Purchase, models.PROTECT, related_name="registrations", verbose_name="采购项目"
    )
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="registrations", verbose_name="中介机构")
    offer_fen = models.PositiveBigIntegerField("报价（分）")
    offer_days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    note = models.CharField("说明", max_length=500, blank=True)
    registered_at = models.DateTimeField("报名时间")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    # The agency's grade when it registered (the rule that admitted it, kept for the record).
    grade_then = models.CharField("报名时信用等级", max_length=1, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "报名"
        ordering = ["purchase", "registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["purchase", "agency"], name="registration_once"),
            models.CheckConstraint(condition=Q(offer_fen__gte=1), name="registration_offer_positive"),
            models.CheckConstraint(condition=Q(offer_days__gte=1), name="registration_days_positive"),
        ]

    def __str__(self):
        return f"{self.purchase_id} {self.agency}"


class PurchaseEvent(ChainEvent):
    """One step of a purchase (发布、报名、抽取、选定、签约、交付、验收、评价 …), hash-chained per
    purchase (its number); the draw's seed, candidates and result are in its payload."""

    purchase = models.ForeignKey(
        Purchase, models.PROTECT, related_name="events", verbose_name="采购项目", db_index=False
    )

    class Meta:
        verbose_name = verbose_name_plural = "采购项目事件"
        ordering = ["purchase", "seq"]
        constraints = [models.UniqueConstraint(fields=["purchase", "seq"], name="purchase_event_seq")]

    def __str__(self):
        return f"{self.purchase_id}#{self.seq} {self.action}"


class Contract(models.Model):
    """The contract with the selected agency: its fee and days are the offer's; the delivery is
    due `offer_days` working days after signing (due_seq/due_on, watched by supervision)."""

    purchase = models.OneToOneField(
        Purchase, models.PROTECT, related_name="contract", verbose_name="采购项目"
    )
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="contracts", verbose_name="中介机构")
    fee_fen = models.PositiveBigIntegerField("合同金额（分）")
    days = models.PositiveSmallIntegerField("服务时限（工作日）")
    signed_at = models.DateTimeField("签约时间")
    signed_on = models.DateField("签约日期")
    due_seq = models.IntegerField("到期工作日序号")
    due_on = models.DateField("交付期限")
    delivered_at = models.DateTimeField("交付时间", null=True, blank=True)
    delivered_on_time = models.BooleanField("按时交付", null=True, blank=True)
    delivery_note = models.TextField("交付说明", blank=True)
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField("退回修改次数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "中介服务合同"
        indexes = [
            models.Index(
                fields=["due_seq"], condition=Q(delivered_at__isnull=True), name="contract_open_due"
            ),
            models.Index(fields=["agency", "signed_on"], name="contract_agency_signed"),
        ]

    def __str__(self):
        return f"合同 {self.purchase_id}"


class Evaluation(models.Model):
    """Two-way evaluation after acceptance (双向评价): the owner rates the agency, the agency the
    owner; 1–5 each on quality, timeliness and conduct; once per contract and direction."""

    class Direction(models.TextChoices):
        OF_AGENCY = "of_agency", "业主评价中介机构"
        OF_OWNER = "of_owner", "中介机构评价业主"

    contract = models.ForeignKey(Contract, models.PROTECT, related_name="evaluations", verbose_name="合同")
    direction = models.CharField("评价方向", max_length=10, choices=Direction.choices)
    quality = models.PositiveSmallIntegerField(
        "服务质量", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    timeliness = models.PositiveSmallIntegerField(
        "服务时效", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    conduct = models.PositiveSmallIntegerField(
        "诚信规范", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField("评价意见", max_length=500, blank=True)
    by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="评价人")
    at = models.DateTimeField("评价时间")

    class Meta:
        verbose_name = verbose_name_plural = "双向评价"
        constraints = [
            models.UniqueConstraint(fields=["contract", "direction"], name="evaluation_once"),
            models.CheckConstraint(
                condition=Q(quality__gte=1, quality__lte=5, timeliness__gte=1, timeliness__lte=5, conduct__gte=1,
                            conduct__lte=5), name="evaluation_range"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.contract_id} {self.get_direction_display()}"


class Misconduct(models.Model):
    """A complaint upheld or a violation against an agency (投诉成立、违规), recorded by hall
    management with its evidence; counted in the year's grade (deductions)."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", "投诉成立"
        VIOLATION = "violation", "违规行为"

    agency = models.ForeignKey(Agency, models.PROTECT, related_name="misconduct", verbose_name="中介机构")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    purchase = models.ForeignKey(Purchase, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="相关项目")  # fmt: skip
    occurred_on = models.DateField("发生日期")
    detail = models.CharField("事实及依据", max_length=500)
    recorded_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="记录人")
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = verbose_name_plural = "投诉与违规记录"
        ordering = ["-occurred_on"]

    def __str__(self):
        return f"{self.agency} {self.get_kind_display()}"


class YearGrade(models.Model):
    """An agency's grade for a year (年度信用等级): the figures it was computed from, the points,
    the grade; published by hall management; the agency may appeal within the appeal days."""

    class Status(models.TextChoices):
        COMPUTED = "computed", "已计算"
        PUBLISHED = "published", "已公布"

    agency = models.ForeignKey(Agency, models.PROTECT, related_name="year_grades", verbose_name="中介机构")
    year = models.PositiveSmallIntegerField("年度")
    contracts = models.PositiveIntegerField("完成合同数", default=0)
    evaluation_avg = models.DecimalField(
        "业主评价均分（1-5）", max_digits=4, decimal_places=2, null=True, blank=True
    )
    on_time_rate = models.DecimalField("按时交付率", max_digits=5, decimal_places=4, null=True, blank=True)
    complaints = models.PositiveIntegerField("成立投诉数", default=0)
    violations = models.PositiveIntegerField("违规数", default=0)
    points = models.DecimalField("得分", max_digits=6, decimal_places=2)
    grade = models.CharField("等级", max_length=1, choices=Grade.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.COMPUTED)
    computed_at = models.DateTimeField("计算时间")
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    appeal_due_on = models.DateField("申诉截止日期", null=True, blank=True)
    # Set by an upheld appeal: the grade as decided, with the appeal that changed it.
    adjusted = models.BooleanField("申诉后调整", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "年度信用等级"
        ordering = ["-year", "agency"]
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="year_grade_once")]

    def __str__(self):
        return f"{self.agency} {self.year} {self.grade}"


class GradeAppeal(models.Model):
    """An agency's appeal of its published grade (等级申诉), decided by hall management."""

    class Status(models.TextChoices):
        PENDING = "pending", "待处理"
        UPHELD = "upheld", "申诉成立"
        DISMISSED = "dismissed", "申诉不成立"

    year_grade = models.ForeignKey(YearGrade, models.PROTECT, related_name="appeals", verbose_name="年度等级")
    reason = models.TextField("申诉理由")
    filed_at = models.DateTimeField("申诉时间")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="处理人"
    )
    decision = models.CharField("处理意见", max_length=500, blank=True)
    new_grade = models.CharField("调整后等级", max_length=1, choices=Grade.choices, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "等级申诉"
        ordering = ["-filed_at"]
        constraints = [
            # One appeal per published grade (a second is refused: the decision is final here).
            models.UniqueConstraint(fields=["year_grade"], name="grade_appeal_once"),
        ]

    def __str__(self):
        return f"{self.year_grade} {self.get_status_display()}"
