"""报告市政府: the report of an officer or a window whose third upheld violation came while a card
was open (RULES.md "Supervision"; seed: Shouguang), as a PDF with the project's pdf helper."""

from onewindow import clock
from onewindow.errors import DomainError
from onewindow.pdf import render_pdf
from onewindow.supervision import cards
from onewindow.supervision.holders import Holder
from onewindow.supervision.models import Violation
from onewindow.supervision.queries import card


def report_pdf(holder: Holder, subject, *, hall_name: str) -> bytes:
    """The report of an officer or a window (`holder`; `subject` the User or Window): its upheld
    violations in decision order; refused unless its card is 'reported'."""
    if card(holder, subject.pk) != cards.REPORTED:
        raise DomainError("supervision.no_report", f"{holder.noun}未达到报告市政府的情形（第三次认定违规）。")
    upheld = Violation.objects.filter(status=Violation.Status.UPHELD, **holder.of(subject.pk)).select_related(
        "case", "project", "rectification", "complaint", "department", "decided_by"
    )
    return render_pdf("supervision/report_pdf.html", {
        "who": holder.report_who(subject), "violations": list(upheld.order_by("decided_at")),
        "hall_name": hall_name, "today": clock.today(),
    })  # fmt: skip
