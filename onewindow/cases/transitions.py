"""The machinery every use case of a case shares (cases/intake.py, review.py, pauses.py,
after_decision.py …): the transition table, the lock, who may act, the one way a transition is
applied (new status, changed fields, one audit event, the rows written with it), and the
deadline's start.

Rows are written by the ORM. Submit and accept — window intake, the measured hot path
(decisions 5, 12, 13, 17) — pass `fast=True`: their rows then go through onewindow/fastsql.py
(fewer round trips, no query compilation) unless ONEWINDOW_FASTSQL is off. The checks are the
same code either way; only how rows are read and written differs."""

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from onewindow import clock, fastsql
from onewindow.accounts.models import DEPARTMENT_ROLES, Applicant, Role, User
from onewindow.accounts.queries import staff_of
from onewindow.cases import audit, clock_rules, messages
from onewindow.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseStep,
    Channel,
    Outcome,
    Status,
)
from onewindow.catalog.models import ItemVersion, Material
from onewindow.errors import Conflict, DomainError, NotFound
from onewindow.workdays import calendar

S = Status
# Which statuses each action may start from (one table; `apply_transition` applies it).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "submit": (("",), S.SUBMITTED),  # a new case has no status yet
    "accept": ((S.SUBMITTED,), S.IN_REVIEW),
    "auto_accept": ((S.SUBMITTED,), S.IN_REVIEW),
    "request_supplement": ((S.SUBMITTED,), S.SUPPLEMENT_REQUESTED),
    "receive": ((S.SUBMITTED,), None),  # materials handed in at the window before the answer
    "mark_material": ((S.SUBMITTED,), None),  # 材料审核: 合格 / 需补正 before the answer
    "supplement": ((S.SUPPLEMENT_REQUESTED, S.CORRECTION_REQUESTED), None),  # back where it came from
    "refuse": ((S.SUBMITTED, S.SUPPLEMENT_REQUESTED), S.REFUSED),
    "accept_tolerantly": ((S.SUBMITTED,), S.IN_REVIEW),
    "approve_by_commitment": ((S.SUBMITTED,), S.CLOSED),
    "supply_tolerated": ((S.IN_REVIEW, S.SUSPENDED), None),
    "review": ((S.IN_REVIEW,), S.IN_REVIEW),
    "return_for_correction": ((S.IN_REVIEW,), S.CORRECTION_REQUESTED),
    "decide": ((S.IN_REVIEW,), S.CLOSED),
    "suspend": ((S.IN_REVIEW,), S.SUSPENDED),
    "resume": ((S.SUSPENDED,), S.IN_REVIEW),
    "extend": ((S.IN_REVIEW, S.SUSPENDED, S.CORRECTION_REQUESTED), None),
    "withdraw": ((S.SUBMITTED, S.SUPPLEMENT_REQUESTED, *OPEN_STATUSES), S.CLOSED),
    "recompute_deadline": (OPEN_STATUSES, None),
    # After the decision the case stays closed (its clock stopped at the decision); the
    # licenses module issues and delivers the result (行政许可法 art. 44).
    "issue": ((S.CLOSED,), None),
    "deliver": ((S.CLOSED,), None),
    "tolerance_overdue": (OPEN_STATUSES, None),  # cases.tolerance; the next two cases.commitment_checks
    "commitment_check": ((S.CLOSED,), None),
    "revoke_commitment": ((S.CLOSED,), None),
}
ACTION_NAMES = {
    "submit": "接件", "receive": "收取材料", "mark_material": "材料审核", "accept": "受理", "auto_accept": "逾期视为受理", "request_supplement": "一次性告知补正",
    "supplement": "补齐补正材料", "refuse": "不予受理", "accept_tolerantly": "容缺受理",
    "approve_by_commitment": "告知承诺审批", "supply_tolerated": "补齐容缺材料", "review": "审查",
    "return_for_correction": "退回补正", "decide": "决定", "suspend": "特别程序开始", "resume": "特别程序结束",
    "extend": "延期", "withdraw": "撤回申请", "recompute_deadline": "日历调整重算期限",
    "issue": "制证", "deliver": "送达", "tolerance_overdue": "容缺材料逾期未补齐", "commitment_check": "告知承诺核查",
    "revoke_commitment": "核查不实撤销审批", "external_record": "外部系统记录",  # cases.external
}  # fmt: skip


