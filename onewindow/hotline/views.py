"""12345 pages: the operator's workbench (/staff/hotline/: the new-order form with the caller's
history, the lists by status with their lights), the order page (the actions `allowed_actions`
gives — the same rule the steps check — and the event chain), and a department's list
(/staff/hotline/department/). Thin views: parse, check access, call one step, render (STYLE.md).
The caller's phone is masked (decision 18) everywhere but the operator's own form."""

from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow import uploads
from onewindow.accounts.models import DEPARTMENT_ROLES, Department, Hall
from onewindow.accounts.permissions import requires
from onewindow.accounts.queries import staff_of
from onewindow.actions import dispatch
from onewindow.errors import DomainError, Forbidden, NotFound
from onewindow.hotline import flow, knowledge, queries, services
from onewindow.hotline.models import (
    ORDER_OPEN,
    Category,
    Objection,
    ObjectionStatus,
    OrderChannel,
    OrderStatus,
    OrderType,
    ReplyTemplate,
    Satisfaction,
    WorkOrder,
)
from onewindow.hotline.queries_history import caller_history as history_of


def _kb_hits(text: str) -> list:
    """The knowledge base's answers for what the caller asks (直接答复 when it covers it)."""
    text = (text or "").strip()[:200]
    return knowledge.search(text) if text else []


def category_tree() -> list[tuple[Category, int]]:
    """The active categories in tree order with their depth (configuration: a few hundred rows)."""
    categories = list(Category.objects.filter(is_active=True).order_by("order", "code"))
    children: dict = {}
    for c in categories:
        children.setdefault(c.parent_id, []).append(c)
    out: list[tuple[Category, int]] = []

    def walk(parent_id, depth):
        for c in children.get(parent_id, []):
            out.append((c, depth))
            walk(c.pk, depth + 1)

    walk(None, 0)
    known = {c.pk for c in categories}
    out += [
        (c, 0) for c in categories if c.parent_id is not None and c.parent_id not in known
    ]  # parent inactive
    return out


def _workbench(request, *, form=None, error: str = "", status: int = 200):
    g = request.GET
    filters = {
        "status": g.get("status", ""),
        "overdue_only": g.get("overdue") == "1",
        "q": g.get("q", "")[:40],
    }
    if filters["status"] and filters["status"] not in OrderStatus.values:
        filters["status"] = ""
    rows = queries.lighted(queries.office_list(request.user, **filters)[:200])
    form = form or {}
    phone = (form.get("caller_phone") or g.get("phone", "")).strip()
    return render(request, "hotline/workbench.html", {
        "rows": rows, "filters": filters, "statuses": OrderStatus.choices, "channels": OrderChannel.choices,
        "types": OrderType.choices, "categories": category_tree(), "form": form, "error": error,
        "history": history_of(phone), "phone": phone, "hits": _kb_hits(g.get("kb", "")),
    }, status=status)  # fmt: skip


