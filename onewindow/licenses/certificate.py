"""The printable e-license: a PDF (onewindow.pdf, Noto CJK) whose QR code opens the public
verification page, so anyone holding the paper can check it is genuine and still valid."""

from django.urls import reverse

from onewindow import clock, links, qr
from onewindow.licenses.models import License
from onewindow.pdf import render_pdf


def verification_url(license: License) -> str:
    return links.public_url(reverse("licenses:verify", args=[license.number]))


def render(license: License) -> bytes:
    url = verification_url(license)
    return render_pdf("licenses/license_pdf.html", {
        "license": license, "url": url, "qr": qr.data_uri(url),
        "status": license.status_on(clock.today()),
    })  # fmt: skip


def filename(license: License) -> str:
    return f"license-{license.number}.pdf"
