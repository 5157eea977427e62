"""The violations besides over-time (issue 16 item 1; RULES.md "Supervision"), found by the
periodic job (`detect`, registered in ops.periodic after the sweep):

- 未按流程办理: a case decided while a step of its item version was never completed — a review or
  decision step left open, completed only after the decision, or never created on the case; or a
  decision recorded by a department's own system (an imported record) while a step was open.
  cases.permits refuses a decision with a review step open (except on the spot, where the
  decision completes the steps), so in the hall's own flow this arises only from data that
  bypassed the rule: hence a periodic check, not a callback;
- 违规收费: a live fee notice whose amount or basis is not the item version's (catalog fee_fen,
  fee_basis — the item's fee list has that one fee; payments issues exactly it, so again only
  data that bypassed the service);
- 体外循环: a case with a record imported from a department's own system marked as not done in
  the hall's system (supervision.imports);
- 超时默认: a co-reviewing department that gave no opinion by its limit or missed the joint
  meeting (projects.SilentConsent), counted against that department;
- 差评回访超时 / 差评整改超时 / 投诉答复超时 (issue 17: overdue steps are supervision events;
  RULES.md "Ratings"): a bad rating not called back, or its rectification not fed back, by the
  limit — still waiting past it, or done after it (callback_on_time / fed_back_on_time False);
  a complaint not answered by its limit likewise. Counted against the department answering for
  it, and the rated (complained-about) window and officer. One without a department yet (a
  complaint not assigned, even if its case names one; a queue service of no department) is
  hall management's own delay: the watch shows it red, the register (whose violations count
  against a department) does not.

- 热线工单超期 (issue 18; RULES.md "Hotline"): a 12345 work order with a lead department not
  replied by its handling limit — still open past it, or replied after it — counted against the
  lead department; one not yet dispatched is the hotline office's own (the watch shows it red).

Each detector is one set-based query for the subjects not yet in the register, and the rows
are written with INSERT … ON CONFLICT DO NOTHING (bulk_create(ignore_conflicts)): the unique
constraints (case and kind; silent consent and kind; rectification and kind; complaint and
kind) make each violation once, whether the job
runs twice or two runs overlap. Cases and notices are looked at over the last LOOKBACK (by
decision and issue time; `since=None` with `everything=True` looks at all, for a first run over
old records: manage.py detect_violations --all). A case's violation names its 受理窗口 (Case.window)
as services.counted_against does for over-time, so the window's card counts it."""

import datetime as dt

from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from onewindow import clock
from onewindow.cases.models import Case, CaseEvent, CaseStep
from onewindow.catalog.models import Step
from onewindow.hotline.models import ORDER_OPEN, WorkOrder
from onewindow.payments.models import NoticeState, PaymentNotice
from onewindow.projects.models import SilentConsent
from onewindow.ratings import rectification_queries as rectifications
from onewindow.ratings.models import COMPLAINT_AWAITING_ANSWER, Complaint, Rectification
from onewindow.supervision.models import ImportedRecord, Violation
from onewindow.workdays import calendar

LOOKBACK = dt.timedelta(days=30)
DECISIONS = ("decide", "approve_by_commitment")  # the audit events that decide a case
BATCH = 500

K = Violation.Kind


def _write(rows: list[Violation]) -> int:
    """Inserts the rows, skipping any already there (a concurrent run's); returns how many were
    offered — the register has each once."""
    Violation.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


def _not_recorded(kind: str, **subject) -> Exists:
    return Exists(Violation.objects.filter(kind=kind, **subject))


def _since(since: dt.datetime | None, everything: bool) -> dt.datetime | None:
    if everything:
        return None
    return since or clock.now() - LOOKBACK


# ---- 未按流程办理 ---------------------------------------------------------------------------


