"""The bundle's one acceptance notice (一件事受理通知书, RULES.md "Acceptance outcomes at the
window"): the application number, the bundle, each item with its child case number and
department, the bundle's due date, and a QR code to the public progress page. A PDF from a
template extending web/pdf_base.html (WeasyPrint, Noto CJK)."""

from urllib.parse import quote

from onewindow import qr
from onewindow.bundles.models import BundleApplication
from onewindow.bundles.queries import children_of
from onewindow.bundles.services import progress_url
from onewindow.documents.notices import chinese_date
from onewindow.errors import NotFound
from onewindow.pdf import render_pdf


def filename(application: BundleApplication) -> str:
    return f"一件事受理通知书-{application.number}.pdf"


def quoted_filename(application: BundleApplication) -> str:
    """For Content-Disposition's filename* (RFC 5987: UTF-8, percent-encoded)."""
    return quote(filename(application))


def render(application: BundleApplication) -> bytes:
    if application.accepted_on is None:
        raise NotFound("bundle.notice_not_available", "一件事受理后才出具受理通知书。")
    children = children_of(application.number)
    url = progress_url(application.number)
    applicant = application.applicant
    return render_pdf("bundles/notice_pdf.html", {
        "a": application, "applicant": applicant,
        "children": [{"case": c, "due": chinese_date(c.due_on)} for c in children],
        "accepted_on": chinese_date(application.accepted_on), "due_on": chinese_date(application.due_on),
        "received_on": chinese_date(application.received_on),
        "qr": qr.data_uri(url), "progress_url": url,
    })  # fmt: skip
