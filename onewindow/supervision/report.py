"""报告市政府: the report of an officer or a window whose third upheld violation came while a card
was open (RULES.md "Supervision"; seed: Shouguang), as a PDF with the project's pdf helper."""

from onewindow import clock
from onewindow.accounts.models import User, Window
from onewindow.errors import DomainError
from onewindow.pdf import render_pdf
from onewindow.supervision import cards
from onewindow.supervision.models import Violation
from onewindow.supervision.queries import officer_card, window_card


def _pdf(who: str, violations, *, hall_name: str) -> bytes:
    upheld = violations.filter(status=Violation.Status.UPHELD).select_related(
        "case", "department", "decided_by"
    )
    return render_pdf("supervision/report_pdf.html", {
        "who": who, "violations": list(upheld.order_by("decided_at")), "hall_name": hall_name, "today": clock.today(),
    })  # fmt: skip


def report_pdf(officer: User, *, hall_name: str) -> bytes:
    if officer_card(officer.pk) != cards.REPORTED:
        raise DomainError("supervision.no_report", "该责任人未达到报告市政府的情形（第三次认定违规）。")
    return _pdf(
        f"工作人员{officer.display_name}", Violation.objects.filter(officer=officer), hall_name=hall_name
    )


def window_report_pdf(window: Window, *, hall_name: str) -> bytes:
    if window_card(window.pk) != cards.REPORTED:
        raise DomainError("supervision.no_report", "该窗口未达到报告市政府的情形（第三次认定违规）。")
    return _pdf(
        f"{window.number}号窗口（{window.name}）",
        Violation.objects.filter(window=window),
        hall_name=hall_name,
    )
