"""材料在线查阅 and 网上补正 (issue 15 item 2): a material's page (the image, or a PDF's page
thumbnails, its earlier files and the clerk's mark), the file itself served inline by a view that
checks who asks (cases.material_files), and the applicant's online supplement. Thin views."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from onewindow import uploads
from onewindow.accounts.permissions import requires
from onewindow.accounts.queries import staff_of
from onewindow.cases import material_files, pages, queries, services
from onewindow.cases.forms import SupplementForm
from onewindow.cases.models import CaseMaterial, Mark
from onewindow.errors import DomainError, NotFound


def _serve(opened: material_files.Opened):
    return uploads.inline(opened.path.open("rb"), opened.content_type, opened.download_name)


@requires()
@require_GET
def material_file(request, number: str, pk: int, earlier: int | None = None):
    """The material's file (or an earlier one), inline; 404 to anyone the case is hidden from."""
    return _serve(material_files.open_file(request.user, number, pk, earlier_id=earlier))


@requires()
@require_GET
def material_page_image(request, number: str, pk: int, page: int):
    """One page's thumbnail of a PDF material (a read of its content: logged the same way)."""
    return _serve(material_files.open_file(request.user, number, pk, page=page))


@requires()
@require_GET
def material_page(request, number: str, pk: int):
    """The material on screen: an image shown, a PDF as page thumbnails; for staff its earlier
    files and the mark form (offered by cases.services.allowed_actions, as the case page)."""
    case = queries.case_for(request.user, number)  # 404 for anyone the case is hidden from
    row = case.materials.select_related("material", "marked_by").filter(pk=pk).first()
    if row is None:
        raise NotFound("case.material_not_found", "未找到该材料。")
    staff = request.user.is_superuser or staff_of(request.user) is not None
    shown, total = material_files.pages_of(row.file.name) if row.file else (0, None)
    return render(request, "cases/material.html", {
        "case": case, "m": row, "staff": staff, "is_pdf": material_files.is_pdf(row.file.name or ""),
        "pages": range(1, shown + 1), "total_pages": total,
        "earlier": material_files.earlier_files(row) if staff else [],
        "may_mark": staff and row.state == CaseMaterial.State.RECEIVED
        and "mark_material" in services.allowed_actions(case, request.user),
        "marks": Mark.choices, "note_max": CaseMaterial._meta.get_field("mark_note").max_length,
    })  # fmt: skip


@requires()
@require_POST
def my_case_supplement(request, number: str):
    """网上补正: the applicant uploads the corrected files against the materials the notice
    lists (type and size checked as at application); the case returns to 网上预审."""
    case = pages.my_case(request.user, number)
    sheet = pages.applicant_sheet(case)
    form = SupplementForm(request.POST, request.FILES, materials=sheet["notice"])
    status = 400
    if form.is_valid():
        uploads = form.uploads()
        try:
            services.supplement(case, by=request.user, materials=list(uploads), files=uploads)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            return redirect("cases:my-case", number)
    return render(request, "cases/my_case.html", {**sheet, "upload": form}, status=status)
