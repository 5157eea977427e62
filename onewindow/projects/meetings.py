"""Joint meetings (联合踏勘 / 联合图审 / 联合验收): the lead department calls the invited
departments to one meeting instead of a visit each; each department records whether it came and
its opinion there — which, for a co-reviewer of an accepted stage, may be its stage opinion too,
so the meeting also replaces a separate written round. The lead records the meeting held and who
came (`record_meeting_held`): a co-reviewer absent from it is taken to agree (缺席默认, Dezhou;
RULES.md "Parallel approval"), recorded against it like silent consent."""

import datetime as dt

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import Department, User
from onewindow.accounts.queries import staff_of
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.projects import services
from onewindow.projects.models import JointMeeting, MeetingAttendance, Opinion, Project, SilentConsent, Stage

S = Stage.Status


@transaction.atomic
def schedule_meeting(project: Project, stage: int, *, by: User, kind: str, on: dt.date, place: str,
                     departments: list[Department]) -> JointMeeting:  # fmt: skip
    project = services.lock(project)
    stage = services.stage_of(project, stage)
    services.require_lead(by, stage, "召集联合会商")
    if stage.status in (S.WAITING, S.CLOSED):
        raise Conflict(
            "project.meeting_stage", f"该阶段当前为“{stage.get_status_display()}”，不能召集联合会商。"
        )
    if kind not in JointMeeting.Kind.values:
        raise DomainError("project.meeting_kind", "会商类型应为联合踏勘、联合图审或联合验收。")
    if on is None or on < clock.today():
        raise DomainError("project.meeting_date", "会商日期不能早于今天。")
    place = services.clean_text(place, "会商地点", required=True)[:200]
    invited = {d.pk: d for d in departments}
    if not invited:
        raise DomainError("project.meeting_departments", "请选择受邀部门。")
    stationed = set(project.hall.departments.filter(pk__in=invited).values_list("pk", flat=True))
    outside = [d.name for pk, d in invited.items() if pk not in stationed]
    if outside:
        raise DomainError("project.meeting_departments", f"以下部门未进驻本中心：{'、'.join(outside)}。")
    meeting = JointMeeting.objects.create(stage=stage, kind=kind, on=on, place=place, scheduled_by=by,
                                          scheduled_at=clock.now())  # fmt: skip
    MeetingAttendance.objects.bulk_create(
        [MeetingAttendance(meeting=meeting, department_id=pk) for pk in invited]
    )
    names = "、".join(d.name for d in invited.values())
    services.event(project, "schedule_meeting", by=by, stage=stage, department_id=stage.lead_department_id,
                   detail=f"{meeting.get_kind_display()}：{on} {place}；邀请{names}", payload={"meeting": meeting.pk})  # fmt: skip
    return meeting


@transaction.atomic
def record_attendance(meeting: JointMeeting, *, by: User, attended: bool, opinion: str = "",
                      stage_opinion: dict | None = None) -> MeetingAttendance:  # fmt: skip
    """The invited department records attendance and its opinion after the meeting.
    `stage_opinion` ({"kind", "reasons", "conditions"}) also gives the department's stage
    opinion through services.give_opinion, with the same rules."""
    stage = Stage.objects.get(pk=meeting.stage_id)
    project = services.lock(stage.project_id)
    meeting = JointMeeting.objects.select_related("stage").get(pk=meeting.pk)
    staff = staff_of(by)
    department_id = staff.department_id if staff is not None else None
    row = (
        MeetingAttendance.objects.select_for_update()
        .filter(meeting=meeting, department_id=department_id)
        .first()
    )
    if row is None:
        raise NotFound("project.not_invited", "贵部门不在该会商的受邀部门之列。")
    services.require_department_staff(by, department_id, what="记录本部门的会商出席和意见")
    if meeting.on > clock.today():
        raise Conflict("project.meeting_not_held", f"会商定于{meeting.on}举行，举行后再记录。")
    if not isinstance(attended, bool):
        raise DomainError("project.attended", "请选择是否到场。")
    row.opinion = services.clean_text(opinion, "会商意见", required=attended)
    row.attended, row.recorded_by, row.recorded_at = attended, by, clock.now()
    row.save(update_fields=["attended", "opinion", "recorded_by", "recorded_at"])
    services.event(project, "record_attendance", by=by, stage=meeting.stage, department_id=department_id,
                   detail=f"{meeting.get_kind_display()}：{'到场' if attended else '未到场'}" + (f"，{row.opinion}" if row.opinion else ""))  # fmt: skip
    if stage_opinion:
        if not attended:
            raise Forbidden("project.absent_opinion", "未到场的部门不能以会商意见作为阶段意见。")
        services.give_opinion(project, meeting.stage.order, by=by, kind=stage_opinion.get("kind", ""),
                              reasons=stage_opinion.get("reasons", ""), conditions=stage_opinion.get("conditions", ""),
                              department_id=department_id)  # fmt: skip
    return row


