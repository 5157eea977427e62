"""Who the people and organisations of the hall are (GLOSSARY.md "Places and people")."""

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q

from onewindow import clock, pii


class User(AbstractUser):
    """A login. Staff and applicants are profiles of it; one person may be both."""

    display_name = models.CharField("姓名", max_length=50, blank=True)

    def __str__(self):
        return self.display_name or self.username

    def get_short_name(self):
        # The admin greets with get_short_name; AbstractUser's is first_name, which the hall
        # never fills, so the admin fell back to the login name (「欢迎，ADMIN」).
        return self.display_name or self.username


class Region(models.Model):
    """行政区划: the 省/市/县/乡镇/村 tree keyed by the 12-digit statistical code."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, "省"
        CITY = 2, "市"
        COUNTY = 3, "县（区）"
        TOWN = 4, "乡镇（街道）"
        VILLAGE = 5, "村（社区）"

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=60)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级区划"
    )

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(level__gt=1), name="region_root_is_top"
            ),
        ]

    def __str__(self):
        return self.name


def city_code(region_code: str) -> str:
    """The 市 a region belongs to, by its statistical code (统计用区划代码, GB/T 2260 at the top):
    2 digits of province, 2 of city, 2 of county, 3 of town, 3 of village — so the first four
    digits name the city and a hall's city is known without walking the tree. A province's own
    code (xx0000000000) is its own "city": a province-level hall is no hall of any one city."""
    return region_code[:4].ljust(12, "0")


class Department(models.Model):
    """进驻部门: an agency of a level of government with items in a hall."""

    code = models.CharField("部门编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    short_name = models.CharField("简称", max_length=20, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="departments", verbose_name="所属区划")
    phone = models.CharField("咨询电话", max_length=30, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Hall(models.Model):
    """政务服务中心: a physical center (city hall, county hall, town service center)."""

    class Kind(models.TextChoices):
        CITY = "city", "市级政务服务中心"
        COUNTY = "county", "县（区）级政务服务中心"
        TOWN = "town", "乡镇（街道）便民服务中心"
        VILLAGE = "village", "村（社区）便民服务站"

    code = models.CharField("中心编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=80)
    # 机关代字: the hall's part of its notices' numbers (文号), e.g. 德政服 in 德政服受字〔2026〕第0023号
    # (documents.notices); blank, the full name stands in.
    short_name = models.CharField(
        "文号代字",
        max_length=20,
        blank=True,
        help_text="文书编号的机关代字，如“德政服”（德政服受字〔2026〕第0023号）",
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    region = models.ForeignKey(Region, models.PROTECT, related_name="halls", verbose_name="所在区划")
    address = models.CharField("地址", max_length=200, blank=True)
    hours = models.CharField("办公时间", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=30, blank=True)
    departments = models.ManyToManyField(
        Department, related_name="halls", blank=True, verbose_name="进驻部门"
    )

    class Meta:
        verbose_name = verbose_name_plural = "政务服务中心"
        ordering = ["code"]

    def __str__(self):
        return self.name


class HallOpeningHours(models.Model):
    """One opening period of a hall on a weekday: the kiosk issues walk-in tickets only inside
    one (booked appointments check in by their slots). A weekday may have several periods
    (morning, afternoon); a weekday without any is closed. Which weekday's periods apply on a
    date (statutory holidays, 调休 weekend days) is the queue's rule (queueing.hours)."""

    WEEKDAYS = [(i, f"周{'一二三四五六日'[i]}") for i in range(7)]

    hall = models.ForeignKey(Hall, models.CASCADE, related_name="opening_hours", verbose_name="政务服务中心")
    weekday = models.PositiveSmallIntegerField("星期", choices=WEEKDAYS)
    opens = models.TimeField("开始")
    closes = models.TimeField("结束")

    class Meta:
        verbose_name = verbose_name_plural = "办公时间"
        ordering = ["hall", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=F("closes")), name="opening_hours_opens_before_closes"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Window(models.Model):
    """窗口: a counter of a hall; serves some stationed departments, or all (综合窗口)."""

    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", "综合受理窗口"
        DEPARTMENTAL = "departmental", "部门窗口"

    hall = models.ForeignKey(Hall, models.PROTECT, related_name="windows", verbose_name="政务服务中心")
    number = models.CharField("窗口号", max_length=10)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=15, choices=Kind.choices)
    departments = models.ManyToManyField(
        Department, related_name="windows", blank=True, verbose_name="服务部门"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "窗口"
        ordering = ["hall", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="window_number_unique_in_hall")
        ]

    def __str__(self):
        return f"{self.number}号窗口 {self.name}"


