"""What the supervisor watches (电子监察, issue 16 item 1): every clock of the hall, each kind a
queryset with the ONE light of RULES.md "Supervision" (cases.clock_rules: red when overdue,
yellow when the working days left are ≤ the hall's threshold of the limit) computed in SQL over
a (due_seq, limit_days) pair — never a loop over the rows.

Kinds: cases (the case light itself, paused clocks frozen), online pre-review (行政许可法 art. 32:
5 working days from intake_from), project stages and co-reviews (their due_seq), tolerant-
acceptance promises (the promised date as a working-day ordinal), commitment verifications
(due_seq) and deliveries (art. 44: 10 working days after the decision); and the citizen's
side (issue 17, RULES.md "Ratings"): bad ratings waiting for the callback, their rectification
waiting for the feedback (the limits of the hall's RatingSettings), complaints waiting for the
answer (Complaint.answer_days); and the 12345 work orders waiting for the lead department's
reply (WorkOrder.handle_days, scoped by the lead department); the intermediary market's
contracts waiting for the agency's delivery (Contract.days, hall management's). A deadline that is a
date is compared as its working-day ordinal (calendar.seq; a rest day counts as the working day
before it), so a promise for a Saturday turns red on Monday, not on Sunday.

Scope (the same for every kind): a department head sees their department's; hall management
the rows received at their hall OR decided by a department whose deciding hall is theirs
(同城通办, decision 25: cases.permits.deciding_halls); a superuser every hall."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case as Choose
from django.db.models import CharField, Count, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, TruncDate

from onewindow import clock
from onewindow.accounts.models import DEPARTMENT_ROLES, User
from onewindow.accounts.queries import staff_of
from onewindow.cases import clock_rules, permits, pre_review, tolerance
from onewindow.cases.after_decision import DELIVERY_DAYS
from onewindow.cases.models import OPEN_STATUSES, Case, Channel, CommitmentCheck, Light, Status
from onewindow.hotline.models import ORDER_OPEN, WorkOrder
from onewindow.licenses import queries as licenses
from onewindow.market.models import Contract
from onewindow.projects import queries as projects
from onewindow.projects.models import Opinion, Project, Stage
from onewindow.ratings import rectification_queries as rectifications
from onewindow.ratings.models import COMPLAINT_AWAITING_ANSWER, Complaint, Rectification
from onewindow.workdays import calendar
from onewindow.workdays import queries as workdays

# ---- scope ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose rows a watcher sees. `hall_id` None and `department_id` None: every hall."""

    hall_id: int | None = None
    deciding: tuple[int, ...] = ()  # departments whose deciding hall is hall_id
    department_id: int | None = None
    nothing: bool = False

    def q(self, hall: str, department: str) -> Q:
        """The filter on a kind whose receiving (or owning) hall is `hall` and whose department
        is `department` (field paths)."""
        if self.nothing:
            return Q(pk__in=[])
        if self.department_id is not None:
            return Q(**{department: self.department_id})
        if self.hall_id is None:
            return Q()
        return Q(**{hall: self.hall_id}) | Q(**{f"{department}__in": self.deciding})

    def opens(self, hall_id: int) -> bool:
        """Whether the watcher may open the row's case or project page: the pages keep their own
        scope (cases.transitions.scope_of: a hall's staff open the cases received there), so a
        row decided here but received at another hall is listed without a link."""
        return self.hall_id is None or self.department_id is not None or hall_id == self.hall_id


def scope_for(user: User) -> Scope:
    if user.is_superuser:
        return Scope()
    staff = staff_of(user)
    if staff is None:
        return Scope(nothing=True)
    if staff.role in DEPARTMENT_ROLES:
        return Scope(department_id=staff.department_id)
    stationed = staff.hall.departments.values_list("pk", flat=True)
    deciding = permits.deciding_halls(stationed)  # one query over the stationing, not the cases
    return Scope(
        hall_id=staff.hall_id, deciding=tuple(sorted(d for d, h in deciding.items() if h.pk == staff.hall_id))
    )


