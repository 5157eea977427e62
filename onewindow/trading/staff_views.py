"""The trading center's workbench (/staff/trading/): projects by what needs doing next, and the
register form (/staff/trading/new/, 发布公告). Supervisors and hall admins read every project, a
supervising department's staff its own (services.is_overseer); only the trading center acts."""

import datetime as dt

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from onewindow import clock, inputs
from onewindow.accounts.models import Department
from onewindow.accounts.permissions import requires
from onewindow.errors import DomainError, Forbidden
from onewindow.trading import services, stats
from onewindow.trading.models import KIND_METHODS, Kind, Method, Project
from onewindow.workdays import calendar

S = Project.Status
CLOSED_SHOWN = 30
# The workbench's groups, in the order work is done: (key, heading, hint).
GROUPS = (
    ("open", "待开标", "投标截止时间已到：开标（不足法定家数则流标）"),
    ("draw", "待抽取评标专家", "已开标：按公布的种子抽取评标专家"),
    ("confirm", "待专家确认 / 待开始评标", "专家全部确认后开始评标"),
    ("evaluating", "评标中", "评委全部提交评分后发布评标报告"),
    ("auction", "待公布竞价结果", "土地、产权交易：已开标，公布价高者"),
    ("publicity", "候选人公示中", "公示期满且无未答复异议后，招标人定标"),
    ("awarded", "已定标待签约", "招标人登记合同"),
    ("announced", "公告中", "投标截止前：接收密封投标文件"),
)


def todo(p: Project, now: dt.datetime) -> str:
    if p.status == S.ANNOUNCED:
        return "open" if now >= p.opening_at else "announced"
    if p.status == S.OPENED:
        return "auction" if p.is_auction else ("draw" if p.drawn_at is None else "confirm")
    return {S.EVALUATING: "evaluating", S.PUBLICITY: "publicity", S.AWARDED: "awarded"}[p.status]


@requires()
@require_GET
def workbench(request):
    now = clock.now()
    rows = services.watched_projects(request.user).select_related("owner", "supervisor")
    live = rows.exclude(status__in=(S.CONTRACTED, S.FAILED, S.CANCELLED)).order_by("opening_at", "pk")
    grouped: dict[str, list] = {key: [] for key, _, _ in GROUPS}
    for p in live:
        grouped[todo(p, now)].append(p)
    closed = rows.filter(status__in=(S.CONTRACTED, S.FAILED, S.CANCELLED)).order_by("-announced_at", "-pk")
    return render(request, "trading/workbench.html", {
        "groups": [(key, title, hint, grouped[key]) for key, title, hint in GROUPS],
        "closed": closed[:CLOSED_SHOWN], "is_officer": services.is_officer(request.user), "now": now,
        "may_read_stats": stats.may_read(request.user),
    })  # fmt: skip


def _default(days: int, time: str) -> str:
    try:
        day = calendar.add_workdays(clock.today(), days)
    except DomainError:  # no calendar for these days
        day = clock.today() + dt.timedelta(days=days * 7 // 5 + 2)
    return f"{day.isoformat()}T{time}"


def _announce(by, form) -> Project:
    department = str(form.get("supervisor", ""))
    return services.announce(
        by=by, owner=services.owner_by_credit_code(form.get("owner", "")), kind=form.get("kind", ""),
        method=form.get("method", ""), title=form.get("title", ""),
        budget_fen=services.parse_yuan(form.get("budget", ""), "budget", "预算金额"),
        supervisor=Department.objects.filter(pk=department).first() if department.isdigit() else None,
        description=form.get("description", ""), documents=form.get("documents", ""), agency=form.get("agency", ""),
        clarification_until=inputs.parse_datetime(form.get("clarification_until"), "clarification_until", "澄清截止时间",
                                                   prefix="trading"),
        opening_at=inputs.parse_datetime(form.get("opening_at"), "opening_at", "投标截止/开标时间", prefix="trading"),
        price_weight=services.parse_int(form.get("price_weight", ""), "price_weight", "价格分权重", 10, 100),
        committee_size=services.parse_int(form.get("committee_size", "0") or "0", "committee_size", "评标委员会人数",
                                          0, services.COMMITTEE_MAX),
        economic_experts=services.parse_int(form.get("economic_experts", "0") or "0", "economic_experts",
                                            "经济专家人数", 0, services.COMMITTEE_MAX),
        specialty=form.get("specialty", ""),
        reserves=services.parse_int(form.get("reserves", "0") or "0", "reserves", "备选专家人数", 0, 5),
    )  # fmt: skip


@requires()
@require_http_methods(["GET", "POST"])
def new_project(request):
    """发布交易公告: the trading center registers the owner's project."""
    if not services.is_officer(request.user):
        raise Forbidden("trading.not_officer", "只有公共资源交易中心工作人员可以登记发布交易项目。")
    form, error, status = {}, "", 200
    if request.method == "POST":
        form = request.POST
        try:
            project = _announce(request.user, form)
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect("trading:project", project.number)
    return render(request, "trading/new.html", {
        "form": form, "error": error, "kinds": Kind.choices, "methods": Method.choices,
        "kind_methods": {m: " ".join(k for k, ms in KIND_METHODS.items() if m in ms) for m in Method.values},
        "departments": Department.objects.order_by("code"),
        "default_clarification": _default(8, "17:00"), "default_opening": _default(16, "09:30"),
    }, status=status)  # fmt: skip
