"""报告市政府: the report of an officer whose third upheld violation came while a card was open
(RULES.md "Supervision"; seed: Shouguang), as a PDF with the project's pdf helper."""

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.errors import DomainError
from onewindow.pdf import render_pdf
from onewindow.supervision import cards
from onewindow.supervision.models import Violation
from onewindow.supervision.queries import officer_card


def report_pdf(officer: User, *, hall_name: str) -> bytes:
    if officer_card(officer.pk) != cards.REPORTED:
        raise DomainError("supervision.no_report", "该责任人未达到报告市政府的情形（第三次认定违规）。")
    upheld = (
        Violation.objects.filter(officer=officer, status=Violation.Status.UPHELD)
        .select_related("case", "department", "decided_by")
        .order_by("decided_at")
    )
    return render_pdf("supervision/report_pdf.html", {
        "officer": officer, "violations": list(upheld), "hall_name": hall_name, "today": clock.today(),
    })  # fmt: skip