@requires(*queries.OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def workbench(request):
    """话务员工作台: take a call (the form), the caller's history, the lists by status with lights."""
    if request.method == "GET":
        return _workbench(request)
    post = request.POST
    try:
        with transaction.atomic():
            category = Category.objects.filter(pk=post.get("category")).first() if post.get("category", "").isdigit() else None  # fmt: skip
            staff = staff_of(request.user)
            order = services.receive(
                region=staff.hall.region if staff else _default_region(), channel=post.get("channel", ""),
                type=post.get("type", ""), category=category, title=post.get("title", ""),
                content=post.get("content", ""), caller_name=post.get("caller_name", ""),
                caller_phone=post.get("caller_phone", ""), address=post.get("address", ""),
                latitude=post.get("latitude", ""), longitude=post.get("longitude", ""), by=request.user,
            )  # fmt: skip
            flow.attach(order, request.FILES.getlist("attachments"))
    except DomainError as exc:
        return _workbench(request, form=post, error=exc.message, status=exc.status)
    return redirect("hotline:order", order.number)


def _default_region():
    hall = Hall.objects.order_by("pk").first()
    if hall is None:
        raise DomainError("hotline.no_region", "尚未配置政务服务中心，无法确定工单的所属区划。")
    return hall.region


@requires(*queries.OFFICE_ROLES)
@require_GET
def caller_history(request):
    """The caller's previous orders (htmx, as the operator types the phone)."""
    phone = request.GET.get("caller_phone", request.GET.get("phone", ""))[:20]
    return render(request, "hotline/_history.html", {"history": history_of(phone), "phone": phone})


@requires(*DEPARTMENT_ROLES)
@require_GET
def department_list(request):
    """本部门热线工单: the orders dispatched to my department (lead or assisting), with lights."""
    staff = staff_of(request.user)
    if staff is None or staff.department_id is None:
        raise Forbidden("hotline.role", "只有部门工作人员可以查看本部门的热线工单。")
    status = request.GET.get("status", "")
    status = status if status in (OrderStatus.DISPATCHED, OrderStatus.HANDLING) else ""
    rows = queries.lighted(queries.department_list(staff.department_id, status=status)[:200])
    return render(request, "hotline/department.html", {
        "rows": rows, "status": status, "department": staff.department,
        "statuses": [(OrderStatus.DISPATCHED, "待签收"), (OrderStatus.HANDLING, "办理中")],
    })  # fmt: skip


def _page(request, number: str, *, error: str = "", status: int = 200):
    order = queries.order_for(request.user, number)
    actions = flow.allowed_actions(order, request.user)
    left = queries.days_left(order)
    return render(request, "hotline/order.html", {
        "order": order, "days_left": left, "actions": actions,
        "light": queries.lighted([order])[0][2] if left is not None else "",
        "events": [(e, flow.ACTION_LABELS.get(e.action, e.action)) for e in queries.events_of(order)],
        "assignments": order.assignments.select_related("department").order_by("assigned_at", "pk"),
        "objections": order.objections.select_related("department").order_by("filed_at"),
        "pending": order.objections.filter(status=ObjectionStatus.PENDING).select_related("department"),
        "attachments": order.attachments.all(),
        "duplicates": list(queries.duplicates_of(order)[:10]) if order.status in ORDER_OPEN else [],
        "departments": Department.objects.order_by("code"), "satisfactions": Satisfaction.choices,
        "templates": ReplyTemplate.objects.filter(Q(category=order.category_id) | Q(category=None), is_active=True)[:20],
        "is_office": flow.is_office(request.user), "error": error,
        # The title sums the request up; the whole content dilutes the relevance (decision 42).
        "hits": (_kb_hits(order.title) or _kb_hits(order.content)) if "answer_directly" in actions else [],
    }, status=status)  # fmt: skip


@requires(*queries.STAFF_ROLES)
@require_GET
def order_page(request, number: str):
    return _page(request, number)


@requires(*queries.STAFF_ROLES)
@require_GET
def attachment(request, number: str, pk: int):
    """A photo or scan of the order, inline, to those who may see the order (404 to anyone else:
    the same rule as the order page); never a public media address."""
    order = queries.order_for(request.user, number)
    found = order.attachments.filter(pk=pk).first()
    if found is None:
        raise NotFound("hotline.attachment_not_found", "附件不存在。")
    return uploads.inline(found.file.open("rb"), found.content_type, found.name)


def _department(post, field: str = "department"):
    code = post.get(field, "")
    return Department.objects.filter(code=code).first() if code else None


def _objection(order, post):
    pk = post.get("objection", "")
    return Objection.objects.filter(order=order, pk=pk).first() if pk.isdigit() else None


def _into(order, post):
    return WorkOrder.objects.filter(number=post.get("into", "").strip()).first()


ACTIONS = {
    "answer_directly": lambda o, by, p: flow.answer_directly(o, by=by, answer=p.get("answer", "")),
    "dispatch": lambda o, by, p: flow.dispatch(o, by=by, lead=_department(p, "lead"),
                                               assisting=[_department({"d": c}, "d") for c in p.getlist("assisting")],
                                               note=p.get("note", "")),
    "sign": lambda o, by, p: flow.sign(o, by=by),
    "transfer": lambda o, by, p: flow.transfer(o, by=by, to=_department(p), reason=p.get("reason", "")),
    "object": lambda o, by, p: flow.object_to(o, by=by, reason=p.get("reason", "")),
    "decide_objection": lambda o, by, p: flow.decide_objection(o, by=by, objection=_objection(o, p),
                                                               upheld=p.get("upheld") == "1", reason=p.get("reason", "")),
    "reply": lambda o, by, p: flow.reply(o, by=by, text=p.get("text", "")),
    "close": lambda o, by, p: flow.close(o, by=by),
    "callback": lambda o, by, p: flow.callback(o, by=by, process=p.get("process", ""), result=p.get("result", ""),
                                               note=p.get("note", "")),
    "reopen": lambda o, by, p: flow.reopen(o, by=by, reason=p.get("reason", "")),
    "merge": lambda o, by, p: flow.merge(o, by=by, into=_into(o, p), note=p.get("note", "")),
}  # fmt: skip


@requires(*queries.STAFF_ROLES)
@require_POST
def order_action(request, number: str, action: str):
    order = queries.order_for(request.user, number)
    return dispatch(
        request, ACTIONS, action, order,
        unknown=NotFound("hotline.unknown_action", "没有这项操作。"),
        done=reverse("hotline:order", args=[number]),
        refused=lambda exc: _page(request, number, error=exc.message, status=exc.status),
    )  # fmt: skip
