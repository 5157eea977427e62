"""The pages after the selection (issue 19 items 4–6): the contract page (the owner signs,
returns, accepts and evaluates; the agency delivers and evaluates; both see the deadline with its
light; hall management reads it), the public grade report, the agency's appeal of its grade, and
hall management's grades page (compute, publish, misconduct, appeals). Thin views: parse, check
access, call one service (contracts.py, grades.py), render."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow import clock, inputs
from onewindow.accounts.permissions import public, requires
from onewindow.actions import dispatch
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.market import contracts, grades, services
from onewindow.market.audit import PURCHASE_ACTIONS
from onewindow.market.models import Agency, Grade, GradeAppeal, Misconduct, Purchase, YearGrade

MANAGEMENT = services.MANAGEMENT
EVENT_LABELS = PURCHASE_ACTIONS
SCORES = [(n, f"{n}分") for n in (5, 4, 3, 2, 1)]


# ---- the contract page ------------------------------------------------------------------------------


def _contract_page(request, number: str, *, error: str = "", status: int = 200):
    purchase = contracts.purchase_for(request.user, number)
    contract = contracts.contract_of(purchase)
    evaluations = list(contract.evaluations.order_by("direction")) if contract else []
    left = contracts.days_left(contract) if contract and contract.delivered_at is None else None
    return render(request, "market/contract.html", {
        "purchase": purchase, "contract": contract, "offer": purchase.selected,
        "side": contracts.side_of(purchase, request.user), "actions": contracts.allowed_actions(purchase, request.user),
        "light": contracts.light(contract) if contract else "",
        "days_left": left, "days_over": -left if left is not None and left < 0 else 0,
        "evaluations": evaluations, "scores": SCORES, "fee": services.yuan(contract.fee_fen if contract else purchase.selected.offer_fen),
        "events": [(e, EVENT_LABELS.get(e.action, e.action)) for e in purchase.events.select_related("actor").order_by("seq")],
        "error": error,
    }, status=status)  # fmt: skip


@requires()
@require_GET
def contract(request, number: str):
    return _contract_page(request, number)


def _signed(purchase: Purchase):
    found = contracts.contract_of(purchase)
    if found is None:
        raise Conflict("market.no_contract", "本项目尚未签订合同。")
    return found


CONTRACT_ACTIONS = {
    "sign": lambda p, by, post: contracts.sign(p, by=by),
    "deliver": lambda p, by, post: contracts.deliver(_signed(p), by=by, note=post.get("note", "")),
    "return": lambda p, by, post: contracts.return_delivery(_signed(p), by=by, reason=post.get("reason", "")),
    "accept": lambda p, by, post: contracts.accept(_signed(p), by=by),
    "evaluate": lambda p, by, post: contracts.evaluate(_signed(p), by=by, quality=post.get("quality", ""),
                                                      timeliness=post.get("timeliness", ""),
                                                      conduct=post.get("conduct", ""), comment=post.get("comment", "")),
}  # fmt: skip


@requires()
@require_POST
def contract_action(request, number: str, action: str):
    purchase = contracts.purchase_for(request.user, number)
    return dispatch(
        request, CONTRACT_ACTIONS, action, purchase,
        unknown=NotFound("market.unknown_action", "没有这项操作。"),
        done=reverse("market_contracts:contract", args=[number]),
        refused=lambda exc: _contract_page(request, number, error=exc.message, status=exc.status),
    )  # fmt: skip


# ---- the public grade report --------------------------------------------------------------------------


def _with_percent(rows: list[YearGrade]) -> list[YearGrade]:
    for r in rows:
        r.rate_percent = (r.on_time_rate * 100).quantize(grades.CENT) if r.on_time_rate is not None else None
    return rows


def _year(value, default: int) -> int:
    return (
        int(value)
        if str(value).isdigit() and grades.FIRST_YEAR <= int(value) <= clock.today().year
        else default
    )


@public
@require_GET
def grade_report(request):
    """年度信用等级公示: the published grades of a year by grade, the counts, the warning list (C)
    and the blacklist (D); an agency sees its own grade with the appeal link while it may."""
    years = grades.published_years()
    year = _year(request.GET.get("year", ""), years[0] if years else clock.today().year - 1)
    rows = _with_percent(list(grades.published(year)))
    agency = services.agency_of(request.user)
    mine = next((r for r in rows if agency is not None and r.agency_id == agency.pk), None)
    return render(request, "market/grade_report.html", {
        "year": year, "years": years, "rows": rows, "counts": grades.counts(year),
        "warning": [r for r in rows if r.grade == Grade.C], "blacklist": [r for r in rows if r.grade == Grade.D],
        "mine": mine, "may_appeal": mine is not None and grades.appeal_refusal(mine, clock.today()) is None,
        "settings": services.market_settings(), "neutral_percent": int(grades.NEUTRAL_SHARE * 100),
    })  # fmt: skip


# ---- the agency's appeal -------------------------------------------------------------------------------


def _own_grade(request, year: int) -> YearGrade:
    agency = services.agency_of(request.user)
    if agency is None:
        raise Forbidden("market.not_agency", "只有中介机构可以对本机构的等级提出申诉。")
    found = YearGrade.objects.filter(agency=agency, year=year, status=YearGrade.Status.PUBLISHED).first()
    if found is None:
        raise NotFound("market.grade_not_found", f"本机构没有已公布的{year}年度等级。")
    return found


@requires()
@require_http_methods(["GET", "POST"])
def appeal(request, year: int):
    """等级申诉: the agency's own published grade of the year, its figures and the appeal form."""
    year_grade = _with_percent([_own_grade(request, year)])[0]
    error, status = "", 200
    if request.method == "POST":
        try:
            grades.appeal(year_grade, by=request.user, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, "申诉已提交，请等待大厅管理办处理。")
            return redirect("market_contracts:appeal", year=year)
    return render(request, "market/grade_appeal.html", {
        "yg": year_grade, "appeals": year_grade.appeals.all(), "error": error,
        "refusal": grades.appeal_refusal(year_grade, clock.today()),
    }, status=status)  # fmt: skip