class Role(models.TextChoices):
    # 窗口受理人员: registers and decides intake at a window, for any item of the hall.
    CLERK = "clerk", "窗口受理人员"
    # 部门审查人员: reviews the cases of their own department.
    REVIEWER = "reviewer", "部门审查人员"
    # 部门负责人 / 首席代表: decides, approves extensions; receives escalations.
    DEPARTMENT_HEAD = "department_head", "部门负责人"
    # 管理办 supervisor: watches every case of the hall (电子监察).
    SUPERVISOR = "supervisor", "大厅监督人员"
    # 管理办 admin: configures the hall, its windows, staff, catalog and calendar.
    HALL_ADMIN = "hall_admin", "大厅管理员"
    # 12345 热线话务员.
    HOTLINE_OPERATOR = "hotline_operator", "热线话务员"
    # 代办员 / 帮办: carries investment projects through their approvals.
    AGENT = "agent", "项目代办员"
    # 财务审核人员: checks the payment notices a department issues (统一收费).
    FINANCE = "finance", "财务审核人员"
    # 银行收费窗口: marks payment notices paid at the hall's bank window.
    BANK_TELLER = "bank_teller", "银行收费窗口"
    # 公共资源交易中心: registers trading projects, opens bids, draws experts (issue 20).
    TRADING_OFFICER = "trading_officer", "公共资源交易中心工作人员"


# Roles that act for one department only; the others act for the whole hall.
DEPARTMENT_ROLES = frozenset({Role.REVIEWER, Role.DEPARTMENT_HEAD})


class Staff(models.Model):
    """A person working in a hall, with one role, acting inside their hall/department scope."""

    user = models.OneToOneField(User, models.CASCADE, related_name="staff", verbose_name="登录账号")
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    hall = models.ForeignKey(Hall, models.PROTECT, related_name="staff", verbose_name="政务服务中心")
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="staff", verbose_name="所属部门"
    )
    windows = models.ManyToManyField(Window, related_name="staff", blank=True, verbose_name="所在窗口")
    # 当前窗口: the one of `windows` the clerk stands at now — where an intake they answer is
    # recorded (Case.window). Set by accounts.services (take_window: calling a ticket there, or
    # the clerk's own choice; assign_windows: the only window of a clerk with one). A column of
    # the staff row, which every request loads already: intake reads it without a query.
    at_window = models.ForeignKey(
        Window, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="当前窗口"
    )
    phone = pii.Sealed("联系电话", max_length=20, blank=True, purpose="staff.phone")
    # 亮证亮牌: the photo the window's rating device shows beside the clerk's name (issue 17).
    photo = models.ImageField("照片", upload_to="staff/photos/", blank=True)
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员"
        ordering = ["hall", "department", "name"]

    def __str__(self):
        return f"{self.name}（{self.get_role_display()}）"


class Applicant(models.Model):
    """申请人: a natural person (自然人) or a legal person (法人)."""

    class Kind(models.TextChoices):
        NATURAL = "natural", "自然人"
        LEGAL = "legal", "法人"

    # Public reference for URLs (API.md: never database ids, never personal data in a URL).
    ref = models.CharField("编号", max_length=16, unique=True, editable=False)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("姓名/名称", max_length=100)
    # Encrypted at rest, found by their digests (onewindow/pii.py; decision 47).
    id_number = pii.Sealed("身份证号码", max_length=18, blank=True, purpose="applicant.id_number")
    id_number_digest = pii.Digest(source="id_number", kind="id_number")
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    phone = pii.Sealed("联系电话", max_length=20, blank=True, purpose="applicant.phone")
    address = models.CharField("地址", max_length=200, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="applicants", verbose_name="所在区划")
    user = models.OneToOneField(
        User, models.SET_NULL, null=True, blank=True, related_name="applicant", verbose_name="网上办事账号"
    )
    created_at = models.DateTimeField("登记时间", default=clock.now, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "申请人"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"], condition=Q(kind="natural"), name="applicant_id_unique"
            ),
            models.UniqueConstraint(
                fields=["credit_code"], condition=Q(kind="legal"), name="applicant_credit_code_unique"
            ),
            models.CheckConstraint(
                condition=(Q(kind="natural") & ~Q(id_number_digest=""))
                | (Q(kind="legal") & ~Q(credit_code="")),
                name="applicant_has_identifier",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.ref:
            self.ref = new_ref("P")
        super().save(*args, **kwargs)


def new_ref(prefix: str) -> str:
    return prefix + secrets.token_hex(6).upper()


class PersonalDataRead(models.Model):
    """Every read of an unmasked ID number or phone (ARCHITECTURE.md "Personal data")."""

    at = models.DateTimeField("时间", default=clock.now, editable=False, db_index=True)
    user = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="查看人")
    applicant = models.ForeignKey(Applicant, models.PROTECT, related_name="reads", verbose_name="申请人")
    fields = models.CharField("查看字段", max_length=100)
    purpose = models.CharField("用途", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "个人信息查看记录"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} 查看 {self.applicant}（{self.purpose}）"


