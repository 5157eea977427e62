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
from onewindow.catalog import queries, search, services
from onewindow.catalog.models import ItemType, ItemVersion, ServiceItem
from onewindow.errors import NotFound
from onewindow.pdf import render_pdf


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
    """智能导办. An htmx request (typing on the home page) gets only the list of hits."""
    q = (request.GET.get("q") or "").strip()[:100]
    hits = search.guide(q, limit=10) if q else []
    template = "catalog/_hits.html" if request.headers.get("HX-Request") else "catalog/search.html"
    return render(request, template, {"q": q, "hits": hits})


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