CHANNELS = frozenset(Channel.values)  # the enum's .values builds its list anew on each access
INTAKE_ROLES = (Role.CLERK, Role.AGENT, *DEPARTMENT_ROLES)
REVIEW_ROLES = tuple(DEPARTMENT_ROLES)
CLOCK_FIELDS = ["accepted_on", "due_seq", "due_on"]
CLOSE_FIELDS = ["outcome", "decided_at", "closed_at", "closed_on", "closed_seq"]


# ---- how rows are read and written (decision 17) --------------------------------------------


def fastsql_on() -> bool:
    """ONEWINDOW_FASTSQL (default on): off, the hot path too reads and writes with the ORM."""
    return settings.ONEWINDOW_FASTSQL


def hot_path(fn):
    """transaction.atomic, or fastsql.atomic (BEGIN and COMMIT sent with the work) when fastsql is on."""
    fast, plain = fastsql.atomic(fn), transaction.atomic(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return (fast if fastsql_on() else plain)(*args, **kwargs)

    return wrapper


def new_row(model, fast: bool, **values):
    """model(**values); on the hot path without Model.__init__'s cost (fastsql.new, decision 13)."""
    return fastsql.new(model, **values) if fast and fastsql_on() else model(**values)


def write(*writes: fastsql.Insert | fastsql.Update | None, fast: bool = False) -> None:
    """The writes in order: on the hot path by fastsql.run (one round trip on PostgreSQL), else
    by the ORM — bulk_create, save(update_fields=…), and a row whose unique key is there already
    (`skip_conflicting`) skipped in a savepoint. The same rows either way."""
    writes = [w for w in writes if w is not None]
    if fast and fastsql_on():
        fastsql.run(*writes)
        return
    for w in writes:
        if isinstance(w, fastsql.Update):
            w.obj.save(update_fields=list(dict.fromkeys(w.names)))
        elif w.skip_conflicting:
            insert_unless_present(w.objs[0])
        elif w.objs:
            type(w.objs[0]).objects.bulk_create(w.objs)


def insert_unless_present(obj) -> bool:
    """INSERT of one row whose unique key may be there already (then nothing, and False)."""
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError:
        obj.pk = None
        return False
    return True


# ---- the catalog a case reads ----------------------------------------------------------------


@lru_cache(maxsize=4096)
def published(version_id: int) -> tuple[ItemVersion, tuple[Material, ...], tuple]:
    """(version with item and department, materials, steps) of a published version. A published
    version never changes again, so each process keeps it: a submission costs no catalog queries
    after the first."""
    version = ItemVersion.objects.select_related("item__department").get(pk=version_id)
    return version, tuple(version.materials.all()), tuple(version.steps.all())


def today_seq() -> tuple[dt.date, int]:
    today = clock.today()
    return today, calendar.seq(today)


# ---- the lock --------------------------------------------------------------------------------


def lock_case(case: Case, *, materials: bool = False, fast: bool = False) -> Case:
    """The case row locked (only it), with its applicant — with `materials` also its materials
    (as `loaded_materials`). A stand-in with only a number is found by its number."""
    if fast and fastsql_on():
        return _lock_fast(case, materials)
    rows = Case.objects.select_for_update(of=("self",)).select_related("applicant")
    found = rows.filter(pk=case.pk).first() if case.pk else rows.filter(number=case.number).first()
    if found is None:
        raise NotFound("case.not_found", "未找到该办件。")
    if materials:
        materials_of(found)
    return found


def _lock_fast(case: Case, materials: bool) -> Case:
    """The lock in one plain statement (FOR UPDATE OF c), on PostgreSQL with the materials as one
    JSON array: the ORM's select_for_update().select_related() cost ~1.5 ms to compile (bench)."""
    key, value = ("id", case.pk) if case.pk else ("number", case.number)
    postgresql = fastsql.on_postgresql()
    with_materials = materials and postgresql
    if postgresql and connection.get_autocommit():
        raise transaction.TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )
    rows = fastsql.fetch(_lock_sql(key, with_materials, postgresql), [value])
    if not rows:
        raise NotFound("case.not_found", "未找到该办件。")
    row = rows[0]
    found = fastsql.from_row(Case, row)
    n_case, n_applicant = len(Case._meta.concrete_fields), len(Applicant._meta.concrete_fields)
    Case.applicant.field.set_cached_value(found, fastsql.from_row(Applicant, row, n_case))
    if with_materials:  # the JSON's values are the columns' own (ids, text): no conversion needed
        found.loaded_materials = [fastsql.from_row(CaseMaterial, m) for m in row[n_case + n_applicant] or []]
        for m in found.loaded_materials:
            CaseMaterial.case.field.set_cached_value(m, found)
    return found