# ---- the kinds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    # "case" (cases:case by number), "project" (projects:project by code), "rating" (the bad
    # rating's rectification page by the rating's id), "complaint" (by number), "hotline" (the
    # work order by number) or "market" (the contract page by the purchase's number)
    link: str
    hall: str  # the field of the hall whose thresholds apply and that scopes the rows
    department: str  # the field of the department answering for the clock
    rows: Callable[[], QuerySet]  # the open items (clock running)
    # (due_seq, limit_days, due_on) expressions; due_on may read the annotation w_due_seq.
    clock: Callable[[], tuple]
    fields: dict  # w_number, w_what, w_extra, w_department
    # The rows' light: (rows annotated with w_due_seq and w_limit, today) → rows annotated with
    # `light`. Default: clock_rules' deadline light over (w_due_seq, w_limit, the kind's hall).
    lighted: Callable[["Kind", QuerySet, dt.date], QuerySet] | None = None
    # Which of the open rows the kind watches as of today (default: all of them).
    since: Callable[[dt.date], Q] | None = None
    # The kind's own scope filter, for a kind that belongs to no hall (the 12345 work orders:
    # the city's hotline, scoped by the lead department); default Scope.q(hall, department).
    scoped: Callable[["Scope"], Q] | None = None


def _seq(date_field) -> object:
    return workdays.seq_of(OuterRef(date_field) if isinstance(date_field, str) else date_field)


def _case_fields(extra: str = "") -> dict:
    return {"w_number": F("number"), "w_what": F("item_version__name"), "w_extra": Value(extra),
            "w_department": F("department__name")}  # fmt: skip


def _deadline_lighted(kind: "Kind", qs: QuerySet, today: dt.date) -> QuerySet:
    light = clock_rules.deadline_light(
        calendar.seq(today), due_seq=F("w_due_seq"), limit_days=F("w_limit"), hall=F(kind.hall)
    )
    return qs.annotate(light=light)


def _case_lighted(kind: "Kind", qs: QuerySet, today: dt.date) -> QuerySet:
    """The case light itself: a stopped clock keeps its frozen light."""
    return qs.annotate(light=clock_rules.light_expression(calendar.seq(today)))


def _pre_review_lighted(kind: "Kind", qs: QuerySet, today: dt.date) -> QuerySet:
    """Art. 32's clock has its own light, the clerk's 网上预审 page's: red on the answer's last
    working day (the next, the job deems it accepted: it is never overdue), yellow the day before.
    One definition: cases.pre_review.with_light."""
    return pre_review.with_light(qs, today)


def _pre_review_clock():
    days = settings.ONEWINDOW_INTAKE_ANSWER_DAYS  # art. 32
    return _seq("intake_from") + days, Value(days), workdays.date_of(OuterRef("w_due_seq"))


def _tolerance_clock():
    due = _seq("tolerance_due_on")
    # The promise's span: from acceptance to the promised day (the yellow share of it).
    return due, Coalesce(due - _seq("accepted_on"), 0), F("tolerance_due_on")


def _undelivered():
    # The decision's day in hall time, as art. 44's date (after_decision.delivery_due_on).
    decided_on = TruncDate("decided_at", tzinfo=clock.hall_tz())
    return licenses.undelivered(Case.objects.all()).annotate(w_decided_on=decided_on)


# The deliveries tab watches the decisions of the last DELIVERY_WATCH_DAYS working days (twice
# art. 44's ten): a license still undelivered after that is in licenses' late-delivery register
# (逾期送达, LateDelivery, kept by its job), and reading every approved case of the hall's history
# cost 3–26 s over 700,000 closed cases (bench/supervision.py's database). The range is the
# approvals' index (case_approved: decided_at WHERE outcome = approved).
DELIVERY_WATCH_DAYS = 2 * DELIVERY_DAYS


def _delivery_watch_start(today: dt.date) -> dt.datetime:
    first = calendar.add_workdays(today, -DELIVERY_WATCH_DAYS)
    return dt.datetime.combine(first, dt.time.min, tzinfo=clock.hall_tz())


def _recent_decisions(today: dt.date) -> Q:
    return Q(decided_at__gte=_delivery_watch_start(today))


def _delivery_clock():
    return _seq("w_decided_on") + DELIVERY_DAYS, Value(DELIVERY_DAYS), workdays.date_of(OuterRef("w_due_seq"))


def _project_fields(what: str, department: str) -> dict:
    return {"w_number": F("project__code"), "w_what": F(what), "w_extra": F("project__name"),
            "w_department": F(department)}  # fmt: skip


def _awaiting_answer() -> QuerySet:
    assigned = When(assigned_at__isnull=False, then=F("department_id"))
    return Complaint.objects.filter(status__in=COMPLAINT_AWAITING_ANSWER).annotate(
        w_answering=Choose(assigned, default=None, output_field=IntegerField())
    )


