"""Notices (文书): the written answers a case gives its applicant, as A4 PDFs in zh-Hans with a
QR code to the public progress page (RULES.md "Acceptance outcomes at the window": each outcome
produces a printable notice).

A notice is read from the audit trail, not stored: each kind is caused by an event (受理 by
`accept`, 一次性告知 by `request_supplement` …), and its data come from that event's payload,
so a notice printed again next year says what was decided then, not what the case says today.
The events are hash-chained and never change (ARCHITECTURE.md "Audit trail"). What is stored is
each notice's number (文号, models.NoticeNumber) in the hall's convention — 德政服受字〔2026〕第0023号:
the hall's 代字, the kind's character, the year, the serial of a gap-free counter per hall, kind and
year — given the first time the notice is issued (listed on a case page, in the API, or printed)
and read back on every reprint (docs/decisions/0027-public-url-and-notice-numbers.md).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse

from onewindow import clock, links, pdf, qr, serials
from onewindow.cases import veto_filings
from onewindow.cases.models import Case, CaseEvent, CaseMaterial, Suspension
from onewindow.cases.services import decided_elsewhere, may_view
from onewindow.catalog.models import ItemType
from onewindow.documents.models import NoticeNumber
from onewindow.errors import DomainError, NotFound


@dataclass(frozen=True)
class Kind:
    code: str  # GLOSSARY.md name, used in URLs and the API
    title: str  # the notice's Chinese name
    abbr: str  # the character of its notice number (德政服受字〔2026〕第0023号)
    actions: tuple[str, ...]  # the case events that issue it


KINDS = {
    k.code: k
    for k in (
        # 行政许可法 art. 32 ¶2: acceptance is confirmed in writing, stamped and dated. An
        # application not answered in 5 working days counts as accepted (auto_accept).
        Kind("acceptance", "受理通知书", "受", ("accept", "auto_accept", "accept_tolerantly")),
        # art. 32 ¶1(4): every missing or defective material at once; a return for correction
        # during review counts as one (docs/decisions/0005-cases.md).
        Kind("supplement_request", "一次性告知书", "补", ("request_supplement", "return_for_correction")),
        # art. 32 ¶1(2): the reason, and the body the applicant may turn to.
        Kind("refusal", "不予受理通知书", "不受", ("refuse",)),
        # RULES.md "tolerant acceptance": the applicant signs a promise to supply by a date.
        Kind("tolerance_promise", "容缺受理承诺书", "容", ("accept_tolerantly",)),
        # art. 45: the applicant is told in writing when a suspension starts (and ends).
        Kind("suspension", "特别程序告知书", "特", ("suspend",)),
        # art. 42: an extension is approved by the head and its reason told to the applicant.
        Kind("extension", "延期告知书", "延", ("extend",)),
        # art. 38: approval or a written denial with reasons and the rights of redress.
        Kind("decision", "行政许可决定书", "决", ("decide", "approve_by_commitment")),
    )
}
KINDS_BY_ACTION: dict[str, list[str]] = {}
for _kind in KINDS.values():
    for _action in _kind.actions:
        KINDS_BY_ACTION.setdefault(_action, []).append(_kind.code)

# Administrative review (行政复议法 2023 art. 20) within 60 days and a lawsuit (行政诉讼法 art. 46)
# within 6 months of learning of the act; the review body of a government department is the
# people's government at its level (行政复议法 art. 24).
REVIEW_DAYS = 60
LAWSUIT_MONTHS = 6


@dataclass
class Issued:
    """One notice a case has: its kind, the event that issued it, and its title."""

    kind: Kind
    event: CaseEvent
    history: list[CaseEvent] = field(repr=False)
    # 文书编号, given once (numbered()): 德政服受字〔2026〕第0023号.
    number: str = ""

    @property
    def title(self) -> str:
        if self.kind.code == "decision":
            return decision_title(self.approved, self.licensing)
        return self.kind.title

    @property
    def approved(self) -> bool:
        return self.event.action == "approve_by_commitment" or bool(self.event.payload.get("approve"))

    @property
    def licensing(self) -> bool:
        return self.event.case.item_version.type == ItemType.LICENSING

    @property
    def issued_on(self) -> dt.date:
        return local_date(self.event.at)


def decision_title(approved: bool, licensing: bool) -> str:
    if licensing:
        return "准予行政许可决定书" if approved else "不予行政许可决定书"
    return "准予办理决定书" if approved else "不予办理决定书"


def check_kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise DomainError(
            "notice.unknown_kind",
            f"没有这种文书：{kind[:40]}。可选：{'、'.join(KINDS)}。",
            details={"kinds": list(KINDS)},
        )
    return KINDS[kind]


def local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(clock.hall_tz()).date()


def chinese_date(day: dt.date | None) -> str:
    """2026年10月13日, as notices write dates."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


