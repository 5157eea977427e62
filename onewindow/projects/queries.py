"""Read side of projects: who sees which project, the project page (stages, opinions, timeline
and the Gantt-like picture), the co-reviewers' inbox, a department's silent-consent record and
the public key-project board. Each page is a fixed number of queries, never one per stage or
opinion (bench/projects.py measures the project page)."""

from dataclasses import dataclass

from django.db.models import Case as When_
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from onewindow import clock
from onewindow.accounts.models import DEPARTMENT_ROLES, Applicant, Department, Role, User
from onewindow.accounts.queries import staff_of, visible_departments
from onewindow.cases import clock_rules
from onewindow.cases.models import Case
from onewindow.catalog.models import ServiceItem
from onewindow.errors import NotFound
from onewindow.projects import codes
from onewindow.projects.models import (
    Authorisation,
    JointMeeting,
    MeetingAttendance,
    Opinion,
    Project,
    SilentConsent,
    Stage,
)
from onewindow.workdays import calendar

S = Stage.Status

# 国办发〔2018〕33号 (工程建设项目审批制度改革): the whole approval of a project, from 立项 to
# 竣工验收, within 120 working days. A project whose stage limits add up past it is flagged on
# its page and the supervisor's list (issue 16); the one test is `stage_total > TARGET_DAYS`.
TARGET_DAYS = 120


def past_target(stage_total: int) -> bool:
    return stage_total > TARGET_DAYS


def with_stage_total(qs: QuerySet[Project]) -> QuerySet[Project]:
    """`stage_total`: the sum of each project's stage limits, one correlated subquery (no loop)."""
    total = (
        Stage.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(t=Sum("limit_days"))
    )
    return qs.annotate(stage_total=Coalesce(Subquery(total.values("t"), output_field=IntegerField()), 0))


def past_target_projects(qs: QuerySet[Project]) -> QuerySet[Project]:
    """The projects of `qs` whose stage limits add up past TARGET_DAYS (the same test, in SQL)."""
    return with_stage_total(qs).filter(stage_total__gt=TARGET_DAYS)


def offers_projects(user: User) -> bool:
    """Whether 「我的项目」 is a page for this citizen: a legal-person applicant (who registers
    projects, 赋码) or anyone who already has one to see. A natural person without any got an
    empty 建设项目 page with no word of why (issue 15); staff reach projects by their own links."""
    if not user.is_authenticated:
        return False
    applicant = getattr(user, "applicant", None)  # cached on the user (the frame loads it with the user)
    if applicant is not None and applicant.kind == Applicant.Kind.LEGAL:
        return True
    return visible_projects(user).exists()


def visible_projects(user: User) -> QuerySet[Project]:
    """The owner sees its projects; a department those it leads or co-reviews a stage of;
    the assigned agent its projects; hall management (admin, supervisor) its hall's."""
    if not user.is_authenticated:
        return Project.objects.none()
    if user.is_superuser:
        return Project.objects.all()
    mine = Q(owner__user=user)
    staff = staff_of(user)
    if staff is None:
        return Project.objects.filter(mine)
    if staff.role in DEPARTMENT_ROLES:
        leads = Stage.objects.filter(project=OuterRef("pk"), lead_department_id=staff.department_id)
        reviews = Opinion.objects.filter(project=OuterRef("pk"), department_id=staff.department_id)
        return Project.objects.filter(mine | Q(Exists(leads)) | Q(Exists(reviews)))
    if staff.role in (Role.HALL_ADMIN, Role.SUPERVISOR):
        return Project.objects.filter(mine | Q(hall_id=staff.hall_id))
    if staff.role == Role.AGENT:
        return Project.objects.filter(mine | Q(agent=user))
    return Project.objects.filter(mine)


