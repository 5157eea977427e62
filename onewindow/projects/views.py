"""Project pages: registration (owner), the project page by code (owner, agent, departments,
hall management) with its action forms, the co-reviewer's opinion inbox, a department's
silent-consent record and the public key-project board. Thin views: parse, check access, call
one service, render (STYLE.md); the services decide."""

import datetime as dt
import re

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow import clock, inputs
from onewindow.accounts.models import Applicant, Department, Role, User
from onewindow.accounts.permissions import public, requires
from onewindow.accounts.queries import staff_of
from onewindow.actions import dispatch
from onewindow.errors import DomainError, Forbidden, NotFound
from onewindow.projects import codes, meetings, pages, queries, services
from onewindow.projects.forms import RegisterProjectForm
from onewindow.projects.models import Authorisation, JointMeeting, Opinion, Stage

# ---- public ---------------------------------------------------------------------------------


@public
@require_GET
def board(request):
    """重点项目看板: each key project's stage and working days used against the promise; no
    owner, no person, no phone (issue 6)."""
    return render(request, "projects/board.html", {"projects": queries.board()})


# ---- lists and registration ------------------------------------------------------------------


@requires()
@require_GET
def project_list(request):
    """The projects the user may see; a full code typed in the box opens its page (a mistyped
    one is refused with the reason)."""
    q = (request.GET.get("q") or "").strip()[:100]
    error = ""
    if q and ("-" in q or len(codes.normalized(q)) == codes.LENGTH):
        try:
            return redirect("projects:project", queries.project_for(request.user, q).code)
        except DomainError as exc:
            error = exc.message
    projects = queries.visible_projects(request.user).select_related("hall").order_by("-registered_at")
    if q and not error:
        projects = projects.filter(name__icontains=q)
    owner = Applicant.objects.filter(user=request.user, kind=Applicant.Kind.LEGAL).exists()
    citizen = staff_of(request.user) is None and not request.user.is_superuser
    return render(request, "projects/list.html", {"projects": projects[:200], "q": q, "error": error, "owner": owner,
                                                  "citizen": citizen}, status=400 if error else 200)  # fmt: skip


@requires()
@require_http_methods(["GET", "POST"])
def register(request):
    """赋码: a legal-person applicant registers its project and gets the lifelong code."""
    owner = Applicant.objects.filter(user=request.user).first()
    if owner is None or owner.kind != Applicant.Kind.LEGAL:
        return render(request, "projects/register.html", {"not_legal": True}, status=403)
    form = RegisterProjectForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = services.register_project(
                    owner=owner, by=request.user, name=data["name"], region_code=data["region"].code,
                    investment_fen=form.investment_fen(), industry=data["industry"],
                    approval_type=data["approval_type"], government_invested=data["government_invested"],
                    key_project=data["key_project"], merged_path=data["merged_path"],
                )  # fmt: skip
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                return redirect("projects:project", project.code)
    return render(request, "projects/register.html", {"form": form, "owner": owner}, status=status)


# ---- the project page and its actions ----------------------------------------------------------


def _page(request, project, *, error: str = "", status: int = 200):
    return render(request, "projects/project.html", {
        **pages.sheet_for(project, request.user), "error": error, "today": clock.today(),
        "opinion_kinds": Opinion.Kind.choices, "meeting_kinds": JointMeeting.Kind.choices,
        "departments": project.hall.departments.order_by("code"),
    }, status=status)  # fmt: skip


@requires()
@require_GET
def project_page(request, code: str):
    return _page(request, queries.project_for(request.user, code))


def _order(post) -> int:
    try:
        return int(post.get("stage") or "")
    except ValueError:
        raise DomainError("project.form_stage", "请刷新页面后重试（未指明阶段）。") from None


def _date(raw: str | None, label: str) -> dt.date:
    return inputs.parse_date(raw, "date", label, prefix="project")


def _tolerated(post) -> list[str]:
    """Material names, one per field or separated by 、 , ， or new lines."""
    names = []
    for value in post.getlist("tolerated"):
        names += [n.strip() for n in re.split(r"[、,，\n]", value) if n.strip()]
    return names


def _form_data(post) -> dict:
    return {k: post.get(k, "").strip() for k in ("scale", "notes") if post.get(k, "").strip()}


def _opinion(p, by, post):
    return services.give_opinion(p, _order(post), by=by, kind=post.get("kind", ""), reasons=post.get("reasons", ""),
                                 conditions=post.get("conditions", ""), simulated=post.get("simulated") == "on")  # fmt: skip


def _accept(p, by, post):
    return services.accept_stage(p, _order(post), by=by, form_data=_form_data(post) or None,
                                 tolerated=_tolerated(post),
                                 supply_by=_date(post["supply_by"], "承诺补齐日期") if post.get("supply_by") else None)  # fmt: skip