# ---- which notices a case has -----------------------------------------------------------------


def case_for(number: str, *, applicant_user=None) -> Case | None:
    """The case with what every notice prints (one query); only the applicant's own if asked."""
    related = ("item_version__item", "department__region", "hall", "applicant")
    qs = Case.objects.select_related(*related).filter(number=number)
    if applicant_user is not None:
        qs = qs.filter(applicant__user=applicant_user)
    return qs.first()


def case_seen_by(user, number: str) -> Case:
    """The case if `user` may see it (cases.services.may_view: its department, its hall, the
    applicant); anyone else gets 404, as if it did not exist."""
    case = case_for(number)
    if case is None or not may_view(user, case):
        raise NotFound("case.not_found", "未找到该办件。")
    return case


def own_case(user, number: str) -> Case:
    """The applicant's own case only (never their staff scope); else 404."""
    case = case_for(number, applicant_user=user)
    if case is None:
        raise NotFound("case.not_found", "未找到该办件。")
    return case


def issued(case: Case) -> list[Issued]:
    """The notices of a case, in the order they were issued: for each kind the latest event
    that issued it (a second one-time notice replaces the first). One query."""
    history = list(case.events.order_by("seq"))
    latest: dict[str, CaseEvent] = {}
    for event in history:
        event.case = case
        for kind in KINDS_BY_ACTION.get(event.action, ()):
            latest[kind] = event
    if case.project_code and any(map(_vetoed, latest.values())) and not veto_filings.is_filed(case):
        # 否决报备: a project case's refusal or denial goes out only once filed to hall management.
        latest = {k: e for k, e in latest.items() if not _vetoed(e)}
    found = [Issued(KINDS[k], e, history) for k, e in latest.items()]
    return numbered(case, sorted(found, key=lambda n: (n.event.seq, list(KINDS).index(n.kind.code))))


# ---- 文书编号: the hall's register -----------------------------------------------------------


def hall_code_name(hall) -> str:
    """The hall's 机关代字 in its notices' numbers (set in the admin); blank, its full name."""
    return hall.short_name.strip() or hall.name


def format_number(hall, kind: Kind, year: int, serial: int) -> str:
    return f"{hall_code_name(hall)}{kind.abbr}字〔{year}〕第{serial:04d}号"


def numbered(case: Case, found: list[Issued]) -> list[Issued]:
    """Each notice with its number: read back when given before (one query), else given now,
    in the order the notices were issued."""
    if not found:
        return found
    given = dict(
        ((event_id, kind), number)
        for event_id, kind, number in NoticeNumber.objects.filter(
            event__in=[n.event.pk for n in found]
        ).values_list("event_id", "kind", "number")
    )
    for notice in found:
        notice.number = given.get((notice.event.pk, notice.kind.code)) or assign_number(notice)
    return found


def assign_number(notice: Issued) -> str:
    """Gives the notice its number once. The counter of the hall, kind and year (the year the
    notice was issued) is taken in the same short transaction as the number's row: an issue that
    fails gives its serial back (no gap), and of two first readers at once the second finds the
    first's number under the counter's lock, or — its insert refused — reads it after."""
    case, kind = notice.event.case, notice.kind
    year = notice.issued_on.year
    try:
        with transaction.atomic():
            serial = serials.next_gapless(f"notice:{case.hall_id}:{kind.code}:{year}")
            existing = NoticeNumber.objects.filter(event=notice.event, kind=kind.code).first()
            if existing is not None:
                raise _AlreadyNumbered(existing.number)
            number = format_number(case.hall, kind, year, serial)
            NoticeNumber.objects.create(
                event=notice.event, kind=kind.code, hall_id=case.hall_id, year=year, serial=serial,
                number=number, assigned_at=clock.now(),
            )  # fmt: skip
            return number
    except _AlreadyNumbered as exc:
        return exc.number
    except IntegrityError:
        return NoticeNumber.objects.get(event=notice.event, kind=kind.code).number