@lru_cache(maxsize=8)
def _lock_sql(key: str, with_materials: bool, postgresql: bool) -> str:
    q = fastsql.quote
    extra = ""
    if with_materials:
        columns = ", ".join(f"m.{q(f.column)}" for f in CaseMaterial._meta.concrete_fields)
        extra = (f", (SELECT json_agg(json_build_array({columns}) ORDER BY m.id) FROM "
                 f"{q(CaseMaterial._meta.db_table)} m WHERE m.case_id = c.id)")  # fmt: skip
    return (f"SELECT {fastsql.select_list(Case, 'c')}, {fastsql.select_list(Applicant, 'a')}{extra} "
            f"FROM {q(Case._meta.db_table)} c JOIN {q(Applicant._meta.db_table)} a "
            f"ON a.id = c.applicant_id WHERE c.{q(key)} = %s{' FOR UPDATE OF c' if postgresql else ''}")  # fmt: skip


def materials_of(case: Case) -> list[CaseMaterial]:
    """The case's materials in id order, read once unless the lock did (kept for the answer)."""
    if getattr(case, "loaded_materials", None) is None:
        case.loaded_materials = list(CaseMaterial.objects.filter(case=case).order_by("id"))
        for m in case.loaded_materials:
            CaseMaterial.case.field.set_cached_value(m, case)
    return case.loaded_materials


# ---- who may act -----------------------------------------------------------------------------


def is_superuser(by: User | None) -> bool:
    return by is not None and by.is_superuser


HALL_SCOPE_ROLES = (Role.CLERK, Role.SUPERVISOR, Role.HALL_ADMIN, Role.AGENT)


def scope_of(by: User) -> tuple[str, int] | None:
    """The one visibility rule's staff part (ARCHITECTURE.md: a staff member sees only inside
    their scope): ("department_id", …) for department roles, ("hall_id", …) for the hall-wide
    roles that handle cases, None for anyone else. `may_view` and cases.queries.visible_cases
    both read it, so a list, a page and the API never disagree about who sees a case."""
    staff = staff_of(by)
    if staff is None:
        return None
    if staff.role in DEPARTMENT_ROLES:
        return "department_id", staff.department_id
    if staff.role in HALL_SCOPE_ROLES:
        return "hall_id", staff.hall_id
    return None


def may_view(by: User, case: Case) -> bool:
    """Who may see a case: a superuser; the applicant; staff whose scope (`scope_of`) covers it."""
    if not by.is_authenticated:
        return False
    if is_superuser(by) or case.applicant.user_id == by.pk:
        return True
    return in_scope(by, case)


def in_scope(by: User, case: Case) -> bool:
    """The case is inside the staff member's scope (their department's, or their hall's)."""
    scope = scope_of(by)
    return scope is not None and getattr(case, scope[0]) == scope[1]


# ---- where: the window an intake is answered at ----------------------------------------------


def intake_window(by: User | None, channel: str, hall_id: int) -> int | None:
    """受理窗口 (Case.window): the window the actor stands at (accounts.Staff.at_window), when the
    case is one handed in at the hall (not online: an online application is answered from the
    back office, and 视为受理 by art. 32 has no actor) and the actor works in the case's hall.
    Reads only the staff row, which the actor's check has loaded: no query on the hot path."""
    if by is None or channel == Channel.PORTAL:
        return None
    staff = staff_of(by)
    if staff is None or staff.hall_id != hall_id:
        return None
    return staff.at_window_id


def record_window(case: Case, by: User | None) -> list[str]:
    """Records the window an intake answer is given at, if any (a case received at a window and
    answered elsewhere keeps the window it was received at). The fields to write."""
    window = intake_window(by, case.channel, case.hall_id)
    if window is None or window == case.window_id:
        return []
    case.window_id = window
    return ["window"]


# ---- the transition ------------------------------------------------------------------------


# The intake answers of a child case of a 一件事 application, given once for the whole bundle on
# the application's page (bundles.services drives every child together; RULES.md "一件事一次办").
# 补齐补正 is one of them only while the case waits on the intake notice: a correction asked
# during a department's review is the child's own.
BUNDLE_INTAKE = frozenset({"receive", "accept", "request_supplement", "refuse", "accept_tolerantly",
                           "approve_by_commitment", "supplement"})  # fmt: skip


def bundle_intake(case: Case, action: str) -> bool:
    """Whether `action` on `case` is an intake answer that only its bundle may give."""
    if not case.bundle_number or action not in BUNDLE_INTAKE:
        return False
    return action != "supplement" or case.status == Status.SUPPLEMENT_REQUESTED