def _rectification_fields(extra: str) -> dict:
    return {"w_number": Cast("rating_id", CharField()), "w_what": Coalesce("rating__case__item_version__name", Value("窗口服务")),
            "w_extra": Value(extra), "w_department": Coalesce("department__name", Value("大厅管理"))}  # fmt: skip


def _hotline_scope(scope: Scope) -> Q:
    """A department head sees the orders their department leads (WorkOrder.lead_department: the
    active lead assignment's); hall management every order — the 12345 center is the city's."""
    if scope.nothing:
        return Q(pk__in=[])
    if scope.department_id is not None:
        return Q(lead_department_id=scope.department_id)
    return Q()


def _open_work_orders() -> QuerySet:
    # No hall: the thresholds are the settings' (w_order_hall NULL matches no hall's row).
    return WorkOrder.objects.filter(status__in=ORDER_OPEN).annotate(w_order_hall=Value(None, IntegerField()))


def _market_scope(scope: Scope) -> Q:
    """Hall management sees every undelivered contract (the market is the hall's, no
    department's); a department's staff none."""
    if scope.nothing or scope.department_id is not None:
        return Q(pk__in=[])
    return Q()


def _undelivered_contracts() -> QuerySet:
    # No hall and no department: the settings' thresholds (w_market_hall NULL matches no hall's
    # row), and a department filter on the page matches none (NULL = id is never true).
    return Contract.objects.filter(delivered_at__isnull=True).annotate(
        w_market_hall=Value(None, IntegerField()), w_market_department=Value(None, IntegerField())
    )


KINDS: list[Kind] = [
    Kind("cases", "在办件", "case", "hall_id", "department_id",
         lambda: Case.objects.filter(status__in=OPEN_STATUSES, due_seq__isnull=False),
         lambda: (F("due_seq"), F("promised_days"), F("due_on")), _case_fields(), lighted=_case_lighted),
    Kind("pre_review", "网上预审", "case", "hall_id", "department_id",
         lambda: Case.objects.filter(channel=Channel.PORTAL, status=Status.SUBMITTED),
         _pre_review_clock, _case_fields("网上申请待受理答复（5个工作日）"), lighted=_pre_review_lighted),
    Kind("stages", "项目阶段", "project", "project__hall_id", "lead_department_id",
         lambda: Stage.objects.filter(status=Stage.Status.IN_REVIEW, due_seq__isnull=False),
         lambda: (F("due_seq"), F("limit_days"), F("due_on")), _project_fields("name", "lead_department__name")),
    Kind("opinions", "并联审查意见", "project", "project__hall_id", "department_id",
         lambda: Opinion.objects.filter(state__in=Opinion.OWED, due_seq__isnull=False),
         lambda: (F("due_seq"), F("limit_days"), F("due_on")), _project_fields("stage__name", "department__name")),
    Kind("tolerance", "容缺承诺", "case", "hall_id", "department_id",
         tolerance.promised, _tolerance_clock, _case_fields("容缺材料承诺补齐")),
    Kind("checks", "告知承诺核查", "case", "case__hall_id", "department_id",
         lambda: CommitmentCheck.objects.filter(result=CommitmentCheck.Result.PENDING),
         lambda: (F("due_seq"), F("days"), F("due_on")),
         {"w_number": F("case__number"), "w_what": F("case__item_version__name"), "w_extra": Value("告知承诺核查"),
          "w_department": F("department__name")}),
    Kind("deliveries", "证照送达", "case", "hall_id", "department_id",
         _undelivered, _delivery_clock, _case_fields("制证送达（10个工作日）"), since=_recent_decisions),
    Kind("callbacks", "差评回访", "rating", "hall_id", "department_id",
         lambda: Rectification.objects.filter(status__in=rectifications.AWAITING_CALLBACK),
         lambda: (F("callback_due_seq"), rectifications.callback_limit(), F("callback_due_on")),
         _rectification_fields("差评待回访")),
    Kind("rectifications", "差评整改", "rating", "hall_id", "department_id",
         lambda: Rectification.objects.filter(status__in=rectifications.AWAITING_FEEDBACK),
         lambda: (F("rectify_due_seq"), rectifications.rectify_limit(), F("rectify_due_on")),
         _rectification_fields("差评待整改反馈")),
    # A complaint is its department's once assigned (as the department's complaint list shows it);
    # before, hall management's, even when its case names a department.
    Kind("complaints", "投诉答复", "complaint", "hall_id", "w_answering",
         _awaiting_answer, lambda: (F("due_seq"), F("answer_days"), F("due_on")),
         {"w_number": F("number"), "w_what": F("subject"), "w_extra": Value("投诉待答复"),
          "w_department": Choose(When(assigned_at__isnull=False, then=F("department__name")),
                                 default=Value("待分派"))}),
    # 12345 (issue 18; RULES.md "Hotline"): open work orders against their handling limit (due_seq,
    # handle_days; an emergency's 0 days: yellow that day, red the next working day).
    Kind("hotline", "热线工单", "hotline", "w_order_hall", "lead_department_id",
         _open_work_orders, lambda: (F("due_seq"), F("handle_days"), F("due_on")),
         {"w_number": F("number"), "w_what": F("title"), "w_extra": F("category__name"),
          "w_department": Coalesce("lead_department__name", Value("待派单"))}, scoped=_hotline_scope),
    # 中介超市 (issue 19): the agency's delivery against the contract's days (due_seq from signing;
    # a return for rework does not move it). The 部门 column names the agency answering for it.
    Kind("market", "中介服务交付", "market", "w_market_hall", "w_market_department",
         _undelivered_contracts, lambda: (F("due_seq"), F("days"), F("due_on")),
         {"w_number": F("purchase__number"), "w_what": F("purchase__title"),
          "w_extra": F("purchase__service_type__name"), "w_department": F("agency__name")}, scoped=_market_scope),
]  # fmt: skip
BY_KEY = {kind.key: kind for kind in KINDS}


