"""The standardized catalog (GLOSSARY.md "Items and cases"): every item the hall handles, with
the same elements, published in versions so a case keeps the version it was accepted under."""

from django.db import models
from django.db.models import Q

from onewindow.accounts.models import Department, Hall, Role, User


class ItemType(models.TextChoices):
    LICENSING = "licensing", "行政许可"
    CONFIRMATION = "confirmation", "行政确认"
    ADJUDICATION = "adjudication", "行政裁决"
    PAYMENT = "payment", "行政给付"
    REWARD = "reward", "行政奖励"
    FILING = "filing", "行政备案"
    OTHER_POWER = "other_power", "其他行政权力"
    PUBLIC_SERVICE = "public_service", "公共服务"


class Level(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWN = "town", "乡镇级"


class ResultType(models.TextChoices):
    LICENSE = "license", "证照"
    APPROVAL = "approval", "批文"
    OTHER = "other", "其他"
    NONE = "none", "无"


class LifeEvent(models.Model):
    """A life-event tag (开办企业, 生育, 就业 …) maintained by hall management."""

    name = models.CharField("名称", max_length=20, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "人生事件/主题"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class ServiceItem(models.Model):
    """政务服务事项: the stable identity of an item; its elements live in its versions."""

    code = models.CharField("事项编码", max_length=40, unique=True)
    department = models.ForeignKey(Department, models.PROTECT, related_name="items", verbose_name="实施部门")
    current = models.OneToOneField(
        "ItemVersion", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="现行版本"
    )
    withdrawn_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "政务服务事项"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.current.name if self.current_id else ''}".strip()


class ItemVersion(models.Model):
    """One version of an item's elements. Drafts are edited; a published version never
    changes again — a new draft copies it (事项要素变更须重新发布)."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"  # edited by hall admins
        PROPOSED = "proposed", "待发布"  # proposed by a department head (or admin), awaiting a second person
        PUBLISHED = "published", "现行"  # the version the portal shows and new cases use
        SUPERSEDED = "superseded", "已替代"  # an older published version; old cases keep it
        WITHDRAWN = "withdrawn", "已停用"  # the item was withdrawn while this version was current

    item = models.ForeignKey(ServiceItem, models.PROTECT, related_name="versions", verbose_name="事项")
    number = models.PositiveIntegerField("版本号")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.DRAFT)
    name = models.CharField("事项名称", max_length=100)
    type = models.CharField("事项类型", max_length=20, choices=ItemType.choices)
    level = models.CharField("行使层级", max_length=12, choices=Level.choices, default=Level.CITY)
    basis = models.TextField("设定依据", blank=True)
    basis_citation = models.CharField("依据出处", max_length=300, blank=True)
    conditions = models.TextField("受理条件", blank=True)
    legal_limit_days = models.PositiveSmallIntegerField("法定办结时限（工作日）")
    promised_limit_days = models.PositiveSmallIntegerField("承诺办结时限（工作日）")
    on_the_spot = models.BooleanField("即办件", default=False)
    commitment_approval = models.BooleanField("可告知承诺", default=False)
    visits = models.PositiveSmallIntegerField("到现场次数", default=1)
    online_depth = models.PositiveSmallIntegerField(
        "网上办理深度", default=3, choices=[(1, "一级"), (2, "二级"), (3, "三级"), (4, "四级")]
    )
    fee_fen = models.PositiveIntegerField("收费（分）", default=0)
    fee_basis = models.CharField("收费依据", max_length=300, blank=True)
    location = models.CharField("办理地点", max_length=200, blank=True)
    hours = models.CharField("办理时间", max_length=200, blank=True)
    consult_phone = models.CharField("咨询电话", max_length=30, blank=True)
    complaint_phone = models.CharField("投诉电话", max_length=30, blank=True)
    result_type = models.CharField(
        "审批结果类型", max_length=10, choices=ResultType.choices, default=ResultType.NONE
    )
    license_type = models.CharField("结果名称", max_length=60, blank=True)
    delivery_pickup = models.BooleanField("窗口领取", default=True)
    delivery_post = models.BooleanField("免费邮寄", default=False)
    keywords = models.CharField("关键词", max_length=300, blank=True, help_text="群众常用说法，空格分隔")
    common_names = models.CharField("俗称", max_length=200, blank=True, help_text="空格分隔")
    life_events = models.ManyToManyField(
        LifeEvent, blank=True, related_name="versions", verbose_name="人生事件/主题"
    )
    created_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="起草人"
    )
    proposed_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="提交人"
    )
    proposed_at = models.DateTimeField("提交时间", null=True, blank=True)
    published_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="发布人"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    # Why this version changes the last one, for whoever proposes and publishes it (e.g. the
    # promise advisor's evidence, foresight.advisor). Not an element: a new draft starts without it.
    change_note = models.TextField("变更说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项版本"
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_number_unique"),
            models.UniqueConstraint(
                fields=["item"], condition=Q(state="published"), name="one_published_version"
            ),
            models.UniqueConstraint(
                fields=["item"], condition=Q(state__in=["draft", "proposed"]), name="one_open_draft"
            ),
            models.CheckConstraint(
                condition=Q(promised_limit_days__lte=models.F("legal_limit_days")),
                name="promised_within_legal",
            ),
        ]

    def __str__(self):
        return f"{self.name}（第{self.number}版·{self.get_state_display()}）"

    @property
    def is_free(self) -> bool:
        return self.fee_fen == 0

    @property
    def fee_yuan(self) -> str:
        return f"{self.fee_fen / 100:.2f}"

    def keyword_list(self) -> list[str]:
        return self.keywords.split()

    def common_name_list(self) -> list[str]:
        return self.common_names.split()


class Material(models.Model):
    """申请材料 of one item version."""

    class Form(models.TextChoices):
        ORIGINAL = "original", "原件"
        COPY = "copy", "复印件"
        ORIGINAL_AND_COPY = "original_and_copy", "原件和复印件"

    class Source(models.TextChoices):
        APPLICANT = "applicant", "申请人提供"
        SHARED = "shared", "部门共享获取"  # fetched from the issuing department, not asked for

    version = models.ForeignKey(
        ItemVersion, models.CASCADE, related_name="materials", verbose_name="事项版本"
    )
    order = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("材料名称", max_length=120)
    form = models.CharField("材料形式", max_length=20, choices=Form.choices, default=Form.ORIGINAL)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    required = models.BooleanField("必需", default=True)
    condition = models.CharField(
        "提交情形", max_length=200, blank=True, help_text="非必需材料在何种情形下提交"
    )
    key = models.BooleanField("核心要件", default=False, help_text="核心要件不得容缺")
    tolerable = models.BooleanField("可容缺", default=False)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.APPLICANT)
    shared_by = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="共享部门"
    )
    blank_form = models.FileField("空白表格", upload_to="catalog/forms/", blank=True)
    sample = models.FileField("示范文本", upload_to="catalog/samples/", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请材料"
        ordering = ["version", "order", "pk"]
        constraints = [
            # 容缺受理: only non-key materials may be missing (RULES.md "Acceptance outcomes").
            models.CheckConstraint(condition=~Q(key=True, tolerable=True), name="key_material_not_tolerable"),
        ]

    def __str__(self):
        return self.name


class Step(models.Model):
    """An internal step after acceptance (审查, 决定, 制证, 送达 …) with its share of the days."""

    version = models.ForeignKey(ItemVersion, models.CASCADE, related_name="steps", verbose_name="事项版本")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    name = models.CharField("环节名称", max_length=30)
    role = models.CharField("办理角色", max_length=20, choices=Role.choices)
    days = models.PositiveSmallIntegerField("时限（工作日）", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "办理环节"
        ordering = ["version", "order", "pk"]

    def __str__(self):
        return self.name


class Bundle(models.Model):
    """一件事: items applied for together with one form and one set of materials."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    description = models.TextField("说明", blank=True)
    lead_department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="牵头部门")
    promised_limit_days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    life_event = models.ForeignKey(
        LifeEvent, models.PROTECT, null=True, blank=True, verbose_name="人生事件/主题"
    )
    items = models.ManyToManyField(
        ServiceItem,
        through="BundleItem",
        through_fields=("bundle", "item"),
        related_name="bundles",
        verbose_name="包含事项",
    )
    is_active = models.BooleanField("启用", default=True)
    # 企业开办 is for a company not yet set up: an applicant already holding a 统一社会信用代码 is
    # an existing company, refused with the way to its own items (bundles.services.start_refusal).
    for_new_entity = models.BooleanField(
        "仅限新设立主体", default=False, help_text="申请人已持有统一社会信用代码（已设立的企业）时不予申请"
    )

    class Meta:
        verbose_name = verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self):
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, models.CASCADE, related_name="entries")
    item = models.ForeignKey(ServiceItem, models.PROTECT, related_name="+", verbose_name="事项")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    # 前置事项: the item of the same bundle this one depends on (公章刻制、税务、社保 on 企业设立登记,
    # which gives the company its credit code); listed before it. Its child case is neither decided
    # nor issued before the prerequisite's, and is due no earlier (bundles.services).
    after = models.ForeignKey(
        ServiceItem, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="前置事项"
    )

    class Meta:
        verbose_name = verbose_name_plural = "一件事包含事项"
        ordering = ["bundle", "order"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="bundle_item_unique")]

    def __str__(self):
        return f"{self.bundle} · {self.item}"


