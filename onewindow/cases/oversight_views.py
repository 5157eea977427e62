"""Pages of what is owed after a case's answer (issue 13 rule 8): the department's 告知承诺核查
still due, and the hall's 否决报备 of project cases. Thin views: read, render (STYLE.md)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.accounts.permissions import requires
from onewindow.accounts.queries import staff_of
from onewindow.cases import commitment_checks, veto_filings
from onewindow.errors import Forbidden
from onewindow.workdays import calendar


@requires(Role.REVIEWER, Role.DEPARTMENT_HEAD)
@require_GET
def commitment_checks_due(request):
    """告知承诺核查: the department's checks still due, most urgent first, each with its
    working-day due date and light (red: overdue); then the latest recorded."""
    staff = staff_of(request.user)
    if staff is None or staff.department_id is None:
        raise Forbidden("case.no_department", "核查按部门列出，您的账号不属于任何部门。")
    today_seq = calendar.seq(clock.today())
    due = list(commitment_checks.due(staff.department_id)[:200])
    for check in due:
        check.light = commitment_checks.light(check, today_seq)
    return render(request, "cases/commitment_checks.html", {
        "department": staff.department, "due": due, "overdue": sum(c.light == "red" for c in due),
        "done": commitment_checks.done(staff.department_id),
    })  # fmt: skip


@requires(Role.SUPERVISOR, Role.HALL_ADMIN)
@require_GET
def veto_filings_list(request):
    """否决报备: the refusals and denials of project cases filed to hall management, newest first."""
    page = Paginator(veto_filings.visible_to(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "cases/veto_filings.html", {"page": page})
