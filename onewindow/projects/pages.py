"""What the project page offers each viewer: the actions their role allows on which stage, and
the timeline merged from the project's events and its silent consents. The services decide
again on every post; this only keeps forms off the page that would be refused."""

from onewindow import clock
from onewindow.accounts.masking import mask_name, mask_phone
from onewindow.accounts.models import DEPARTMENT_ROLES, Role, Staff, User
from onewindow.accounts.queries import may_administer_hall, staff_of
from onewindow.projects import queries
from onewindow.projects.models import Opinion, Project, Stage
from onewindow.projects.services import ACTION_NAMES

S = Stage.Status


def _agent_may_apply(project: Project, user: User, stage: Stage, authorisations) -> bool:
    return project.agent_id == user.pk and any(
        queries.authorisation_valid(a) and a.agent_id == user.pk and a.stage_id in (None, stage.pk)
        for a in authorisations
    )


def stage_actions(sheet: dict, user: User) -> None:
    """Sets `stage.can` (a set of action names) and `stage.mine` (the viewer's department's
    opinion) on every stage of the sheet."""
    project, today = sheet["project"], clock.today()
    staff = staff_of(user)
    department_id = staff.department_id if staff is not None and staff.role in DEPARTMENT_ROLES else None
    owner = project.owner.user_id == user.pk
    for stage in sheet["stages"]:
        can = set()
        open_for_application = stage.status in (S.OPEN, S.APPLIED)
        if open_for_application and (
            owner or _agent_may_apply(project, user, stage, sheet["authorisations"])
        ):
            can.add("apply")
        if department_id is not None and department_id == stage.lead_department_id:
            if open_for_application:
                can.add("accept")
            if stage.status == S.IN_REVIEW:
                can.add("close")
            if stage.status in (S.OPEN, S.APPLIED, S.IN_REVIEW):
                can.add("meeting")
        stage.mine = next((o for o in stage.opinions.all() if o.department_id == department_id), None)
        if stage.mine is not None and stage.status != S.CLOSED and not stage.mine.is_taken:
            can.add("opinion" if stage.status == S.IN_REVIEW else "simulate")
            if stage.status == S.IN_REVIEW and stage.mine.state == Opinion.State.SIMULATED:
                can.add("confirm")
        for meeting in stage.meetings.all():
            meeting.mine = next(
                (a for a in meeting.attendances.all() if a.department_id == department_id and a.recorded_at is None),
                None,
            )  # fmt: skip
            meeting.may_record = meeting.mine is not None and meeting.on <= today
            lead = department_id is not None and department_id == stage.lead_department_id
            meeting.may_record_held = lead and meeting.held_recorded_at is None and meeting.on <= today
        stage.can = can


def project_actions(sheet: dict, user: User) -> dict:
    project = sheet["project"]
    owner = project.owner.user_id == user.pk
    admin = may_administer_hall(user, project.hall)
    agents = (
        list(Staff.objects.filter(hall=project.hall, role=Role.AGENT, is_active=True).select_related("user"))
        if admin else []
    )  # fmt: skip
    return {
        "may_assign_agent": admin,
        "agents": agents,
        "may_authorise": owner and project.agent_id is not None,
        "is_owner": owner,
    }


def _consent_words(s) -> str:
    if s.cause == "absent" and s.meeting_id:
        return f"未出席{s.meeting.get_kind_display()}（{s.meeting.on}），视为同意（缺席默认，计入部门考核）"
    return f"意见期限{s.due_on}，逾期未提出意见，视为同意（计入部门考核）"


def timeline(sheet: dict) -> list[dict]:
    rows = [
        {"at": e.at, "action": ACTION_NAMES.get(e.action, e.action), "stage": e.stage, "department": e.department,
         "actor": e.actor, "detail": e.detail, "silent": False}
        for e in sheet["events"]
    ]  # fmt: skip
    rows += [
        {"at": s.recorded_at, "action": ACTION_NAMES["silent_consent" if s.cause == "overdue" else "absence_consent"],
         "stage": s.stage, "department": s.department, "actor": None, "detail": _consent_words(s), "silent": True}
        for s in sheet["silent_consents"]
    ]  # fmt: skip
    return sorted(rows, key=lambda r: r["at"])


def owner_card(project: Project, user: User) -> dict:
    """The owner as the page shows it: a legal person's name; the representative's name masked
    except for the owner itself; the phone masked for everyone, the owner too, like every page
    (API.md "Personal data"; decision 18: the full number only through the logged unmask)."""
    owner = project.owner
    mine = owner.user_id == user.pk
    return {
        "name": owner.name,
        "representative": owner.legal_representative if mine else mask_name(owner.legal_representative),
        "phone": mask_phone(owner.phone),
    }


def sheet_for(project: Project, user: User) -> dict:
    sheet = queries.project_page(project)
    stage_actions(sheet, user)
    return {
        **sheet,
        **project_actions(sheet, user),
        "timeline": timeline(sheet),
        "owner": owner_card(project, user),
    }
