"""好差评 tables (issue 17): ratings, their rectification, and complaints (投诉)."""

from django.db import models
from django.db.models import Q

from onewindow import pii
from onewindow.accounts.models import Applicant, Department, Hall, User, Window
from onewindow.cases.models import Case
from onewindow.queueing.models import Ticket

# ---- ratings (好差评) ------------------------------------------------------------------------------
# RULES.md "Ratings" (国办发〔2019〕51号, GB/T 39735): five levels, 1–2 bad (差评); one rating per
# case and channel event — on site (一次一评: the window device) and online (一事一评: portal, SMS
# link, QR) once each — and one follow-up rating (追评) after a bad rating's rectification. A rating
# is never deleted: an upheld appeal (申诉复核) sets `excluded`, which the scores and rates read.


class RatingMode(models.TextChoices):
    """Which national indicator set applies: online (网上) or on site (现场)."""

    ONLINE = "online", "网上评价"
    ON_SITE = "on_site", "现场评价"


class RatingChannel(models.TextChoices):
    DEVICE = "device", "窗口评价器"
    PORTAL = "portal", "网上办事大厅"
    SMS = "sms", "短信评价"
    QR = "qr", "二维码评价"
    HOTLINE = "hotline", "12345热线"
    TERMINAL = "terminal", "自助终端"


# The channel decides the mode (one home for it: services and the API read this).
CHANNEL_MODE = {
    RatingChannel.DEVICE: RatingMode.ON_SITE,
    RatingChannel.TERMINAL: RatingMode.ON_SITE,
    RatingChannel.PORTAL: RatingMode.ONLINE,
    RatingChannel.SMS: RatingMode.ONLINE,
    RatingChannel.QR: RatingMode.ONLINE,
    RatingChannel.HOTLINE: RatingMode.ONLINE,
}


class RatingLevel(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASICALLY_SATISFIED = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


BAD_LEVEL_MAX = 2  # levels 1–2 are bad ratings (差评)


class RatingKind(models.TextChoices):
    FIRST = "first", "评价"
    FOLLOW_UP = "follow_up", "追评"


# The national indicators (GB/T 39735) besides the overall level, per mode: (field, label).
INDICATORS = {
    RatingMode.ONLINE: (("efficiency", "办事效率"), ("guide_accuracy", "办事指南准确性"),
                        ("convenience", "办理便捷性"), ("usability", "平台易用性")),
    RatingMode.ON_SITE: (("efficiency", "办事效率"), ("skill", "业务水平"), ("attitude", "服务态度")),
}  # fmt: skip


def _indicator(label: str):
    return models.PositiveSmallIntegerField(label, null=True, blank=True, choices=RatingLevel.choices)


class Rating(models.Model):
    """One citizen's rating of one service: a case (or a queue service: its ticket; or a hotline
    order: its number), whom it counts for (hall, department, window, officer — copied from the
    subject when rated, so figures need no join back), the level and indicators, tags and text."""

    hall = models.ForeignKey(Hall, models.PROTECT, related_name="ratings", verbose_name="政务服务中心")
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="ratings", verbose_name="办理部门"
    )
    window = models.ForeignKey(
        Window, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="窗口"
    )
    officer = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="被评价工作人员"
    )
    case = models.ForeignKey(
        Case, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="办件", db_index=False
    )
    ticket = models.ForeignKey(
        Ticket, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="排队号", db_index=False
    )
    hotline_ref = models.CharField("热线工单编号", max_length=40, blank=True)
    mode = models.CharField("评价方式", max_length=8, choices=RatingMode.choices)
    channel = models.CharField("评价渠道", max_length=10, choices=RatingChannel.choices)
    kind = models.CharField("类别", max_length=10, choices=RatingKind.choices, default=RatingKind.FIRST)
    # 追评: the bad rating whose rectification this follow-up rates.
    follows = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="follow_ups", verbose_name="所追评的评价"
    )
    level = models.PositiveSmallIntegerField("总体评价", choices=RatingLevel.choices)
    is_bad = models.GeneratedField(
        expression=Q(level__lte=BAD_LEVEL_MAX), output_field=models.BooleanField(), db_persist=True,
        verbose_name="差评",
    )  # fmt: skip
    efficiency = _indicator("办事效率")
    guide_accuracy = _indicator("办事指南准确性")
    convenience = _indicator("办理便捷性")
    usability = _indicator("平台易用性")
    skill = _indicator("业务水平")
    attitude = _indicator("服务态度")
    tags = models.JSONField("评价标签", default=list, blank=True)
    text = models.TextField("评价内容", blank=True)
    # The rater: a portal login where known, the applicant, and the phone a callback uses.
    rater_user = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="ratings", verbose_name="评价人账号"
    )
    rater = models.ForeignKey(
        Applicant, models.PROTECT, null=True, blank=True, related_name="ratings", verbose_name="评价人"
    )
    rater_phone = pii.Sealed("评价人电话", max_length=20, blank=True, purpose="rating.rater_phone")
    real_name = models.BooleanField("实名评价", default=False)
    rated_at = models.DateTimeField("评价时间")
    rated_on = models.DateField("评价日期")
    # 申诉复核 upheld: kept, shown, audited — but not counted in any score or rate.
    excluded = models.BooleanField("申诉成立不计分", default=False)
    excluded_at = models.DateTimeField("不计分时间", null=True, blank=True)
    # The head of the audit chain (as on Case): events counted and the last event's hash.
    event_count = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评价"
        ordering = ["-rated_at", "-pk"]
        indexes = [
            models.Index(fields=["hall", "rated_on"], name="rating_hall_day"),
            models.Index(fields=["department", "rated_on"], name="rating_department_day"),
            models.Index(fields=["case"], name="rating_case"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=5), name="rating_level_range"),
            models.CheckConstraint(
                condition=~Q(case=None) | ~Q(ticket=None) | ~Q(hotline_ref=""), name="rating_has_subject"
            ),
            models.CheckConstraint(
                condition=Q(kind="first", follows=None) | (Q(kind="follow_up") & ~Q(follows=None)),
                name="rating_follow_up_follows",
            ),
            # 一事一评 / 一次一评: a case is rated once on site and once online; a queue service once.
            models.UniqueConstraint(fields=["case", "mode"], condition=Q(kind="first") & ~Q(case=None),
                                    name="rating_case_mode_once"),
            models.UniqueConstraint(fields=["ticket"], condition=Q(kind="first") & ~Q(ticket=None),
                                    name="rating_ticket_once"),
            models.UniqueConstraint(fields=["hotline_ref"], condition=Q(kind="first") & ~Q(hotline_ref=""),
                                    name="rating_hotline_once"),
            # One follow-up rating after rectification.
            models.UniqueConstraint(fields=["follows"], condition=Q(kind="follow_up"), name="rating_follow_up_once"),
        ]  # fmt: skip

    def __str__(self):
        return f"评价 {self.pk} {self.get_level_display()}"