@transaction.atomic
def record_meeting_held(meeting: JointMeeting, *, by: User, attended: list[int]) -> list[SilentConsent]:
    """The lead department records the meeting held and the invited departments that came
    (`attended`: department ids), once. Each invited department absent from it that co-reviews
    the accepted stage and has no formal opinion yet is taken to agree (缺席默认): its opinion
    becomes 'agree', and the record is counted against it like silent consent. A department's
    own record of its attendance stands; the lead's list must not contradict it."""
    stage = Stage.objects.get(pk=meeting.stage_id)
    project = services.lock(stage.project_id)
    stage = services.stage_of(project, stage.order)
    services.require_lead(by, stage, "记录会商举行情况")
    meeting = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.held_recorded_at is not None:
        raise Conflict("project.meeting_recorded", "该会商的举行情况已记录。")
    if meeting.on > clock.today():
        raise Conflict("project.meeting_not_held", f"会商定于{meeting.on}举行，举行后再记录。")
    rows = list(
        MeetingAttendance.objects.select_for_update().filter(meeting=meeting).select_related("department")
    )
    came = set(attended)
    if not came <= {r.department_id for r in rows}:
        raise DomainError("project.meeting_departments", "到场部门须为受邀部门。")
    contradicted = [
        r.department.name for r in rows if r.recorded_at and r.attended != (r.department_id in came)
    ]
    if contradicted:
        raise DomainError("project.attendance_contradicted",
                          f"以下部门已自行登记出席情况，与所填不符：{'、'.join(contradicted)}。")  # fmt: skip
    now = clock.now()
    for r in rows:
        if r.recorded_at is None:
            r.attended, r.recorded_by, r.recorded_at = r.department_id in came, by, now
    MeetingAttendance.objects.bulk_update(rows, ["attended", "recorded_by", "recorded_at"])
    meeting.held_recorded_by, meeting.held_recorded_at = by, now
    meeting.save(update_fields=["held_recorded_by", "held_recorded_at"])
    absent = {r.department_id: r.department for r in rows if not r.attended}

    def names(ids) -> str:
        return "、".join(r.department.name for r in rows if r.department_id in ids) or "无"

    services.event(project, "record_meeting_held", by=by, stage=stage, department_id=stage.lead_department_id,
                   detail=f"{meeting.get_kind_display()}已举行：到场{names(came)}；未到场{names(absent)}",
                   payload={"meeting": meeting.pk, "attended": sorted(came), "absent": sorted(absent)})  # fmt: skip
    return _absence_consent(project, stage, meeting, absent) if stage.status == S.IN_REVIEW else []


def _absence_consent(
    project: Project, stage: Stage, meeting: JointMeeting, absent: dict
) -> list[SilentConsent]:
    """缺席默认: the absent co-reviewers still owing a formal opinion agree, on the record."""
    now, today = clock.now(), clock.today()
    owed = list(
        Opinion.objects.select_for_update().filter(
            stage=stage, department_id__in=absent, state__in=Opinion.OWED
        )
    )
    for o in owed:
        o.state, o.kind, o.reasons, o.conditions, o.given_at, o.given_by = (
            Opinion.State.ABSENT, Opinion.Kind.AGREE, "", "", now, None)  # fmt: skip
    Opinion.objects.bulk_update(owed, ["state", "kind", "reasons", "conditions", "given_at", "given_by"])
    return SilentConsent.objects.bulk_create([
        SilentConsent(opinion=o, project=project, stage=stage, department_id=o.department_id, due_on=o.due_on or meeting.on,
                      recorded_on=today, recorded_at=now, cause=SilentConsent.Cause.ABSENT, meeting=meeting)
        for o in owed
    ])  # fmt: skip
