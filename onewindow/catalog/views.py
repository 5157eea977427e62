"""Portal pages of the catalog (no login), and the staff page for proposing and publishing."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.static import serve

from onewindow.accounts.models import Department, Role
from onewindow.accounts.permissions import public, requires
from onewindow.accounts.queries import has_role, staff_of
from onewindow.actions import dispatch
from onewindow.catalog import queries, search, services, unmatched
from onewindow.catalog.models import ItemType, ItemVersion, ServiceItem, UnmatchedQuestion
from onewindow.errors import NotFound
from onewindow.pdf import render_pdf
from onewindow.ratelimit import client_address


@public
def items_index(request):
    department = request.GET.get("department") or None
    life_event = request.GET.get("life_event") or None
    item_type = request.GET.get("type") or None
    versions = queries.published_versions(department=department, type=item_type, life_event=life_event)
    return render(request, "catalog/items.html", {
        "versions": versions, "departments": Department.objects.filter(items__isnull=False).distinct(),
        "life_events": queries.life_events(), "types": ItemType.choices,
        "selected": {"department": department, "life_event": life_event, "type": item_type},
    })  # fmt: skip


@public
def item_guide(request, code: str):
    version = queries.item_version(code, queries.parse_version_number(request.GET.get("version")))
    is_current = version.item.current_id == version.pk and version.item.withdrawn_at is None
    return render(request, "catalog/guide.html", {"v": version, "is_current": is_current})


@public
def checklist_pdf(request, code: str):
    """一次性告知单: everything to bring, printable before coming to the hall."""
    version = queries.item_version(code, queries.parse_version_number(request.GET.get("version")))
    # No base URL from the request: the sheet links nowhere and loads nothing (onewindow.links).
    pdf = render_pdf("catalog/checklist_pdf.html", {"v": version})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="checklist-{version.item.code}-v{version.number}.pdf"'
    )
    return response


@public
def public_file(request, path: str):
    """Blank forms and samples of the catalog are public; nothing else under MEDIA_ROOT is
    served from here (a case's materials never are). Behind a proxy, serve this folder there."""
    return serve(request, path, document_root=settings.MEDIA_ROOT / "catalog")


@public
def department_page(request, code: str):
    department = get_object_or_404(Department, code=code)
    versions = queries.published_versions(department=code)
    return render(request, "catalog/department.html", {"department": department, "versions": versions})


@public
def bundle_page(request, code: str):
    return render(request, "catalog/bundle.html", {"bundle": queries.bundle(code)})


@public
def guide_search(request):
    """智能导办. An htmx request (typing on the home page) gets only the list of hits. A question
    with no relevant item gets the honest answer (12345 and the hall's phone); when it was
    submitted (not while typing) by someone other than hall staff, it is logged for the catalog
    managers (未找到事项的提问)."""
    q = (request.GET.get("q") or "").strip()[: unmatched.MAX_LENGTH]
    hits = search.guide(q, limit=10) if q else []
    hall = queries.guide_hall(request.GET.get("hall")) if q and not hits else None
    typing = bool(request.headers.get("HX-Request"))
    logged = hall is not None and not typing and staff_of(request.user) is None
    if logged:
        unmatched.record(
            q, hall=hall, channel=UnmatchedQuestion.Channel.PORTAL, client=client_address(request)
        )
    template = "catalog/_hits.html" if typing else "catalog/search.html"
    return render(request, template, {"q": q, "hits": hits, "hall": hall, "logged": logged})


@requires(Role.HALL_ADMIN)
def staff_questions(request):
    """未找到事项的提问 of this hall, most asked first: the material for the next catalog edit."""
    handled = request.GET.get("handled") == "1"
    rows = unmatched.questions(request.user, handled=handled)[:200]
    return render(request, "catalog/staff_questions.html", {"rows": rows, "handled": handled})


@requires(Role.HALL_ADMIN)
@require_POST
def staff_question_handled(request, pk: int):
    unmatched.mark_handled(pk, by=request.user)
    return redirect("catalog:questions")


@requires(Role.HALL_ADMIN, Role.DEPARTMENT_HEAD)
def staff_catalog(request):
    """Drafts and proposals waiting for this person: heads propose, admins publish."""
    open_versions = ItemVersion.objects.filter(
        state__in=[ItemVersion.State.DRAFT, ItemVersion.State.PROPOSED]
    ).select_related("item__department", "proposed_by")
    staff = staff_of(request.user)
    if not has_role(request.user, Role.HALL_ADMIN):
        open_versions = open_versions.filter(item__department_id=staff.department_id)
    return render(request, "catalog/staff_catalog.html", {
        "versions": open_versions.order_by("state", "item__code"), "is_admin": has_role(request.user, Role.HALL_ADMIN),
    })  # fmt: skip


ACTIONS = {
    "propose": lambda v, by, p: services.propose(v, by=by),
    "publish": lambda v, by, p: services.publish(v, by=by),
    "return": lambda v, by, p: services.return_to_draft(v, by=by),
}


@requires(Role.HALL_ADMIN, Role.DEPARTMENT_HEAD)
@require_POST
def staff_catalog_action(request, code: str, number: int, action: str):
    """A refusal shows as the error page (no form to show again on the list)."""
    version = get_object_or_404(ItemVersion, item__code=code, number=number)
    return dispatch(
        request,
        ACTIONS,
        action,
        version,
        unknown=NotFound("catalog.unknown_action", "没有这项操作。"),
        done=reverse("catalog:staff"),
    )


@requires(Role.HALL_ADMIN)
@require_POST
def staff_start_draft(request, code: str):
    services.start_draft(get_object_or_404(ServiceItem, code=code), by=request.user)
    return redirect("catalog:staff")