# ---- hall management's grades page ---------------------------------------------------------------------


def _staff_page(request, *, year: int | None = None, error: str = "", status: int = 200):
    year = year or _year(request.GET.get("year", ""), clock.today().year - 1)
    rows = _with_percent(
        list(YearGrade.objects.filter(year=year).select_related("agency").order_by("-points", "agency__name"))
    )
    published = any(r.status == YearGrade.Status.PUBLISHED for r in rows)
    return render(request, "market/grade_staff.html", {
        "year": year, "years": list(range(clock.today().year, grades.FIRST_YEAR - 1, -1))[:6], "rows": rows,
        "published": published, "counts": grades.counts(year) if published else None,
        "may_publish": bool(rows) and not published and year < clock.today().year,
        "agencies": grades.graded_agencies(year).order_by("name"),
        "misconduct": Misconduct.objects.filter(occurred_on__year=year).select_related("agency", "purchase"),
        "kinds": Misconduct.Kind.choices, "appeals": grades.pending_appeals(), "grade_choices": Grade.choices,
        "decided": GradeAppeal.objects.exclude(status=GradeAppeal.Status.PENDING).select_related(
            "year_grade__agency")[:20],
        "settings": services.market_settings(), "neutral_percent": int(grades.NEUTRAL_SHARE * 100),
        "today": clock.today(), "error": error,
    }, status=status)  # fmt: skip


@requires(*MANAGEMENT)
@require_GET
def grade_staff(request):
    return _staff_page(request)


def _date(value) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return day if inputs.YEARS[0] <= day.year <= inputs.YEARS[1] else None


def _misconduct(post, by):
    agency = (
        Agency.objects.filter(pk=post.get("agency")).first() if post.get("agency", "").isdigit() else None
    )
    if agency is None:
        raise DomainError("market.agency_required", "请选择中介机构。", details={"field": "agency"})
    number = post.get("purchase", "").strip()
    purchase = Purchase.objects.filter(number=number).first() if number else None
    if number and purchase is None:
        raise DomainError(
            "market.purchase_unknown", f"项目编号{number[:20]}不存在。", details={"field": "purchase"}
        )
    return grades.record_misconduct(agency, kind=post.get("kind", ""), occurred_on=_date(post.get("occurred_on")),
                                    detail=post.get("detail", ""), purchase=purchase, by=by)  # fmt: skip


def _decide(post, by):
    found = (
        GradeAppeal.objects.filter(pk=post.get("appeal")).first()
        if post.get("appeal", "").isdigit()
        else None
    )
    if found is None:
        raise NotFound("market.appeal_not_found", "未找到该申诉。")
    return grades.decide_appeal(found, by=by, upheld=post.get("upheld") == "1", decision=post.get("decision", ""),
                                new_grade=post.get("new_grade", ""))  # fmt: skip


STAFF_ACTIONS = {
    "compute": lambda year, by, post: grades.compute(year, by=by),
    "publish": lambda year, by, post: grades.publish(year, by=by),
    "misconduct": lambda year, by, post: _misconduct(post, by),
    "decide": lambda year, by, post: _decide(post, by),
}
DONE = {"compute": "已计算{year}年度等级，公布前可重新计算。", "publish": "已公布{year}年度等级。",
        "misconduct": "已记录。", "decide": "申诉已处理。"}  # fmt: skip


@requires(*MANAGEMENT)
@require_POST
def grade_staff_action(request, action: str):
    year = _year(request.POST.get("year", ""), clock.today().year - 1)

    def done(_):
        messages.success(request, DONE[action].format(year=year))
        return redirect(reverse("market_contracts:grades-staff") + f"?year={year}")

    return dispatch(
        request, STAFF_ACTIONS, action, year, unknown=NotFound("market.unknown_action", "没有这项操作。"), done=done,
        refused=lambda exc: _staff_page(request, year=year, error=exc.message, status=exc.status),
    )  # fmt: skip
