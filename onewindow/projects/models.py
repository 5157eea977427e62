"""Investment projects approved stage by stage (GLOSSARY.md "Parallel approval"; RULES.md
"Parallel approval"): the lifelong project code, the stages copied from the hall's templates,
the co-reviewers' opinions with silent consent, joint meetings and the project's agent."""

from django.db import models
from django.db.models import Q

from onewindow.accounts.models import Applicant, Department, Hall, Region, User
from onewindow.catalog.models import ServiceItem
from onewindow.projects import industries


class ApprovalType(models.TextChoices):
    # 审批: government-invested projects (项目建议书、可行性研究报告、初步设计).
    APPROVAL = "approval", "审批"
    # 核准: enterprise projects on the government's list of projects to be ratified.
    RATIFICATION = "ratification", "核准"
    # 备案: every other enterprise project.
    FILING = "filing", "备案"


class Path(models.TextChoices):
    # 立项用地规划许可 → 工程建设许可 → 施工许可 → 竣工验收.
    STANDARD = "standard", "标准流程"
    # Land sold with a design scheme (带方案出让用地): stages 1 and 2 merged into one.
    MERGED = "merged", "带方案出让用地（立项用地规划许可与工程建设许可合并）"


class StageTemplate(models.Model):
    """One stage as a hall configures it (RULES.md: *stage limits configurable*). A project
    copies its hall's templates of its path when registered, so a later change of the
    templates never moves a running project's limits."""

    hall = models.ForeignKey(
        Hall, models.PROTECT, related_name="stage_templates", verbose_name="政务服务中心"
    )
    path = models.CharField("审批流程", max_length=10, choices=Path.choices, default=Path.STANDARD)
    order = models.PositiveSmallIntegerField("阶段序号")
    name = models.CharField("阶段名称", max_length=40)
    lead_department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="牵头部门")
    items = models.ManyToManyField(
        ServiceItem,
        blank=True,
        related_name="+",
        verbose_name="阶段事项",
        help_text="牵头部门的事项在阶段受理时生成办件（带项目代码）；其他部门的事项由其以并联意见审查。",
    )
    limit_days = models.PositiveSmallIntegerField("阶段时限（工作日）")

    class Meta:
        verbose_name = verbose_name_plural = "审批阶段模板"
        ordering = ["hall", "path", "order"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "path", "order"], name="stage_template_order_unique"),
            models.CheckConstraint(condition=Q(limit_days__gte=1), name="stage_template_limit_positive"),
        ]

    def __str__(self):
        return f"{self.get_path_display()} {self.order}. {self.name}"


class StageTemplateReviewer(models.Model):
    """A co-reviewing department of a stage and its limit (≤ the stage's limit)."""

    template = models.ForeignKey(StageTemplate, models.CASCADE, related_name="reviewers", verbose_name="阶段")
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="并联审查部门")
    limit_days = models.PositiveSmallIntegerField("意见时限（工作日）")

    class Meta:
        verbose_name = verbose_name_plural = "并联审查部门"
        ordering = ["template", "department"]
        constraints = [
            models.UniqueConstraint(fields=["template", "department"], name="stage_reviewer_unique"),
            models.CheckConstraint(condition=Q(limit_days__gte=1), name="stage_reviewer_limit_positive"),
        ]

    def __str__(self):
        return f"{self.department}（{self.limit_days}个工作日）"