def skipped_steps(since: dt.datetime | None = None, *, everything: bool = False):
    """Decided cases (decided_at set) not yet in the register for this kind, of which a review or
    decision step was not completed by the decision, or of which fewer steps exist than the item
    version has: rows (pk, department, decision's seq and actor, the first such step's name)."""
    open_step = CaseStep.objects.filter(case=OuterRef("pk")).exclude(kind=CaseStep.Kind.AFTER)
    open_step = open_step.filter(Q(done_at__isnull=True) | Q(done_at__gt=OuterRef("decided_at")))
    decision = CaseEvent.objects.filter(case=OuterRef("pk"), action__in=DECISIONS).order_by("-seq")
    cases = Case.objects.filter(decided_at__isnull=False)
    start = _since(since, everything)
    if start is not None:
        cases = cases.filter(decided_at__gte=start)
    by_version = Step.objects.filter(version=OuterRef("item_version_id")).values("version")
    on_case = CaseStep.objects.filter(case=OuterRef("pk")).values("case")
    return (
        cases.exclude(_not_recorded(K.OUT_OF_PROCESS, case=OuterRef("pk")))
        .annotate(
            expected=Coalesce(Subquery(by_version.annotate(n=Count("*")).values("n")[:1]), 0),
            present=Coalesce(Subquery(on_case.annotate(n=Count("*")).values("n")[:1]), 0),
            step=Subquery(open_step.order_by("order").values("name")[:1]),
            seq=Subquery(decision.values("seq")[:1]),
            actor=Subquery(decision.values("actor_id")[:1]),
        )
        .filter(Q(step__isnull=False) | Q(present__lt=F("expected")))
        .values("pk", "department_id", "window_id", "seq", "actor", "step", "event_count")
    )


def decisions_imported_with_steps_open():
    """Decisions recorded by a department's own system (imported records of action 决定) on a
    case of which a review or decision step was not completed by the record's time: rows (case,
    department, the record's seq, the step's name)."""
    open_step = CaseStep.objects.filter(case=OuterRef("case_id")).exclude(kind=CaseStep.Kind.AFTER)
    open_step = open_step.filter(Q(done_at__isnull=True) | Q(done_at__gt=OuterRef("at")))
    return (
        ImportedRecord.objects.filter(action=ImportedRecord.Action.DECIDE)
        .exclude(_not_recorded(K.OUT_OF_PROCESS, case=OuterRef("case_id")))
        .annotate(step=Subquery(open_step.order_by("order").values("name")[:1]))
        .filter(step__isnull=False)
        .values("case_id", "case__department_id", "case__window_id", "event_seq", "step")
        .order_by("case_id", "event_seq")
    )


def detect_skipped_steps(since: dt.datetime | None = None, *, everything: bool = False) -> int:
    today, now = clock.today(), clock.now()
    rows, seen = [], set()
    for r in skipped_steps(since, everything=everything).iterator():
        what = (
            f"环节“{r['step']}”未完成即作出决定"
            if r["step"]
            else "事项版本的办理环节未在办件中建立即作出决定"
        )
        rows.append(Violation(kind=K.OUT_OF_PROCESS, case_id=r["pk"], event_seq=r["seq"] or r["event_count"] or None,
                              department_id=r["department_id"], window_id=r["window_id"], officer_id=r["actor"], detail=what,
                              found_on=today, found_at=now))  # fmt: skip
        seen.add(r["pk"])
    for r in decisions_imported_with_steps_open().iterator():
        if r["case_id"] in seen:
            continue
        seen.add(r["case_id"])
        rows.append(Violation(kind=K.OUT_OF_PROCESS, case_id=r["case_id"], event_seq=r["event_seq"],
                              department_id=r["case__department_id"], window_id=r["case__window_id"], found_on=today, found_at=now,
                              detail=f"部门自建系统记录作出决定时，环节“{r['step']}”未完成"))  # fmt: skip
    return _write(rows)


# ---- 违规收费 -------------------------------------------------------------------------------


def irregular_fees(since: dt.datetime | None = None, *, everything: bool = False):
    """Live (not cancelled) fee notices whose amount is not the item version's fee (a free item:
    any amount) or whose basis is not the version's (its fee basis, else its name, as payments
    writes it), of cases not yet in the register for this kind: rows of the notice, its case's
    item fee, and the first such notice per case (by issue time)."""
    notices = PaymentNotice.objects.exclude(state=NoticeState.CANCELLED)
    start = _since(since, everything)
    if start is not None:
        notices = notices.filter(issued_at__gte=start)
    version = "case__item_version__"
    listed_basis = Coalesce(NullIf(F(f"{version}fee_basis"), Value("")), F(f"{version}name"))
    return (
        notices.exclude(_not_recorded(K.IRREGULAR_FEE, case=OuterRef("case_id")))
        .annotate(listed_fen=F(f"{version}fee_fen"), listed_basis=listed_basis)
        .filter(~Q(amount_fen=F("listed_fen")) | ~Q(basis=F("listed_basis")))
        .values(
            "pk",
            "number",
            "case_id",
            "case__window_id",
            "department_id",
            "issued_by_id",
            "amount_fen",
            "basis",
            "listed_fen",
            "listed_basis",
        )  # fmt: skip
        .order_by("case_id", "issued_at", "pk")
    )


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}元"