def project_for(user: User, raw_code: str) -> Project:
    """The project by its code: a mistyped code is refused (400) before any look-up; a code
    the user may not see answers 404, as if it did not exist."""
    code = codes.valid_code(raw_code)
    found = (
        visible_projects(user).select_related("owner", "region", "hall", "agent").filter(code=code).first()
    )
    if found is None:
        raise NotFound("project.not_found", f"未找到项目代码为 {code} 的项目。")
    return found


def today_seq() -> int:
    return calendar.seq(clock.today())


def stage_days(stage: Stage, now_seq: int) -> int | None:
    """Working days used by the stage so far (the day of acceptance not counted)."""
    if stage.accepted_seq is None:
        return None
    return max(0, (stage.closed_seq if stage.closed_seq is not None else now_seq) - stage.accepted_seq)


def opinion_light(opinion: Opinion, now_seq: int) -> str | None:
    if opinion.state not in Opinion.OWED or opinion.due_seq is None:
        return None
    return clock_rules.light(opinion.due_seq, opinion.limit_days, now_seq)


@dataclass
class Bar:
    """One row of the Gantt-like picture, in percent of the project's span of working days."""

    stage: Stage
    left: float
    promised: float
    used: float
    used_days: int | None
    over: bool
    planned: bool  # not accepted yet: where it would start if the previous one ends on time


def gantt(stages: list[Stage], now_seq: int) -> list[Bar]:
    """Stages along one axis of working days: each starts where it was accepted (or, not yet
    accepted, where the previous one ends); the outline is the promised limit, the fill the
    days used — red when it ran over."""
    if not stages:
        return []
    base = next((s.accepted_seq for s in stages if s.accepted_seq is not None), now_seq)
    cursor, spans = base, []
    for s in stages:
        start = s.accepted_seq if s.accepted_seq is not None else max(cursor, now_seq)
        used = stage_days(s, now_seq)
        length = max(s.limit_days, used or 0)
        spans.append((s, start, used))
        cursor = s.closed_seq if s.closed_seq is not None else start + length
    span = max(1, max(start + max(s.limit_days, used or 0) for s, start, used in spans) - base)

    def pct(days: int) -> float:
        return round(days * 100 / span, 2)

    return [
        Bar(stage=s, left=pct(start - base), promised=pct(s.limit_days), used=pct(used or 0), used_days=used,
            over=(used or 0) > s.limit_days, planned=s.accepted_seq is None)
        for s, start, used in spans
    ]  # fmt: skip


def project_page(project: Project) -> dict:
    """Everything the project page shows, in nine queries whatever the number of stages."""
    now_seq = today_seq()
    opinions = Opinion.objects.select_related("department", "given_by").order_by("department__code")
    attendances = MeetingAttendance.objects.select_related("department").order_by("department__code")
    meetings = JointMeeting.objects.prefetch_related(Prefetch("attendances", queryset=attendances)).order_by(
        "on"
    )
    stages = list(
        project.stages.select_related("lead_department")
        .prefetch_related(Prefetch("opinions", queryset=opinions), Prefetch("meetings", queryset=meetings))
        .order_by("order")
    )
    codes_used = {code for s in stages for code in s.item_codes}
    names = dict(
        ServiceItem.objects.filter(code__in=codes_used, current__isnull=False).values_list(
            "code", "current__name"
        )
    )
    for s in stages:
        s.used_days = stage_days(s, now_seq)
        s.item_names = [names.get(code, code) for code in s.item_codes]
        for o in s.opinions.all():
            o.light = opinion_light(o, now_seq)
    events = list(project.events.select_related("actor", "stage", "department").order_by("at", "pk"))
    silent = list(
        project.silent_consents.select_related("department", "stage", "meeting").order_by("recorded_at", "pk")
    )
    child_cases = list(
        Case.objects.filter(project_code=project.code)
        .select_related("item_version", "department")
        .order_by("received_at")
    )
    authorisations = list(project.authorisations.select_related("stage", "agent").order_by("-recorded_at"))
    used = sum(s.used_days or 0 for s in stages)
    current = next((s for s in stages if s.status != S.CLOSED), None)
    stage_total = sum(s.limit_days for s in stages)
    return {
        "project": project, "stages": stages, "current": current, "bars": gantt(stages, now_seq), "used_days": used,
        "events": events, "silent_consents": silent, "child_cases": child_cases, "authorisations": authorisations,
        "over": used > project.promised_days, "stage_total": stage_total,
        "past_target": past_target(stage_total), "target_days": TARGET_DAYS,
    }  # fmt: skip