def _meeting(p, by, post):
    departments = list(Department.objects.filter(code__in=post.getlist("departments")))
    return meetings.schedule_meeting(p, _order(post), by=by, kind=post.get("kind", ""),
                                     on=_date(post.get("on"), "会商日期"), place=post.get("place", ""),
                                     departments=departments)  # fmt: skip


def _pk(post, name: str) -> int:
    """A row named in the form (a hidden field): anything but a number names nothing."""
    value = post.get(name) or ""
    return int(value) if value.isdigit() else 0


def _attendance(p, by, post):
    meeting = JointMeeting.objects.filter(pk=_pk(post, "meeting"), stage__project=p).first()
    if meeting is None:
        raise NotFound("project.meeting_not_found", "未找到该会商。")
    kind = post.get("kind", "")
    stage_opinion = {
        "kind": kind,
        "reasons": post.get("reasons", ""),
        "conditions": post.get("conditions", ""),
    }
    return meetings.record_attendance(meeting, by=by, attended=post.get("attended") == "yes",
                                      opinion=post.get("opinion", ""), stage_opinion=stage_opinion if kind else None)  # fmt: skip


def _meeting_held(p, by, post):
    meeting = JointMeeting.objects.filter(pk=_pk(post, "meeting"), stage__project=p).first()
    if meeting is None:
        raise NotFound("project.meeting_not_found", "未找到该会商。")
    attended = [int(v) for v in post.getlist("attended") if v.isdigit()]
    return meetings.record_meeting_held(meeting, by=by, attended=attended)


def _assign(p, by, post):
    agent = User.objects.filter(username=post.get("agent", "")).first()
    if agent is None:
        raise DomainError("project.not_an_agent", "请选择本中心在岗的项目代办员。")
    return services.assign_agent(p, by=by, agent=agent)


def _revoke(p, by, post):
    found = Authorisation.objects.filter(pk=_pk(post, "authorisation"), project=p).first()
    if found is None:
        raise NotFound("project.authorisation_not_found", "未找到该代办委托。")
    return services.revoke_authorisation(found, by=by)


# One entry per form on the project page: parse the post, call the one service it names.
ACTIONS = {
    "apply": lambda p, by, post: services.apply_stage(p, _order(post), by=by, form_data=_form_data(post)),
    "accept": _accept,
    "opinion": _opinion,
    "confirm": lambda p, by, post: services.confirm_opinion(p, _order(post), by=by),
    "close": lambda p, by, post: services.close_stage(p, _order(post), by=by, conclusion=post.get("conclusion", "")),
    "meeting": _meeting,
    "attendance": _attendance,
    "meeting-held": _meeting_held,
    "assign-agent": _assign,
    "authorise": lambda p, by, post: services.authorise_agent(
        p, by=by, valid_until=_date(post.get("valid_until"), "委托有效期"),
        stage=_order(post) if post.get("stage") else None),
    "revoke": _revoke,
}  # fmt: skip


@requires()
@require_POST
def project_action(request, code: str, action: str):
    project = queries.project_for(request.user, code)
    inbox = request.POST.get("back") == "inbox"  # posted from the opinion inbox's inline forms
    return dispatch(
        request, ACTIONS, action, project, unknown=NotFound("project.unknown_action", "没有这项操作。"),
        done=reverse("projects:inbox") if inbox else reverse("projects:project", args=[project.code]),
        refused=lambda exc: _page(request, queries.project_for(request.user, code), error=exc.message,
                                  status=exc.status),
    )  # fmt: skip


# ---- staff: the opinion inbox and a department's record --------------------------------------


@requires(Role.REVIEWER, Role.DEPARTMENT_HEAD)
@require_GET
def inbox(request):
    """并联审查待办: opinions owed by the department (most urgent first, with inline forms),
    stages open to a simulated opinion, and the stages it leads."""
    staff = staff_of(request.user)
    if staff is None or staff.department_id is None:
        raise Forbidden("project.no_department", "待办按部门列出，您的账号不属于任何部门。")
    return render(request, "projects/inbox.html", {
        "department": staff.department, **queries.opinion_inbox(staff.department_id),
        "opinion_kinds": Opinion.Kind.choices, "stage_status": Stage.Status,
    })  # fmt: skip


@requires(Role.REVIEWER, Role.DEPARTMENT_HEAD, Role.SUPERVISOR, Role.HALL_ADMIN)
@require_GET
def silent_consents(request, code: str):
    """超时默认记录: every silent consent counted against the department (supervision)."""
    department = Department.objects.filter(code=code).first()
    if department is None or not queries.may_see_department_record(request.user, department):
        raise NotFound("project.department_not_found", "未找到该部门。")
    total, rows = queries.silent_consents_of(department)
    return render(
        request, "projects/silent_consents.html", {"department": department, "total": total, "rows": rows}
    )