def detect_irregular_fees(since: dt.datetime | None = None, *, everything: bool = False) -> int:
    today, now = clock.today(), clock.now()
    rows, seen = [], set()
    for r in irregular_fees(since, everything=everything).iterator():
        if r["case_id"] in seen:  # the first wrong notice of the case is the evidence
            continue
        seen.add(r["case_id"])
        if r["amount_fen"] != r["listed_fen"]:
            listed = _yuan(r["listed_fen"]) if r["listed_fen"] else "不收费"
            what = f"缴款通知{r['number']}金额{_yuan(r['amount_fen'])}，事项收费标准{listed}"
        else:
            what = f"缴款通知{r['number']}收费依据“{r['basis']}”不是事项的收费依据“{r['listed_basis']}”"
        rows.append(Violation(kind=K.IRREGULAR_FEE, case_id=r["case_id"], notice_id=r["pk"],
                              department_id=r["department_id"], window_id=r["case__window_id"], officer_id=r["issued_by_id"],
                              detail=what[:300], found_on=today, found_at=now))  # fmt: skip
    return _write(rows)


# ---- 体外循环 -------------------------------------------------------------------------------


def outside_records():
    """Cases with an imported record marked outside the hall's system, not yet in the register
    for this kind: (case, department, the first such record's seq), one row per case."""
    return (
        ImportedRecord.objects.filter(in_hall_system=False)
        .exclude(_not_recorded(K.OUTSIDE_SYSTEM, case=OuterRef("case_id")))
        .values("case_id", "case__department_id", "case__window_id")
        .annotate(seq=Min("event_seq"), records=Count("pk"))
        .order_by("case_id")
    )


def detect_outside_system() -> int:
    today, now = clock.today(), clock.now()
    rows = [
        Violation(
            kind=K.OUTSIDE_SYSTEM,
            case_id=r["case_id"],
            event_seq=r["seq"],
            department_id=r["case__department_id"],
            window_id=r["case__window_id"],
            found_on=today,
            found_at=now,
            detail=f"部门自建系统导入记录{r['records']}条未在大厅系统内办理",
        )  # fmt: skip
        for r in outside_records().iterator()
    ]
    return _write(rows)


# ---- 超时默认 -------------------------------------------------------------------------------


def silent_consents():
    """Silent (or absent) consents not yet in the register: one violation each, against the
    department, with the project and the stage as evidence."""
    return (
        SilentConsent.objects.exclude(_not_recorded(K.SILENT_CONSENT, silent_consent=OuterRef("pk")))
        .values("pk", "project_id", "department_id", "due_on", "cause", "stage__name")
        .order_by("pk")
    )


def detect_silent_consents() -> int:
    today, now = clock.today(), clock.now()
    rows = []
    for r in silent_consents().iterator():
        cause = SilentConsent.Cause(r["cause"]).label
        what = f"阶段“{r['stage__name']}”并联审查意见期限{r['due_on']:%Y-%m-%d}，{cause}"
        rows.append(Violation(kind=K.SILENT_CONSENT, silent_consent_id=r["pk"], project_id=r["project_id"],
                              department_id=r["department_id"], detail=what, found_on=today, found_at=now))  # fmt: skip
    return _write(rows)


# ---- 差评回访超时、差评整改超时、投诉答复超时 -------------------------------------------------------


def _late(waiting: Q, done_late: Q, done_at: str, since: dt.datetime | None) -> Q:
    """Still waiting past the limit (an indexed range on the due seq), or done after it (looked at
    over LOOKBACK by the time it was done)."""
    if since is not None:
        done_late &= Q(**{f"{done_at}__gte": since})
    return waiting | done_late


def late_callbacks(today: dt.date, since: dt.datetime | None = None, *, everything: bool = False):
    start = _since(since, everything)
    waiting = Q(status__in=rectifications.AWAITING_CALLBACK, callback_due_seq__lt=calendar.seq(today))
    return (
        Rectification.objects.filter(_late(waiting, Q(callback_on_time=False), "called_back_at", start))
        .filter(department__isnull=False)
        .exclude(_not_recorded(K.CALLBACK_OVERDUE, rectification=OuterRef("pk")))
        .values(
            "pk", "department_id", "rating_id", "rating__window_id", "rating__officer_id", "callback_due_on"
        )
        .order_by("pk")
    )


