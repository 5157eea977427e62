"""Who holds a card (RULES.md "Supervision": cards of windows and officers): an officer or a
window. The two are counted, shown, cleared (销牌) and reported alike; a `Holder` says what
differs — the column of Violation and CardClearance that names it, its model and order, its
words. queries.card / carded, services.clear_card, report.report_pdf and the card pages (one
template, supervision/holder.html) take a holder."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from onewindow.accounts.models import User, Window


@dataclass(frozen=True)
class Holder:
    # "officer" | "window": the URL names supervision:<kind> and supervision:<kind>-report, the
    # error code supervision.<kind>_not_found, the key of a row of `queries.carded`.
    kind: str
    field: str  # the column of Violation and CardClearance: officer_id | window_id
    model: type[models.Model]  # the row locked by 销牌 and shown on the page
    order_by: tuple[str, ...]  # the order of the cards page
    noun: str  # in the messages: 该责任人 / 该窗口
    title: Callable[[Any], str]  # the page's <title> (before " · 黄牌红牌")
    heading: Callable[[Any], str]  # the page's <h1>
    report_who: Callable[[Any], str]  # 关于{who}违规情况的报告
    report_file: Callable[[Any], str]  # the PDF's file name

    @property
    def url_name(self) -> str:
        return f"supervision:{self.kind}"

    @property
    def report_url_name(self) -> str:
        return f"supervision:{self.kind}-report"

    @property
    def not_found(self) -> tuple[str, str]:
        """The error code and message of a holder without a violation in the watcher's scope."""
        return f"supervision.{self.kind}_not_found", f"未找到{self.noun}的违规记录。"

    def of(self, pk: int | None) -> dict:
        """The filter of the Violations and CardClearances of one holder."""
        return {self.field: pk}

    def among(self, pks) -> dict:
        """The filter of the Violations and CardClearances of several holders."""
        return {f"{self.field}__in": pks}


OFFICER = Holder(
    kind="officer",
    field="officer_id",
    model=User,
    order_by=("display_name", "pk"),
    noun="该责任人",
    title=lambda officer: officer.display_name,
    heading=lambda officer: officer.display_name,
    report_who=lambda officer: f"工作人员{officer.display_name}",
    report_file=lambda officer: f"report-officer-{officer.pk}.pdf",
)

WINDOW = Holder(
    kind="window",
    field="window_id",
    model=Window,
    order_by=("hall", "number"),
    noun="该窗口",
    title=lambda window: f"{window.number}号窗口",
    heading=lambda window: f"{window.number}号窗口 {window.name}",
    report_who=lambda window: f"{window.number}号窗口（{window.name}）",
    report_file=lambda window: f"report-window-{window.number}.pdf",
)

HOLDERS = (OFFICER, WINDOW)