class _AlreadyNumbered(Exception):
    """Rolls back the serial just taken: another reader numbered the notice first."""

    def __init__(self, number: str):
        super().__init__(number)
        self.number = number


def _vetoed(event: CaseEvent) -> bool:
    return event.action == "refuse" or (event.action == "decide" and not event.payload.get("approve"))


def issued_one(case: Case, kind: str) -> Issued:
    check_kind(kind)
    for notice in issued(case):
        if notice.kind.code == kind:
            return notice
    raise NotFound(
        "notice.not_available",
        f"该办件没有{KINDS[kind].title}（办件尚未作出相应决定）。",
        details={"kind": kind},
    )


# ---- the QR code ------------------------------------------------------------------------------


def progress_url(case: Case) -> str:
    return links.public_url(reverse("cases:progress"), {"number": case.number})


# ---- what each notice says --------------------------------------------------------------------


# The events that move the case's deadline, and the payload key where each records the new date.
DEADLINE_KEYS = {
    "accept": "due_on",
    "auto_accept": "due_on",
    "accept_tolerantly": "due_on",
    "resume": "due_on",
    "extend": "due_on",
    "supplement": "due_on",  # after a return for correction the clock restarts
    "recompute_deadline": "to",  # a calendar change (cases.jobs)
}


def _due_on_as_of(history: list[CaseEvent], seq: int) -> dt.date | None:
    """The deadline as the case knew it at event `seq`, from the events up to it."""
    due = None
    for event in history:
        if event.seq > seq:
            break
        value = event.payload.get(DEADLINE_KEYS.get(event.action, ""))
        if value:
            due = dt.date.fromisoformat(value)
    return due


ACCEPTING = ("accept", "accept_tolerantly", "auto_accept", "approve_by_commitment")


def _accepted_on(notice: Issued) -> dt.date | None:
    """The day of acceptance, from the events (the case row may have been read a moment before
    them): the acceptance's own day, or for one deemed accepted (art. 32) the day it counts as
    received — its receipt, or its last supplement's arrival (recorded on the event)."""
    accepting = [e for e in notice.history if e.seq <= notice.event.seq and e.action in ACCEPTING]
    if not accepting:
        return None
    last = accepting[-1]
    if last.action == "auto_accept":
        return _date(last.payload.get("accepted_on")) or notice.event.case.received_on
    return local_date(last.at)


def _materials_at_acceptance(case: Case, event: CaseEvent) -> list[dict]:
    """受理 needs every required material in hand (cases.services.accept), so at that moment each
    material but the not-applicable ones was received or shared; tolerated ones are named in
    the event; an application deemed accepted (art. 32) was taken as it stood."""
    tolerated = set(event.payload.get("materials") or [])
    rows = case.materials.select_related("material").order_by("material__order", "pk")
    listed = []
    for m in rows:
        if m.state == CaseMaterial.State.NOT_APPLICABLE:
            continue
        if m.name in tolerated:
            state = "容缺后补"
        elif m.state == CaseMaterial.State.SHARED:
            state = "共享获取"
        elif event.action == "auto_accept" and m.state == CaseMaterial.State.MISSING:
            state = "未提交"
        else:
            state = "已收"
        listed.append({"no": m.material.order, "name": m.name, "state": state})
    return listed


def _acceptance(notice: Issued) -> dict:
    case, event = notice.event.case, notice.event
    return {
        "due_on": _due_on_as_of(notice.history, event.seq),
        "materials": _materials_at_acceptance(case, event),
        "deemed": event.action == "auto_accept",
        "tolerant": event.action == "accept_tolerantly",
        "supply_by": _date(event.payload.get("supply_by")),
    }


STATE_NAMES = dict(CaseMaterial.State.choices)


def _supplement_request(notice: Issued) -> dict:
    event = notice.event
    during_review = event.action == "return_for_correction"
    materials = [
        {
            "name": m["material"],
            "note": m.get("note", ""),
            "state": STATE_NAMES.get(m.get("state", CaseMaterial.State.DEFECTIVE), ""),
        }
        for m in event.payload.get("materials", [])
    ]
    return {
        "materials": materials,
        "during_review": during_review,
        "due_on": _due_on_as_of(notice.history, event.seq) if during_review else None,
    }


def _refusal(notice: Issued) -> dict:
    event = notice.event
    return {
        "reason": event.reason,
        "where_to_turn": event.payload.get("where_to_turn", ""),
        "legal_basis": event.payload.get("legal_basis", ""),
        **_redress(notice),
    }