def late_feedback(today: dt.date, since: dt.datetime | None = None, *, everything: bool = False):
    start = _since(since, everything)
    waiting = Q(status__in=rectifications.AWAITING_FEEDBACK, rectify_due_seq__lt=calendar.seq(today))
    return (
        Rectification.objects.filter(_late(waiting, Q(fed_back_on_time=False), "fed_back_at", start))
        .filter(department__isnull=False)
        .exclude(_not_recorded(K.RECTIFICATION_OVERDUE, rectification=OuterRef("pk")))
        .values(
            "pk", "department_id", "rating_id", "rating__window_id", "rating__officer_id", "rectify_due_on"
        )
        .order_by("pk")
    )


def late_answers(today: dt.date, since: dt.datetime | None = None, *, everything: bool = False):
    start = _since(since, everything)
    waiting = Q(status__in=COMPLAINT_AWAITING_ANSWER, due_seq__lt=calendar.seq(today))
    return (
        Complaint.objects.filter(_late(waiting, Q(answered_on_time=False), "answered_at", start))
        .filter(department__isnull=False, assigned_at__isnull=False)  # assigned: the department's to answer
        .exclude(_not_recorded(K.COMPLAINT_OVERDUE, complaint=OuterRef("pk")))
        .values("pk", "number", "department_id", "window_id", "officer_id", "due_on")
        .order_by("pk")
    )


def detect_late_ratings_and_complaints(since: dt.datetime | None = None, *, everything: bool = False) -> int:
    today, now = clock.today(), clock.now()
    rows = []
    for kind, found, due, what in (
        (K.CALLBACK_OVERDUE, late_callbacks, "callback_due_on", "回访"),
        (K.RECTIFICATION_OVERDUE, late_feedback, "rectify_due_on", "整改反馈"),
    ):
        for r in found(today, since, everything=everything).iterator():
            rows.append(Violation(kind=kind, rectification_id=r["pk"], department_id=r["department_id"],
                                  window_id=r["rating__window_id"], officer_id=r["rating__officer_id"],
                                  detail=f"差评{r['rating_id']}{what}期限{r[due]:%Y-%m-%d}，未按期{what}",
                                  found_on=today, found_at=now))  # fmt: skip
    for r in late_answers(today, since, everything=everything).iterator():
        rows.append(Violation(kind=K.COMPLAINT_OVERDUE, complaint_id=r["pk"], department_id=r["department_id"],
                              window_id=r["window_id"], officer_id=r["officer_id"],
                              detail=f"投诉{r['number']}答复期限{r['due_on']:%Y-%m-%d}，未按期答复",
                              found_on=today, found_at=now))  # fmt: skip
    return _write(rows)


# ---- 热线工单超期 (RULES.md "Hotline"; decision 40) ------------------------------------------------


def late_work_orders(today: dt.date, since: dt.datetime | None = None, *, everything: bool = False):
    """12345 work orders with a lead department past their handling limit: still open (the
    partial index order_open_due), or replied late since `since` (replied_on_time False)."""
    start = _since(since, everything)
    waiting = Q(status__in=ORDER_OPEN, due_seq__lt=calendar.seq(today))
    return (
        WorkOrder.objects.filter(
            _late(waiting, Q(replied_on_time=False, direct_answer=False), "replied_at", start)
        )
        .filter(lead_department__isnull=False)  # dispatched: the lead department's to reply
        .exclude(_not_recorded(K.HOTLINE_OVERDUE, work_order=OuterRef("pk")))
        .values("pk", "number", "lead_department_id", "due_on")
        .order_by("pk")
    )


def detect_late_work_orders(since: dt.datetime | None = None, *, everything: bool = False) -> int:
    today, now = clock.today(), clock.now()
    rows = [
        Violation(kind=K.HOTLINE_OVERDUE, work_order_id=r["pk"], department_id=r["lead_department_id"],
                  detail=f"热线工单{r['number']}办理期限{r['due_on']:%Y-%m-%d}，未按期答复", found_on=today, found_at=now)
        for r in late_work_orders(today, since, everything=everything).iterator()
    ]  # fmt: skip
    return _write(rows)


def detect(since: dt.datetime | None = None, *, everything: bool = False) -> int:
    """The periodic job: every detector once; how many violations were recorded (offered)."""
    return (
        detect_skipped_steps(since, everything=everything)
        + detect_irregular_fees(since, everything=everything)
        + detect_outside_system()
        + detect_silent_consents()
        + detect_late_ratings_and_complaints(since, everything=everything)
        + detect_late_work_orders(since, everything=everything)
    )
