"""Stage messages to the project's owner and its agent (issue 6: the agent gets the stage
messages). Queued through the notify module's outbox inside the stage's own transaction, so a
message exists exactly when the stage change does; the key makes a retry queue nothing twice."""

from onewindow.accounts.queries import staff_of
from onewindow.notify import services as notify
from onewindow.projects.models import Project, Stage
from onewindow.workdays import calendar

EVENTS = ("stage_accepted", "stage_closed")


def recipients(project: Project) -> list[tuple[str, str]]:
    """(who, phone): the owner's contact phone and the assigned agent's work phone."""
    found = []
    if project.owner.phone:
        found.append(("owner", project.owner.phone))
    agent = staff_of(project.agent) if project.agent_id else None
    if agent is not None and agent.phone:
        found.append((f"agent{project.agent_id}", agent.phone))
    return found


def context(project: Project, stage: Stage) -> dict:
    return {
        "project_code": project.code,
        "project_name": project.name,
        "stage_order": stage.order,
        "stage_name": stage.name,
        "lead_department": stage.lead_department.name,
        "due_on": stage.due_on.isoformat() if stage.due_on else "",
        "due_note": calendar.provisional_note(stage.due_on),
        "closed_on": stage.closed_on.isoformat() if stage.closed_on else "",
    }


def stage_changed(project: Project, stage: Stage, event: str) -> int:
    """Queues `event` for every recipient; returns how many messages were queued."""
    assert event in EVENTS, event
    data = context(project, stage)
    sent = 0
    for who, phone in recipients(project):
        key = f"project:{project.code}:stage:{stage.order}:{event}:{who}"
        if notify.enqueue(phone=phone, event=event, context=data, key=key, subject_kind="project",
                          subject_key=project.code, hall=project.hall) is not None:  # fmt: skip
            sent += 1
    return sent


def stage_deadline_moved(project: Project, stage: Stage, from_on) -> int:
    """A calendar change moved the stage's limit (issue 13 rule 6): one message per recipient
    for the stage (its cases send none, cases.messages); the key names the new date, so a
    repeated recomputation queues nothing twice."""
    data = {"number": project.code, "item": project.name, "stage_name": stage.name, "from_on": from_on,
            "due_on": stage.due_on, "due_note": calendar.provisional_note(stage.due_on)}  # fmt: skip
    sent = 0
    for who, phone in recipients(project):
        key = f"project:{project.code}:stage:{stage.order}:deadline:{stage.due_on.isoformat()}:{who}"
        if (
            notify.enqueue(
                phone=phone,
                event="deadline_moved",
                context=data,
                key=key,
                subject_kind="project",
                subject_key=project.code,
                hall=project.hall,
            )
            is not None
        ):
            sent += 1
    return sent