class Project(models.Model):
    """建设项目 with its lifelong 24-character project code (「一号」, see codes.py)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "审批中"  # some stage is not closed yet
        COMPLETED = "completed", "已完成"  # every stage closed

    code = models.CharField("项目代码", max_length=24, unique=True)
    name = models.CharField("项目名称", max_length=100)
    owner = models.ForeignKey(Applicant, models.PROTECT, related_name="projects", verbose_name="项目单位")
    region = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name="建设地点")
    hall = models.ForeignKey(Hall, models.PROTECT, related_name="projects", verbose_name="审批中心")
    investment_fen = models.PositiveBigIntegerField("总投资（分）")
    industry = models.CharField("国民经济行业", max_length=2, choices=industries.CHOICES)
    approval_type = models.CharField("管理类型", max_length=12, choices=ApprovalType.choices)
    government_invested = models.BooleanField("政府投资项目", default=False)
    key_project = models.BooleanField("重点项目", default=False)
    merged_path = models.BooleanField("带方案出让用地", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    promised_days = models.PositiveSmallIntegerField("承诺总时限（工作日）")
    agent = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="agent_projects", verbose_name="代办员"
    )
    registered_at = models.DateTimeField("赋码时间")
    registered_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="登记人")
    completed_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "建设项目"
        ordering = ["-registered_at"]
        indexes = [
            models.Index(fields=["key_project", "status"], name="project_board"),
            models.Index(fields=["owner", "-registered_at"], name="project_owner"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def investment_wan(self) -> str:
        """万元 with two decimals, as project forms write it (1 万元 = 1,000,000 分)."""
        yuan, fen = divmod(self.investment_fen, 100)
        wan, rest = divmod(yuan, 10_000)
        return f"{wan}.{rest // 100:02d}"


class Stage(models.Model):
    """阶段 of one project: accepted once by the lead department, reviewed in parallel by the
    co-reviewers, closed by the lead department when every opinion is in (RULES.md)."""

    class Status(models.TextChoices):
        WAITING = "waiting", "未开始"  # an earlier stage is still open
        OPEN = "open", "待申报"  # the previous stage closed (or this is the first)
        APPLIED = "applied", "已申报"  # the owner (or agent) handed in the one form online
        IN_REVIEW = "in_review", "并联审查中"  # accepted: the stage's clock runs
        CLOSED = "closed", "已办结"

    project = models.ForeignKey(Project, models.CASCADE, related_name="stages", verbose_name="项目")
    order = models.PositiveSmallIntegerField("阶段序号")
    name = models.CharField("阶段名称", max_length=40)
    lead_department = models.ForeignKey(
        Department, models.PROTECT, related_name="led_stages", verbose_name="牵头部门"
    )
    item_codes = models.JSONField("阶段事项", default=list, blank=True)
    limit_days = models.PositiveSmallIntegerField("阶段时限（工作日）")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.WAITING)
    form_data = models.JSONField("申报表", default=dict, blank=True)
    applied_at = models.DateTimeField("申报时间", null=True, blank=True)
    applied_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="申报人"
    )
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    accepted_seq = models.IntegerField("受理日工作日序号", null=True, blank=True)
    due_seq = models.IntegerField("到期工作日序号", null=True, blank=True)
    due_on = models.DateField("阶段期限", null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="受理人"
    )
    closed_on = models.DateField("办结日期", null=True, blank=True)
    closed_seq = models.IntegerField("办结日工作日序号", null=True, blank=True)
    closed_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="办结人"
    )
    conclusion = models.TextField("阶段办结意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "项目阶段"
        ordering = ["project", "order"]
        constraints = [models.UniqueConstraint(fields=["project", "order"], name="stage_order_unique")]
        indexes = [models.Index(fields=["lead_department", "status"], name="stage_lead_status")]

    def __str__(self):
        return f"{self.order}. {self.name}"


class Opinion(models.Model):
    """The opinion of one co-reviewing department on one stage. Created with the project (so a
    simulated opinion can be given before the stage exists legally), due once the stage is
    accepted: due_seq = the stage's acceptance ordinal + the department's limit."""

    class State(models.TextChoices):
        PENDING = "pending", "待提出"
        # 模拟审批: given before the legal preconditions exist; counts once confirmed.
        SIMULATED = "simulated", "模拟审批待确认"
        GIVEN = "given", "已提出"
        # 超时默认: no formal opinion at the limit; recorded as agreeing, against the department.
        SILENT = "silent", "超时默认同意"
        # 缺席默认 (Dezhou): absent from the joint meeting the lead recorded; taken as agreeing.
        ABSENT = "absent", "缺席默认同意"

    # Still owed by the department: what the silent-consent job and the inboxes look for.
    OWED = (State.PENDING, State.SIMULATED)

    class Kind(models.TextChoices):
        AGREE = "agree", "同意"
        AGREE_WITH_CONDITIONS = "agree_with_conditions", "有条件同意"
        DISAGREE = "disagree", "不同意"

    stage = models.ForeignKey(Stage, models.CASCADE, related_name="opinions", verbose_name="阶段")
    project = models.ForeignKey(Project, models.CASCADE, related_name="+", verbose_name="项目")
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="并联审查部门")
    limit_days = models.PositiveSmallIntegerField("意见时限（工作日）")
    due_seq = models.IntegerField("到期工作日序号", null=True, blank=True)
    due_on = models.DateField("意见期限", null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    kind = models.CharField("意见", max_length=24, choices=Kind.choices, blank=True)
    reasons = models.TextField("不同意理由", blank=True)
    conditions = models.TextField("同意条件", blank=True)
    simulated = models.BooleanField("模拟审批", default=False)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    given_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="提出人"
    )
    given_at = models.DateTimeField("提出时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "并联审查意见"
        ordering = ["stage", "department"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "department"], name="opinion_unique"),
            # RULES.md "Silent consent": "disagree" without reasons is not an opinion at all.
            models.CheckConstraint(condition=~Q(kind="disagree", reasons=""), name="disagree_has_reasons"),
        ]
        indexes = [
            # The silent-consent job and the inboxes: opinions still owed, by deadline.
            models.Index(
                fields=["due_seq"], condition=Q(state__in=["pending", "simulated"]), name="opinion_owed"
            ),
            models.Index(fields=["department", "state", "due_seq"], name="opinion_inbox"),
        ]

    def __str__(self):
        return f"{self.department} · {self.get_state_display()}"

    @property
    def is_in(self) -> bool:
        """A formal opinion is in: given (or confirmed), or taken as consent."""
        return self.state in (self.State.GIVEN, self.State.SILENT, self.State.ABSENT)

    @property
    def is_taken(self) -> bool:
        """Taken as agreeing (超时默认 or 缺席默认): the department may give no opinion any more."""
        return self.state in (self.State.SILENT, self.State.ABSENT)


class SilentConsent(models.Model):
    """超时默认: the record against a department that gave no opinion by its limit (RULES.md
    "Silent consent"). Written by jobs.apply_silent_consent; supervision counts these. 缺席默认
    (Dezhou) is recorded here too, `cause` absent with its meeting (meetings.record_meeting_held)."""

    class Cause(models.TextChoices):
        OVERDUE = "overdue", "超时默认"
        ABSENT = "absent", "缺席默认"

    opinion = models.OneToOneField(
        Opinion, models.PROTECT, related_name="silent_consent", verbose_name="意见"
    )
    project = models.ForeignKey(Project, models.PROTECT, related_name="silent_consents", verbose_name="项目")
    stage = models.ForeignKey(Stage, models.PROTECT, related_name="+", verbose_name="阶段")
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="silent_consents", verbose_name="部门"
    )
    due_on = models.DateField("意见期限")
    recorded_on = models.DateField("记录日期")
    recorded_at = models.DateTimeField("记录时间")
    # A database default: the silent-consent job writes its rows with INSERT … SELECT.
    cause = models.CharField(
        "原因", max_length=8, choices=Cause.choices, default=Cause.OVERDUE, db_default="overdue"
    )
    meeting = models.ForeignKey(
        "JointMeeting",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="未出席的会商",
        db_index=False,
    )

    class Meta:
        verbose_name = verbose_name_plural = "超时默认记录"
        ordering = ["-recorded_at", "pk"]
        indexes = [models.Index(fields=["department", "recorded_on"], name="silent_consent_department")]

    def __str__(self):
        return f"{self.department} {self.recorded_on}"


class ProjectEvent(models.Model):
    """The project's timeline: who did what to which stage, when (网上留痕)."""

    project = models.ForeignKey(Project, models.PROTECT, related_name="events", verbose_name="项目")
    stage = models.ForeignKey(
        Stage, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="阶段"
    )
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="部门"
    )
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="操作人"
    )
    action = models.CharField("动作", max_length=32)
    detail = models.TextField("说明", blank=True)
    payload = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "项目留痕"
        ordering = ["project", "at", "pk"]
        indexes = [models.Index(fields=["project", "at"], name="project_event_time")]

    def __str__(self):
        return f"{self.project_id} {self.action}"