class RatingEvent(models.Model):
    """One step in a rating's life (网上留痕): rated, callback, verification, rectification,
    feedback, follow-up, appeal filed and decided; hash-chained per rating (cases.audit's scheme)."""

    rating = models.ForeignKey(
        Rating, models.PROTECT, related_name="events", verbose_name="评价", db_index=False
    )
    seq = models.PositiveIntegerField("序号")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="操作人"
    )
    action = models.CharField("动作", max_length=20)
    reason = models.TextField("理由", blank=True)
    payload = models.JSONField("数据", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "评价事件"
        ordering = ["rating", "seq"]
        constraints = [models.UniqueConstraint(fields=["rating", "seq"], name="rating_event_seq")]

    def __str__(self):
        return f"{self.rating_id}#{self.seq} {self.action}"


class RatingTag(models.Model):
    """A tag the rater may tick (e.g. 「态度好」, 「等候时间长」), configured by hall management."""

    text = models.CharField("标签", max_length=20, unique=True)
    for_bad = models.BooleanField("用于差评", default=False)  # offered with levels 1–2, else with 3–5
    mode = models.CharField(
        "适用评价方式", max_length=8, choices=RatingMode.choices, blank=True
    )  # blank: both
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "评价标签"
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text


class RatingSettings(models.Model):
    """Per hall, *configurable* (RULES.md "Ratings"): the callback limit (1 working day) and the
    rectification-and-feedback limit (5 working days; Dezhou 5, Sichuan 15) of a bad rating, and
    whether a closed case's applicant gets the SMS rating invitation. Without a row the defaults
    in ratings.rectification apply."""

    hall = models.OneToOneField(
        Hall, models.CASCADE, related_name="rating_settings", verbose_name="政务服务中心"
    )
    callback_days = models.PositiveSmallIntegerField("差评回访时限（工作日）", default=1)
    rectify_days = models.PositiveSmallIntegerField("差评整改反馈时限（工作日）", default=5)
    sms_invites = models.BooleanField("办结后短信邀请评价", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "好差评设置"
        constraints = [
            models.CheckConstraint(condition=Q(callback_days__gte=1) & Q(callback_days__lte=10),
                                   name="rating_settings_callback_range"),
            models.CheckConstraint(condition=Q(rectify_days__gte=1) & Q(rectify_days__lte=60),
                                   name="rating_settings_rectify_range"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.hall}好差评设置"


class RatingDevice(models.Model):
    """A window's rating device (评价器: a tablet facing the citizen). Paired once by opening its
    pairing link (the key is shown once to the admin, stored only as a SHA-256 hash)."""

    window = models.ForeignKey(Window, models.PROTECT, related_name="rating_devices", verbose_name="窗口")
    name = models.CharField("设备名称", max_length=60)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField("密钥前缀", max_length=8, editable=False)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("登记时间")
    last_seen_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "窗口评价器"
        ordering = ["window", "pk"]

    def __str__(self):
        return f"{self.window} {self.name}"


class RatingInvite(models.Model):
    """The SMS invitation of a closed case (一事一评): a one-time token, stored as its SHA-256
    hash; used once (used_at) — a replayed link is refused."""

    case = models.OneToOneField(Case, models.PROTECT, related_name="+", verbose_name="办件")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("失效时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    rating = models.OneToOneField(Rating, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name="评价")  # fmt: skip

    class Meta:
        verbose_name = verbose_name_plural = "短信评价邀请"

    def __str__(self):
        return f"{self.case_id} 邀请"


# ---- the bad-rating loop (差评整改) ---------------------------------------------------------------


class RectificationStatus(models.TextChoices):
    CALLBACK = "callback", "待回访"
    VERIFYING = "verifying", "待核实"
    RECTIFYING = "rectifying", "整改中"
    APPEALED = "appealed", "申诉复核中"
    FED_BACK = "fed_back", "已反馈"
    CLOSED = "closed", "已办结"


class VerificationFinding(models.TextChoices):
    VALID = "valid", "情况属实"
    PARTLY = "partly", "部分属实"
    MISTAKEN = "mistaken", "误评"
    MALICIOUS = "malicious", "恶意差评"


class Rectification(models.Model):
    """差评整改: opened by a bad rating, assigned to the handling department. Steps and limits
    (RULES.md "Ratings", *configurable* per hall in RatingSettings, working days from the rating
    day, not counted): callback (回访) within callback_days; verification (核实); rectification
    and feedback (整改、反馈) within rectify_days; then the rater's follow-up rating (追评)."""

    rating = models.OneToOneField(Rating, models.PROTECT, related_name="rectification", verbose_name="差评")
    hall = models.ForeignKey(Hall, models.PROTECT, related_name="+", verbose_name="政务服务中心")
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="整改部门"
    )
    status = models.CharField(
        "状态", max_length=12, choices=RectificationStatus.choices, default=RectificationStatus.CALLBACK
    )
    opened_at = models.DateTimeField("开始时间")
    callback_due_seq = models.IntegerField("回访到期工作日序号")
    callback_due_on = models.DateField("回访期限")
    called_back_at = models.DateTimeField("回访时间", null=True, blank=True)
    called_back_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+",
                                       verbose_name="回访人")  # fmt: skip
    callback_reached = models.BooleanField("联系上评价人", null=True, blank=True)
    callback_note = models.TextField("回访记录", blank=True)
    callback_on_time = models.BooleanField("按期回访", null=True, blank=True)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    finding = models.CharField("核实结果", max_length=10, choices=VerificationFinding.choices, blank=True)
    verification_note = models.TextField("核实情况", blank=True)
    rectify_due_seq = models.IntegerField("整改到期工作日序号")
    rectify_due_on = models.DateField("整改反馈期限")
    measures = models.TextField("整改措施", blank=True)
    rectified_at = models.DateTimeField("整改时间", null=True, blank=True)
    feedback = models.TextField("反馈内容", blank=True)
    fed_back_at = models.DateTimeField("反馈时间", null=True, blank=True)
    fed_back_on_time = models.BooleanField("按期反馈", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "差评整改"
        ordering = ["-opened_at", "-pk"]
        indexes = [
            # The overdue lists and the supervision watch: waiting for the callback, by due_seq;
            # waiting for rectification and feedback, by due_seq.
            models.Index(fields=["callback_due_seq"], condition=Q(status="callback"),
                         name="rectification_callback_due"),
            models.Index(fields=["rectify_due_seq"], condition=Q(status__in=["callback", "verifying", "rectifying"]),
                         name="rectification_rectify_due"),
            models.Index(fields=["department", "status"], name="rectification_department"),
        ]  # fmt: skip

    def __str__(self):
        return f"差评整改 {self.rating_id}"


class AppealGround(models.TextChoices):
    MISTAKEN = "mistaken", "误评"
    MALICIOUS = "malicious", "恶意差评"


class AppealStatus(models.TextChoices):
    PENDING = "pending", "待复核"
    UPHELD = "upheld", "申诉成立"
    REJECTED = "rejected", "申诉不成立"


class Appeal(models.Model):
    """申诉复核: the department asks hall management to find a bad rating mistaken or malicious.
    Upheld: the rating is excluded from scores and rates (Rating.excluded) — never deleted."""

    rating = models.OneToOneField(Rating, models.PROTECT, related_name="appeal", verbose_name="差评")
    ground = models.CharField("申诉理由类型", max_length=10, choices=AppealGround.choices)
    reason = models.TextField("申诉理由")
    filed_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="申诉人")
    filed_at = models.DateTimeField("申诉时间")
    status = models.CharField(
        "状态", max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    decided_by = models.ForeignKey(User, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name="复核人")  # fmt: skip
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    decision_reason = models.TextField("复核意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "差评申诉"
        ordering = ["-filed_at"]

    def __str__(self):
        return f"申诉 {self.rating_id} {self.get_status_display()}"


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
    phone = pii.Sealed("联系电话", max_length=20, blank=True, purpose="complaint.phone")
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
