"""Public resource trading (公共资源交易; issue 20, RULES.md "Public resource trading").

A trading project (交易项目) of one kind — works tender, government procurement, land, state
property rights — is announced with its budget, method and timeline; bidders (投标人, enterprises
with a credit code and a credit record) submit sealed bids until the bid deadline, which is also
the opening time; a bid's content is encrypted with the project's own key and can only be read
at or after the opening (sealing.py). Fewer than 3 bids (tenders): not opened, the project fails.
An evaluation committee is drawn at random from the expert pool (评标专家库) with conflicts
excluded and reserves, by a seed whose hash was published at the announcement (onewindow.draws);
the experts confirm by message and the list stays secret until the evaluation starts. Each
expert scores each bid; the price score follows the announced formula; the ranking names the
candidates, published with every expert's score for at least 3 working days (公示); an objection
(异议) pauses the award until the owner answers. Then the award (中标) and the contract. Every
step is an event of the project's hash chain and an OCDS release (ocds.py)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from onewindow.accounts.models import Applicant, Department, Region, User
from onewindow.cases.chain import ChainEvent


class Kind(models.TextChoices):
    WORKS = "works", "工程建设招标"
    PROCUREMENT = "procurement", "政府采购"
    LAND = "land", "土地使用权出让"
    PROPERTY = "property", "国有产权交易"


class Method(models.TextChoices):
    OPEN_TENDER = "open_tender", "公开招标"
    INVITED_TENDER = "invited_tender", "邀请招标"
    NEGOTIATION = "negotiation", "竞争性谈判"
    CONSULTATION = "consultation", "竞争性磋商"
    INQUIRY = "inquiry", "询价"
    SINGLE_SOURCE = "single_source", "单一来源"
    LAND_TENDER = "land_tender", "招标出让"
    AUCTION = "auction", "拍卖"
    LISTING = "listing", "挂牌"


# The kinds sold to the highest price at or above a reserve (价高者得), with no committee.
AUCTION_KINDS = (Kind.LAND, Kind.PROPERTY)

# The methods of each kind (RULES.md: 招标投标法, 政府采购法; land 招拍挂; property 拍卖/挂牌).
KIND_METHODS = {
    Kind.WORKS: (Method.OPEN_TENDER, Method.INVITED_TENDER),
    Kind.PROCUREMENT: (Method.OPEN_TENDER, Method.INVITED_TENDER, Method.NEGOTIATION, Method.CONSULTATION,
                       Method.INQUIRY, Method.SINGLE_SOURCE),
    Kind.LAND: (Method.LAND_TENDER, Method.AUCTION, Method.LISTING),
    Kind.PROPERTY: (Method.AUCTION, Method.LISTING),
}  # fmt: skip


class Bidder(models.Model):
    """投标人 (竞买人): an enterprise registered on the trading platform with its credit code
    (GB 32100, validated) and its account; its credit record (CreditRecord) is public."""

    ref = models.CharField("编号", max_length=16, unique=True)
    name = models.CharField("单位名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    legal_representative = models.CharField("法定代表人", max_length=50)
    phone = models.CharField("联系电话", max_length=20)
    address = models.CharField("地址", max_length=200, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name="所在区划")
    user = models.OneToOneField(User, models.PROTECT, related_name="bidder", verbose_name="投标人账号")
    registered_at = models.DateTimeField("注册时间")

    class Meta:
        verbose_name = verbose_name_plural = "投标人"
        ordering = ["name"]

    def __str__(self):
        return self.name


class CreditRecord(models.Model):
    """The credit library (信用库): a bidder's performance (业绩) and penalties (行政处罚/不良行为).
    A penalty with a debarment running (`debarred_until` on or after the bid day) refuses its bids."""

    class Kind(models.TextChoices):
        PERFORMANCE = "performance", "业绩"
        PENALTY = "penalty", "不良行为/处罚"

    bidder = models.ForeignKey(Bidder, models.PROTECT, related_name="credit_records", verbose_name="投标人")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    occurred_on = models.DateField("日期")
    detail = models.CharField("内容", max_length=500)
    debarred_until = models.DateField("禁止投标至", null=True, blank=True)
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = verbose_name_plural = "投标人信用记录"
        ordering = ["-occurred_on", "-pk"]

    def __str__(self):
        return f"{self.bidder} {self.get_kind_display()}"


class Expert(models.Model):
    """评标专家 in the pool: technical (技术) or economic (经济) with a specialty, an employer (its
    credit code: an expert employed by a bidder is excluded), a department when the expert is staff
    of one (excluded from projects that department supervises). `number` is the key of the draw."""

    class Category(models.TextChoices):
        TECHNICAL = "technical", "技术"
        ECONOMIC = "economic", "经济"

    number = models.CharField("专家编号", max_length=16, unique=True)
    name = models.CharField("姓名", max_length=50)
    user = models.OneToOneField(
        User, models.PROTECT, null=True, blank=True, related_name="expert", verbose_name="专家账号"
    )
    phone = models.CharField("联系电话", max_length=20)
    category = models.CharField("类别", max_length=10, choices=Category.choices)
    specialty = models.CharField("专业", max_length=50)
    title = models.CharField("职称", max_length=50, blank=True)
    employer = models.CharField("工作单位", max_length=100)
    employer_credit_code = models.CharField("工作单位统一社会信用代码", max_length=18, blank=True)
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="所在行政部门"
    )
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name="所在区划")
    is_active = models.BooleanField("在库", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "评标专家"
        ordering = ["number"]
        indexes = [models.Index(fields=["is_active", "category"], name="expert_pool")]

    def __str__(self):
        return f"{self.number} {self.name}"


class Avoidance(models.Model):
    """An expert's declared avoidance (回避申报): a close relative working for, or an economic
    interest in, the enterprise with this credit code — excluded from its projects."""

    class Relation(models.TextChoices):
        RELATIVE = "relative", "近亲属任职"
        INTEREST = "interest", "经济利益关系"
        FORMER = "former", "近三年曾任职"

    expert = models.ForeignKey(Expert, models.CASCADE, related_name="avoidances", verbose_name="专家")
    credit_code = models.CharField("回避单位统一社会信用代码", max_length=18)
    name = models.CharField("回避单位名称", max_length=100)
    relation = models.CharField("回避事由", max_length=10, choices=Relation.choices)
    declared_on = models.DateField("申报日期")

    class Meta:
        verbose_name = verbose_name_plural = "专家回避申报"
        constraints = [models.UniqueConstraint(fields=["expert", "credit_code"], name="avoidance_once")]

    def __str__(self):
        return f"{self.expert} 回避 {self.name}"


class ExpertPenalty(models.Model):
    """A penalty of an expert (专家不良记录): an expert with any is never drawn (RULES.md: a past
    penalty is a recusal)."""

    expert = models.ForeignKey(Expert, models.PROTECT, related_name="penalties", verbose_name="专家")
    occurred_on = models.DateField("日期")
    detail = models.CharField("事由", max_length=500)

    class Meta:
        verbose_name = verbose_name_plural = "专家不良记录"

    def __str__(self):
        return f"{self.expert} {self.occurred_on}"


class Project(models.Model):
    """交易项目: announced with its budget (for land and property: the reserve price, 底价/起拍价),
    timeline and evaluation rules; sealed by its own key pair (`public_key` seals the bids; the
    opening key `sealed_key` is wrapped by the platform's key, sealing.py)."""

    class Status(models.TextChoices):
        ANNOUNCED = "announced", "公告中"
        OPENED = "opened", "已开标"
        EVALUATING = "evaluating", "评标中"
        PUBLICITY = "publicity", "候选人公示中"
        AWARDED = "awarded", "已定标"
        CONTRACTED = "contracted", "已签约"
        FAILED = "failed", "流标"
        CANCELLED = "cancelled", "已终止"

    number = models.CharField("项目编号", max_length=20, unique=True)
    title = models.CharField("项目名称", max_length=100)
    kind = models.CharField("交易类型", max_length=12, choices=Kind.choices)
    method = models.CharField("交易方式", max_length=16, choices=Method.choices)
    budget_fen = models.PositiveBigIntegerField("预算/底价（分）")
    owner = models.ForeignKey(
        Applicant, models.PROTECT, related_name="+", verbose_name="招标人/采购人/出让人"
    )
    owner_user = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="招标人账号")
    agency = models.CharField("招标代理机构", max_length=100, blank=True)
    supervisor = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="监督部门")
    description = models.TextField("项目概况与招标范围")
    documents = models.TextField("招标文件要点（资格条件、评标办法、合同条款）")
    # The timeline (all announced): clarifications until, then the bid deadline = opening time.
    announced_at = models.DateTimeField("公告时间")
    clarification_until = models.DateTimeField("澄清截止时间")
    opening_at = models.DateTimeField("投标截止/开标时间")
    # The evaluation rules announced with the tender (评标办法: 综合评分法).
    price_weight = models.PositiveSmallIntegerField(
        "价格分权重", validators=[MinValueValidator(10), MaxValueValidator(100)]
    )
    committee_size = models.PositiveSmallIntegerField("评标委员会人数", default=0)
    economic_experts = models.PositiveSmallIntegerField("其中经济专家人数", default=0)
    specialty = models.CharField("技术专家专业", max_length=50, blank=True)
    reserves = models.PositiveSmallIntegerField("备选专家人数（每类）", default=2)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ANNOUNCED)
    public_key = models.BinaryField("投标加密公钥", editable=False)
    sealed_key = models.BinaryField("开标私钥（封装）", editable=False)
    seed_commitment = models.CharField("抽取种子承诺（SHA-256）", max_length=64)
    seed = models.CharField("抽取种子", max_length=64, editable=False)
    opened_at = models.DateTimeField("开标时间", null=True, blank=True)
    drawn_at = models.DateTimeField("专家抽取时间", null=True, blank=True)
    # The draw's inputs and result, secret until the evaluation starts (then published in the chain).
    draw_candidates = models.JSONField("抽取候选专家", default=dict, blank=True, editable=False)
    draw_result = models.JSONField("抽取结果", default=dict, blank=True, editable=False)
    evaluation_started_at = models.DateTimeField("评标开始时间", null=True, blank=True)
    reported_at = models.DateTimeField("评标报告时间", null=True, blank=True)
    publicity_from = models.DateField("公示开始日期", null=True, blank=True)
    publicity_until = models.DateField("公示截止日期", null=True, blank=True)
    awarded_bid = models.ForeignKey(
        "Bid", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="中标投标"
    )
    awarded_at = models.DateTimeField("定标时间", null=True, blank=True)
    award_fen = models.PositiveBigIntegerField("中标/成交金额（分）", null=True, blank=True)
    closed_reason = models.CharField("流标/终止原因", max_length=200, blank=True)
    created_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="登记人")
    event_count = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    release_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "交易项目"
        ordering = ["-announced_at", "-pk"]
        indexes = [
            models.Index(fields=["opening_at"], condition=Q(status="announced"), name="trading_open_due"),
            models.Index(fields=["status", "-announced_at"], name="trading_board"),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(condition=Q(budget_fen__gte=1, budget_fen__lte=10**14), name="trading_budget"),
            models.CheckConstraint(condition=Q(price_weight__gte=10, price_weight__lte=100),
                                   name="trading_price_weight"),
            models.CheckConstraint(condition=Q(opening_at__gt=models.F("clarification_until")),
                                   name="trading_timeline"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_auction(self) -> bool:
        """Land and property: the highest price wins, no committee (价高者得)."""
        return self.kind in AUCTION_KINDS


class Bid(models.Model):
    """A sealed bid (投标文件): `ciphertext` is sealed to the project's public key, bound to the
    project, the bidder and the version (sealing.py); `digest` the SHA-256 of the document the bidder sent
    (its receipt). A resubmission replaces the active bid (`superseded_at` on the old one); a
    withdrawal ends it. After the opening the price and days are copied out (the opening record)."""

    project = models.ForeignKey(Project, models.PROTECT, related_name="bids", verbose_name="交易项目")
    bidder = models.ForeignKey(Bidder, models.PROTECT, related_name="bids", verbose_name="投标人")
    version = models.PositiveSmallIntegerField("版本")
    nonce = models.BinaryField("临时公钥与随机数", editable=False)
    ciphertext = models.BinaryField("密文", editable=False)
    digest = models.CharField("回执摘要（SHA-256）", max_length=64)
    submitted_at = models.DateTimeField("递交时间")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    superseded_at = models.DateTimeField("被替换时间", null=True, blank=True)
    # The opening record (开标记录), filled at the opening from the decrypted document.
    opened_price_fen = models.PositiveBigIntegerField("投标报价（分）", null=True, blank=True)
    opened_days = models.PositiveSmallIntegerField("工期/交付期（日历天）", null=True, blank=True)
    opened_proposal = models.TextField("技术商务响应", blank=True)
    # Evaluation (after the report): price score, mean technical score, total, rank.
    price_score = models.DecimalField("价格分", max_digits=6, decimal_places=2, null=True, blank=True)
    technical_score = models.DecimalField("技术商务分", max_digits=6, decimal_places=2, null=True, blank=True)
    total_score = models.DecimalField("总分", max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField("排名", null=True, blank=True)
    disqualified = models.CharField("否决理由", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "投标"
        ordering = ["project", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "bidder", "version"], name="bid_version"),
            models.UniqueConstraint(fields=["project", "bidder"], name="bid_one_active",
                                    condition=Q(withdrawn_at__isnull=True, superseded_at__isnull=True)),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.project_id} {self.bidder} v{self.version}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None and self.superseded_at is None


class Seat(models.Model):
    """A place on the evaluation committee (评标委员会) or on its reserve list, from the draw: the
    expert is invited by message, confirms or declines; a declined member's place goes to the
    next reserve of the same category. `order` is the draw's order within its category."""

    class Role(models.TextChoices):
        MEMBER = "member", "评委"
        RESERVE = "reserve", "备选"

    class Status(models.TextChoices):
        WAITING = "waiting", "备选待用"
        INVITED = "invited", "已通知待确认"
        CONFIRMED = "confirmed", "已确认"
        DECLINED = "declined", "已拒绝"

    project = models.ForeignKey(Project, models.PROTECT, related_name="seats", verbose_name="交易项目")
    expert = models.ForeignKey(Expert, models.PROTECT, related_name="seats", verbose_name="专家")
    category = models.CharField("类别", max_length=10, choices=Expert.Category.choices)
    role = models.CharField("身份", max_length=10, choices=Role.choices)
    order = models.PositiveSmallIntegerField("抽取顺序")
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    scored_at = models.DateTimeField("提交评分时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评标委员会席位"
        ordering = ["project", "category", "order"]
        constraints = [models.UniqueConstraint(fields=["project", "expert"], name="seat_once")]

    def __str__(self):
        return f"{self.project_id} {self.expert}"


class Score(models.Model):
    """One expert's technical and business score (技术商务分) for one bid, out of the project's
    100 − price_weight points; published with the result (Linyi: every evaluator's scores)."""

    seat = models.ForeignKey(Seat, models.PROTECT, related_name="scores", verbose_name="评委")
    bid = models.ForeignKey(Bid, models.PROTECT, related_name="scores", verbose_name="投标")
    points = models.DecimalField("得分", max_digits=5, decimal_places=2)
    comment = models.CharField("评审意见", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "专家评分"
        constraints = [
            models.UniqueConstraint(fields=["seat", "bid"], name="score_once"),
            models.CheckConstraint(condition=Q(points__gte=0, points__lte=90), name="score_range"),
        ]

    def __str__(self):
        return f"{self.seat_id} {self.bid_id} {self.points}"


class Objection(models.Model):
    """异议 to the candidates, by a bidder of the project during the publicity: while one is
    pending the award waits; the owner answers within 3 working days (`answer_due_on`)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待答复"
        DISMISSED = "dismissed", "异议不成立"
        UPHELD = "upheld", "异议成立"

    project = models.ForeignKey(Project, models.PROTECT, related_name="objections", verbose_name="交易项目")
    bidder = models.ForeignKey(Bidder, models.PROTECT, related_name="+", verbose_name="异议人")
    target = models.ForeignKey(Bid, models.PROTECT, related_name="+", verbose_name="被异议的候选人投标")
    reason = models.TextField("异议事项及理由")
    filed_at = models.DateTimeField("提出时间")
    answer_due_on = models.DateField("答复期限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="答复人"
    )

    class Meta:
        verbose_name = verbose_name_plural = "异议"
        ordering = ["-filed_at"]

    def __str__(self):
        return f"{self.project_id} 异议 {self.get_status_display()}"


class Contract(models.Model):
    """The contract signed with the winner (合同): its amount and date; published."""

    project = models.OneToOneField(Project, models.PROTECT, related_name="contract", verbose_name="交易项目")
    amount_fen = models.PositiveBigIntegerField("合同金额（分）")
    signed_on = models.DateField("签订日期")
    recorded_at = models.DateTimeField("登记时间")
    recorded_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = verbose_name_plural = "交易合同"

    def __str__(self):
        return f"合同 {self.project_id}"


class ProjectEvent(ChainEvent):
    """One step of a project (公告、投标、撤回、开标、抽取、评标、公示、异议、定标、签约 …),
    hash-chained per project (its number) with cases.audit's scheme. No event of a bid before the
    opening names its price: the payload holds only the receipt's digest."""

    project = models.ForeignKey(
        Project, models.PROTECT, related_name="events", verbose_name="交易项目", db_index=False
    )

    class Meta:
        verbose_name = verbose_name_plural = "交易项目事件"
        ordering = ["project", "seq"]
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="trading_event_seq")]

    def __str__(self):
        return f"{self.project_id}#{self.seq} {self.action}"


class Release(models.Model):
    """An OCDS release (ocds.py) of a project, frozen when the step happens: the change feed is
    these rows in `pk` order (API: /api/v1/trading/releases?after=…)."""

    project = models.ForeignKey(Project, models.PROTECT, related_name="releases", verbose_name="交易项目")
    release_id = models.CharField("发布编号", max_length=40, unique=True)
    date = models.DateTimeField("发布时间")
    tag = models.CharField("类型", max_length=40)
    data = models.JSONField("OCDS 发布")

    class Meta:
        verbose_name = verbose_name_plural = "OCDS 发布"
        ordering = ["pk"]

    def __str__(self):
        return self.release_id