def watch(kind: Kind, scope: Scope, today: dt.date, *, department: str = "") -> QuerySet:
    """The kind's open items in `scope`, each annotated with w_due_seq, w_due_on, w_limit and
    `light` (the kind's `lighted`, by default the deadline light of its clock)."""
    due_seq, limit, due_on = kind.clock()
    qs = kind.rows().filter(kind.scoped(scope) if kind.scoped else scope.q(kind.hall, kind.department))
    if kind.since is not None:
        qs = qs.filter(kind.since(today))
    if department.isdigit():
        qs = qs.filter(**{kind.department: int(department)})
    qs = qs.annotate(w_due_seq=due_seq, w_limit=limit).annotate(w_due_on=due_on)
    return (kind.lighted or _deadline_lighted)(kind, qs, today)


def counts(kind: Kind, scope: Scope, today: dt.date, *, department: str = "") -> dict[str, int]:
    """{red, yellow, green}: one grouped query."""
    found = {light: 0 for light in (Light.RED, Light.YELLOW, Light.GREEN)}
    rows = watch(kind, scope, today, department=department).order_by().values("light").annotate(n=Count("pk"))
    for row in rows:
        found[row["light"]] = found.get(row["light"], 0) + row["n"]
    return found


def items(kind: Kind, scope: Scope, today: dt.date, *, lights=(Light.RED, Light.YELLOW), department: str = "",
          limit: int = 200) -> list[dict]:  # fmt: skip
    """The rows shown: number, what, department, due, days overdue, light; most urgent first."""
    qs = watch(kind, scope, today, department=department).filter(light__in=lights)
    rows = list(
        qs.annotate(**kind.fields, w_hall=F(kind.hall))
        .order_by("w_due_seq", "w_number")
        .values("w_number", "w_what", "w_extra", "w_department", "w_due_seq", "w_due_on", "light", "w_hall")[
            :limit
        ]
    )
    today_seq = calendar.seq(today)
    for row in rows:
        row["days_over"] = max(0, today_seq - row["w_due_seq"])
        row["link"] = kind.link if kind.scoped is not None or scope.opens(row["w_hall"]) else ""
    return rows


# ---- the 120-working-day target (国办发〔2018〕33号) -----------------------------------------------


def past_target(scope: Scope, *, department: str = "") -> QuerySet[Project]:
    """Projects in scope whose stage limits add up past the target (projects.queries, in SQL)."""
    qs = Project.objects.all()
    if scope.nothing:
        qs = qs.none()
    elif scope.department_id is not None or department.isdigit():
        lead = scope.department_id if scope.department_id is not None else int(department)
        qs = qs.filter(pk__in=Stage.objects.filter(lead_department_id=lead).values("project"))
    if scope.hall_id is not None and scope.department_id is None:
        qs = qs.filter(hall_id=scope.hall_id)
    return projects.past_target_projects(qs).select_related("hall").order_by("-stage_total", "code")