class JointMeeting(models.Model):
    """联合踏勘 / 联合图审 / 联合验收: one meeting of the invited departments instead of a visit each."""

    class Kind(models.TextChoices):
        JOINT_SURVEY = "joint_survey", "联合踏勘"
        JOINT_DRAWING_REVIEW = "joint_drawing_review", "联合图审"
        JOINT_ACCEPTANCE = "joint_acceptance", "联合验收"

    stage = models.ForeignKey(Stage, models.PROTECT, related_name="meetings", verbose_name="阶段")
    kind = models.CharField("类型", max_length=24, choices=Kind.choices)
    on = models.DateField("日期")
    place = models.CharField("地点", max_length=200)
    scheduled_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="召集人")
    scheduled_at = models.DateTimeField("召集时间")
    # The lead's record of the meeting held, with who came (meetings.record_meeting_held).
    held_recorded_by = models.ForeignKey(
        User,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="举行情况记录人",
        db_index=False,
    )
    held_recorded_at = models.DateTimeField("举行情况记录时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "联合会商"
        ordering = ["stage", "on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.on}"


class MeetingAttendance(models.Model):
    """An invited department's attendance and opinion at a joint meeting."""

    meeting = models.ForeignKey(JointMeeting, models.CASCADE, related_name="attendances", verbose_name="会商")
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="受邀部门")
    attended = models.BooleanField("到场", null=True, blank=True)  # None: not recorded yet
    opinion = models.TextField("会商意见", blank=True)
    recorded_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "会商出席"
        ordering = ["meeting", "department"]
        constraints = [models.UniqueConstraint(fields=["meeting", "department"], name="attendance_unique")]

    def __str__(self):
        return f"{self.department} {self.attended}"


class Authorisation(models.Model):
    """The owner's written authorisation of the project's agent (代办委托): for one stage or for
    all of them, until a date. Without a valid one the agent does not act for the owner."""

    project = models.ForeignKey(Project, models.PROTECT, related_name="authorisations", verbose_name="项目")
    agent = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="代办员")
    # The scope: one stage, or every stage of the project when empty.
    stage = models.ForeignKey(
        Stage, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="委托阶段"
    )
    valid_until = models.DateField("有效期至")
    recorded_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="委托人")
    recorded_at = models.DateTimeField("委托时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "代办委托"
        ordering = ["project", "-recorded_at"]

    def __str__(self):
        return f"{self.scope_display} 至 {self.valid_until}"

    @property
    def scope_display(self) -> str:
        return f"第{self.stage.order}阶段 {self.stage.name}" if self.stage_id else "全部审批阶段"