class ApiToken(models.Model):
    """A bearer token of a person or a registered system (API.md "Authentication").

    Only the SHA-256 of the secret is stored; the secret is shown once when issued.
    """

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens", verbose_name="所属账号")
    name = models.CharField("用途说明", max_length=100)
    prefix = models.CharField("前缀", max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", default=clock.now, editable=False)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… {self.name}"


class IdempotentRequest(models.Model):
    """The first answer to a POST sent with an Idempotency-Key (API.md "Retries"), kept so a
    retry returns it instead of creating the thing twice. Stored in the same transaction as
    the change itself: either both exist or neither."""

    owner = models.CharField("调用方", max_length=40)  # "user:<id>" of the session or token
    key = models.CharField("幂等键", max_length=100)
    path = models.CharField("路径", max_length=300)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField("状态码")
    response = models.BinaryField("应答")
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField("时间", default=clock.now, editable=False, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "幂等请求"
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotent_request_unique")]

    def __str__(self):
        return f"{self.owner} {self.key}"


class SignupCode(models.Model):
    """注册验证码: one SMS code of an online sign-up, and the sign-up it confirms (issue 15 item 4;
    docs/decisions/0024-claiming-a-window-record.md). Every sign-up of an applicant goes through
    one, whether the ID number is new or on file, so the page cannot tell a stranger which: the
    code goes to the phone typed (a new applicant) or to the phone on file (认领, claiming the
    record a window registered). Only a keyed hash of the code is kept; the password as Django's
    hash. Rows are also the count behind the daily sending limits, per identifier and per IP."""

    class Route(models.TextChoices):
        NEW = "new", "新申请人（验证码发往填写的手机）"
        CLAIM = "claim", "认领窗口登记信息（验证码发往登记的手机）"
        # No code was sent: the record already has a portal login (its owner is told by SMS), or
        # it has no mobile phone on file (the owner must update it at a window).
        LINKED = "linked", "已绑定网上账号（未发送验证码）"
        NO_PHONE = "no_phone", "登记信息无手机（未发送验证码）"

    ref = models.CharField("编号", max_length=32, unique=True, editable=False)
    kind = models.CharField("申请人类型", max_length=10, choices=Applicant.Kind.choices)
    id_number = pii.Sealed("身份证号码", max_length=18, blank=True, purpose="signup.id_number")
    id_number_digest = pii.Digest(source="id_number", kind="id_number")
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    name = models.CharField("填写的姓名/名称", max_length=100)
    phone = pii.Sealed("填写的手机号码", max_length=20, purpose="signup.phone")
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name="所在区划")
    username = models.CharField("登录名", max_length=150)
    password = models.CharField("密码（哈希）", max_length=128)
    route = models.CharField("去向", max_length=10, choices=Route.choices)
    applicant = models.ForeignKey(
        Applicant, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="已登记的申请人"
    )
    sent_to = pii.Sealed("验证码发往", max_length=20, blank=True, purpose="signup.sent_to")
    code_hash = models.CharField(max_length=64)
    ip = models.CharField("来源地址", max_length=45)
    created_at = models.DateTimeField("获取时间", default=clock.now, editable=False)
    expires_at = models.DateTimeField("失效时间")
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    user = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="注册的账号"
    )

    class Meta:
        verbose_name = verbose_name_plural = "注册验证码"
        ordering = ["-created_at"]
        indexes = [
            # The daily limits: codes of one identifier, codes of one address, since midnight.
            models.Index(fields=["id_number", "created_at"], name="signup_code_id_number"),
            models.Index(fields=["credit_code", "created_at"], name="signup_code_credit_code"),
            models.Index(fields=["ip", "created_at"], name="signup_code_ip"),
        ]

    def __str__(self):
        return f"{self.get_route_display()} {self.created_at:%Y-%m-%d %H:%M}"