def check_bundle_intake(case: Case, action: str, bundle: str | None) -> None:
    """The case carries its `bundle_number`, and only the bundles module, driving every child
    together, passes it back (`bundle=`); so the page (cases.allowed) and the service refuse the
    same answers (issue 14). The art. 32 auto-acceptance is not an answer and stays allowed."""
    if bundle_intake(case, action) and bundle != case.bundle_number:
        raise Conflict(
            "bundle.child_intake",
            f"该办件属于一件事申请{case.bundle_number}，须在一件事申请页统一受理、告知或不予受理。",
        )


def check_transition(case: Case, action: str) -> None:
    allowed, _ = TRANSITIONS[action]
    if case.status not in allowed:
        raise Conflict(
            "case.invalid_transition",
            f"办件当前状态为“{case.get_status_display()}”，不能{ACTION_NAMES[action]}。",
            details={"status": case.status, "action": action},
        )


def apply_transition(case: Case, action: str, *, by: User | None, to: str | None = None, reason: str = "",
                     payload: dict | None = None, fields: Iterable[str] = (), also: Sequence = (),
                     fast: bool = False) -> CaseEvent:  # fmt: skip
    """Applies a checked transition: new status, the changed fields, one audit event, and `also`
    (the writes of the same transition) — on the hot path all in one round trip (`write`)."""
    check_transition(case, action)
    fast = fast and fastsql_on()
    from_status = case.status
    case.status = to or TRANSITIONS[action][1] or case.status
    event = audit.build_event(case, at=clock.now(), actor=by, action=action, from_status=from_status,
                              to_status=case.status, reason=reason, payload=payload or {},
                              fast=fast)  # fmt: skip
    event.case = case
    row = (fastsql.Insert([case]) if case._state.adding
           else fastsql.Update(case, ["status", "event_count", "last_hash", *fields]))  # fmt: skip
    # The applicant's SMS, if the event has one (cases/messages.py): its outbox row goes with
    # the transition's rows, in the same round trip on the hot path (decisions 9, 17).
    sms = messages.message_writes(case, action, event, item_name=lambda: published(case.item_version_id)[0].name,
                                  fast=fast)  # fmt: skip
    write(row, fastsql.Insert([event]), *also, *sms, fast=fast)
    return event


# ---- the deadline ----------------------------------------------------------------------------


def step_kinds(roles: list[str]) -> list[str]:
    """The kind of each of an item's steps, by their roles: the department head's first step
    decides (the last step, if no head has one), the steps before it review, those after it
    follow the decision (制证, 送达)."""
    decision = next((i for i, r in enumerate(roles) if r == Role.DEPARTMENT_HEAD), len(roles) - 1)
    return [
        CaseStep.Kind.REVIEW
        if i < decision
        else CaseStep.Kind.DECIDE
        if i == decision
        else CaseStep.Kind.AFTER
        for i in range(len(roles))
    ]


def start_clock(case: Case, accepted_on: dt.date, *, fast: bool = False) -> fastsql.Insert:
    """Sets the deadline and builds the steps' rows: the caller writes them (`write`, or
    `apply_transition(also=…)` with the transition)."""
    case.accepted_on = accepted_on
    case.due_seq, case.due_on = clock_rules.deadline(accepted_on, case.promised_days, case.extra_days)
    _, _, steps = published(case.item_version_id)
    start = calendar.seq(accepted_on)
    rows, used = [], 0
    for i, (s, kind) in enumerate(zip(steps, step_kinds([s.role for s in steps]), strict=True)):
        used += s.days
        rows.append(
            new_row(
                CaseStep,
                fast,
                case=case,
                order=i + 1,
                name=s.name,
                role=s.role,
                kind=kind,
                due_seq=start + used,
            )
        )
    case.loaded_steps = rows
    return fastsql.Insert(rows)


def close_case(case: Case, outcome: str, today: dt.date) -> None:
    now = clock.now()
    case.outcome, case.closed_at, case.closed_on, case.closed_seq = outcome, now, today, calendar.seq(today)
    if outcome in (Outcome.APPROVED, Outcome.DENIED):
        case.decided_at = now


NOTE_MAX = 300  # CaseMaterial.note


def notice_note(text: str, name: str) -> str:
    """The note of one material on a written notice (一次性告知, 退回补正): required, bounded."""
    note = (text or "").strip()
    if not note:
        raise DomainError("case.notice_note_required", f"请写明“{name}”需如何补正。")
    if len(note) > NOTE_MAX:
        raise DomainError("case.notice_note_too_long", f"“{name}”的补正说明不超过{NOTE_MAX}字。")
    return note
