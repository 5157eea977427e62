"""Notice PDFs: printed by the hall from the case page, downloaded by the applicant from their
own case. Thin views: check who may see the case, render, answer (STYLE.md)."""

from urllib.parse import quote

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from onewindow.accounts.permissions import requires
from onewindow.documents import notices


def pdf_response(notice: notices.Issued) -> HttpResponse:
    """The PDF shown in the browser (inline, to print), named 受理通知书-<number>.pdf: an ASCII
    fallback for old clients, the Chinese name as RFC 5987 `filename*`."""
    ascii_name, name = notices.filenames(notice)
    response = HttpResponse(notices.render_issued(notice), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private"  # personal data: never in a shared cache
    return response


@requires()
@require_GET
def staff_notice(request, number: str, kind: str):
    """Whoever may see the case (its department, its hall's clerks and supervisors, the
    applicant); anyone else gets 404, as if it did not exist."""
    notices.check_kind(kind)
    return pdf_response(notices.issued_one(notices.case_seen_by(request.user, number), kind))


@requires()
@require_GET
def my_notice(request, number: str, kind: str):
    """The applicant's own case only (never their staff scope)."""
    notices.check_kind(kind)
    return pdf_response(notices.issued_one(notices.own_case(request.user, number), kind))