# ---- the co-reviewer's inbox and the department's record --------------------------------


def opinion_inbox(department_id: int, *, limit: int = 200) -> dict:
    """Opinions the department owes on accepted stages (most urgent first), stages where it may
    give a simulated opinion ahead, and the stages it leads that wait for acceptance or closing."""
    now_seq = today_seq()
    owed = list(
        Opinion.objects.filter(department_id=department_id, state__in=Opinion.OWED, stage__status=S.IN_REVIEW)
        .select_related("stage__lead_department", "project")
        .order_by("due_seq", "pk")[:limit]
    )  # fmt: skip
    for o in owed:
        o.light = opinion_light(o, now_seq)
    ahead = list(
        Opinion.objects.filter(department_id=department_id, state="pending",
                               stage__status__in=[S.WAITING, S.OPEN, S.APPLIED])
        .select_related("stage", "project").order_by("project__registered_at", "stage__order")[:limit]
    )  # fmt: skip
    leading = list(
        Stage.objects.filter(lead_department_id=department_id, status__in=[S.OPEN, S.APPLIED, S.IN_REVIEW])
        .select_related("project")
        .annotate(owed=Count("opinions", filter=Q(opinions__state__in=Opinion.OWED)))
        .order_by("due_seq", "project__registered_at")[:limit]
    )
    return {"owed": owed, "ahead": ahead, "leading": leading}


def may_see_department_record(user: User, department: Department) -> bool:
    return visible_departments(user).filter(pk=department.pk).exists()


def silent_consents_of(department: Department, *, limit: int = 500) -> tuple[int, list[SilentConsent]]:
    """The department's record: every silent consent counted against it (supervision)."""
    qs = SilentConsent.objects.filter(department=department)
    rows = list(qs.select_related("project", "stage", "meeting").order_by("-recorded_on", "-pk")[:limit])
    return qs.count(), rows


def silent_consent_counts(since, until) -> dict[int, int]:
    """Silent consents per department id recorded in [since, until] — for supervision and
    the monthly assessment."""
    rows = (
        SilentConsent.objects.filter(recorded_on__gte=since, recorded_on__lte=until)
        .values("department_id")
        .annotate(n=Count("pk"))
    )
    return {r["department_id"]: r["n"] for r in rows}


# ---- the public key-project board --------------------------------------------------------


def board(*, limit: int = 200) -> list[Project]:
    """Key projects with their current stage and the working days used against the promised
    total: one query, no applicant data selected at all (issue 6: no personal data)."""
    now_seq = today_seq()
    current = Stage.objects.filter(project=OuterRef("pk")).exclude(status=S.CLOSED).order_by("order")
    used = Sum(
        When_(
            When(stages__accepted_seq__isnull=False,
                 then=Coalesce(F("stages__closed_seq"), Value(now_seq)) - F("stages__accepted_seq")),
            default=Value(0), output_field=IntegerField(),
        )
    )  # fmt: skip
    return list(
        Project.objects.filter(key_project=True)
        .annotate(
            used_days=Coalesce(used, Value(0)),
            stage_name=Subquery(current.values("name")[:1]),
            stage_status=Subquery(current.values("status")[:1]),
            stage_order=Subquery(current.values("order")[:1]),
        )
        .values("code", "name", "region__name", "status", "promised_days", "used_days", "stage_name", "stage_status",
                "stage_order", "registered_at")
        .order_by("-registered_at")[:limit]
    )  # fmt: skip


def authorisation_valid(a: Authorisation) -> bool:
    return a.revoked_at is None and a.valid_until >= clock.today()