class CatalogState(models.Model):
    """One row, bumped whenever a version is published or an item withdrawn, so every process
    knows to rebuild its guided-search index."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "目录版本"

    def __str__(self):
        return f"目录版本 {self.version}"

    @classmethod
    def current(cls) -> int:
        """The catalog's version now (0 before the first change): the processes' caches compare it."""
        return cls.objects.filter(pk=1).values_list("version", flat=True).first() or 0


class UnmatchedQuestion(models.Model):
    """未找到事项的提问: a question the guided search found no item for, normalized and counted
    per hall and channel — the material for the next catalog edit. One row per distinct
    question; asking it again bumps the counter (catalog/unmatched.py). Marked handled once a
    catalog manager has acted on it; asked again afterwards, it is open again."""

    class Channel(models.TextChoices):
        PORTAL = "portal", "网上办事大厅"
        API = "api", "系统对接（APP、小程序）"

    text = models.CharField("提问", max_length=100)
    hall = models.ForeignKey(Hall, models.CASCADE, related_name="+", verbose_name="政务服务中心")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    count = models.PositiveIntegerField("提问次数", default=1)
    first_asked_at = models.DateTimeField("首次提问")
    last_asked_at = models.DateTimeField("最近提问")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    handled_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="处理人"
    )

    class Meta:
        verbose_name = verbose_name_plural = "未找到事项的提问"
        ordering = ["-count", "-last_asked_at"]
        constraints = [
            models.UniqueConstraint(fields=["text", "hall", "channel"], name="unmatched_question_unique"),
        ]
        indexes = [models.Index(fields=["hall", "handled_at", "-count"], name="unmatched_question_open")]

    def __str__(self):
        return self.text