def _tolerance_promise(notice: Issued) -> dict:
    event = notice.event
    return {
        "materials": event.payload.get("materials", []),
        "supply_by": _date(event.payload.get("supply_by")),
        "due_on": _date(event.payload.get("due_on")),
    }


def _suspension(notice: Issued) -> dict:
    """The start of a suspension, and its end when a later `resume` closed it (art. 45: the
    applicant is told in writing of both)."""
    event = notice.event
    ended = next((e for e in notice.history if e.seq > event.seq and e.action == "resume"), None)
    return {
        "suspension_kind": dict(Suspension.Kind.choices).get(event.payload.get("kind"), ""),
        "reason": event.reason,
        "expected_days": event.payload.get("expected_days"),
        "started_on": notice.issued_on,
        "due_on": _due_on_as_of(notice.history, event.seq),
        "ended_on": local_date(ended.at) if ended else None,
        "due_on_after": _date(ended.payload.get("due_on")) if ended else None,
    }


def _extension(notice: Issued) -> dict:
    """行政许可法 art. 42: the extension's reason, its working days and the new deadline, read
    from the `extend` event and the deadline the case had just before it."""
    event = notice.event
    return {
        "reason": event.reason,
        "days": event.payload.get("days"),
        "due_on_before": _due_on_as_of(notice.history, event.seq - 1),
        "due_on": _date(event.payload.get("due_on")),
    }


def _decision(notice: Issued) -> dict:
    case, event = notice.event.case, notice.event
    version = case.item_version
    return {
        "approved": notice.approved,
        "by_commitment": event.action == "approve_by_commitment",
        "reason": "" if event.action == "approve_by_commitment" else event.reason,
        "legal_basis": event.payload.get("legal_basis", ""),
        "licensing": notice.licensing,
        "result_name": version.license_type,
        # Read after the events, which hold the decision: the case is closed by then, and a
        # closed case's deadline never moves again (only open cases are recomputed).
        "due_on": Case.objects.filter(pk=case.pk).values_list("due_on", flat=True).get(),
        "decided_on": notice.issued_on,
        **_redress(notice),
    }


def _redress(notice: Issued) -> dict:
    """The rights of redress a refusal or a denial must state (行政许可法 art. 38 ¶2)."""
    region = notice.event.case.department.region
    return {
        "review_body": f"{region.name}人民政府",
        "review_days": REVIEW_DAYS,
        "lawsuit_months": LAWSUIT_MONTHS,
    }


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


CONTEXTS = {
    "acceptance": _acceptance,
    "supplement_request": _supplement_request,
    "refusal": _refusal,
    "tolerance_promise": _tolerance_promise,
    "suspension": _suspension,
    "extension": _extension,
    "decision": _decision,
}


def context(notice: Issued) -> dict:
    case = notice.event.case
    applicant = case.applicant
    url = progress_url(case)
    return {
        "notice": notice,
        "title": notice.title,
        "case": case,
        "version": case.item_version,
        "applicant": applicant,
        "issued_on": notice.issued_on,
        "accepted_on": _accepted_on(notice),
        "progress_url": url,
        "qr": qr.data_uri(url),
        # 同城通办: received at one hall, decided by a department of another — the notice names both.
        "deciding_hall": decided_elsewhere(case),
        # A calendar change moved the deadline after this notice: the date it told was 暂定 then
        # (issue 13 rule 6), and the notice, read again, still says so.
        "told_provisional": any(
            e.seq > notice.event.seq and e.action == "recompute_deadline" for e in notice.history
        ),
        **CONTEXTS[notice.kind.code](notice),
    }


def render(case: Case, kind: str) -> bytes:
    """The notice `kind` of the case as a PDF. Unknown kind → 400; a kind the case has not had
    (no event issued it) → 404 `notice.not_available`."""
    return render_issued(issued_one(case, kind))


def render_issued(notice: Issued) -> bytes:
    return pdf.render_pdf(f"documents/{notice.kind.code}.html", context(notice))


def filenames(notice: Issued) -> tuple[str, str]:
    """(ASCII fallback, Chinese name) of the PDF file: 受理通知书-<number>.pdf."""
    number = notice.event.case.number
    return f"{notice.kind.code}-{number}.pdf", f"{notice.title}-{number}.pdf"
