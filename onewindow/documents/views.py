"""Notice PDFs: printed by the hall from the case page, downloaded by the applicant from their
own case. Thin views: check who may see the case, render, answer (STYLE.md)."""

from urllib.parse import quote

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from onewindow.accounts.permissions import requires
from onewindow.cases.services import may_view
from onewindow.documents import notices
from onewindow.errors import NotFound


def pdf_response(notice: notices.Issued) -> HttpResponse:
    """The PDF shown in the browser (inline, to print), named 受理通知书-<number>.pdf: an ASCII
    fallback for old clients, the Chinese name as RFC 5987 `filename*`."""
    ascii_name, name = notices.filenames(notice)
    response = HttpResponse(notices.render_issued(notice), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private"  # personal data: never in a shared cache
    return response


def _not_found():
    return NotFound("case.not_found", "未找到该办件。")


@requires()
@require_GET
def staff_notice(request, number: str, kind: str):
    """Whoever may see the case (its department, its hall's clerks and supervisors, the
    applicant); anyone else gets 404, as if it did not exist."""
    notices.check_kind(kind)
    case = notices.case_for(number)
    if case is None or not may_view(request.user, case):
        raise _not_found()
    return pdf_response(notices.issued_one(case, kind))


@requires()
@require_GET
def my_notice(request, number: str, kind: str):
    """The applicant's own case only (never their staff scope)."""
    notices.check_kind(kind)
    case = notices.case_for(number, applicant_user=request.user)
    if case is None:
        raise _not_found()
    return pdf_response(notices.issued_one(case, kind))
