"""The use cases of a case, one public function per thing a person does (STYLE.md). Each
runs in one transaction, locks the case, checks the transition table and the rules, changes
the state, appends the audit event and calls the after-transition hooks (notices, messages).
A refused call raises DomainError and changes nothing."""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction

from onewindow import clock, fastsql
from onewindow.accounts.models import DEPARTMENT_ROLES, Applicant, Hall, Role, User
from onewindow.accounts.queries import staff_of
from onewindow.cases import audit, clock_rules, numbering, veto_filings
from onewindow.cases.models import (
    CLOCK_STOPPED,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseStep,
    Channel,
    CommitmentCheck,
    Outcome,
    Status,
    Suspension,
)
from onewindow.catalog.models import ItemVersion, Material
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.workdays import calendar

S = Status
# Which statuses each action may start from (one table; `_move` applies it).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "submit": (("",), S.SUBMITTED),  # a new case has no status yet
    "accept": ((S.SUBMITTED,), S.IN_REVIEW),
    "auto_accept": ((S.SUBMITTED,), S.IN_REVIEW),
    "request_supplement": ((S.SUBMITTED,), S.SUPPLEMENT_REQUESTED),
    "receive": ((S.SUBMITTED,), None),  # materials handed in at the window before the answer
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
    "submit": "接件", "receive": "收取材料", "accept": "受理", "auto_accept": "逾期视为受理", "request_supplement": "一次性告知补正",
    "supplement": "补齐补正材料", "refuse": "不予受理", "accept_tolerantly": "容缺受理",
    "approve_by_commitment": "告知承诺审批", "supply_tolerated": "补齐容缺材料", "review": "审查",
    "return_for_correction": "退回补正", "decide": "决定", "suspend": "特别程序开始", "resume": "特别程序结束",
    "extend": "延期", "withdraw": "撤回申请", "recompute_deadline": "日历调整重算期限",
    "issue": "制证", "deliver": "送达", "tolerance_overdue": "容缺材料逾期未补齐", "commitment_check": "告知承诺核查",
    "revoke_commitment": "核查不实撤销审批",
}  # fmt: skip

# Called as hook(case, action, event) after each transition, inside its transaction: the
# documents and notify modules register here (notices, SMS) without cases importing them.
_after_hooks: list[Callable] = []
# Called as hook(case, action, event) before the transition's rows are written; returns fastsql
# writes that go with them (on PostgreSQL in the same round trip): the SMS outbox row of notify.
_write_hooks: list[Callable] = []


def on_transition(hook: Callable) -> None:
    if hook not in _after_hooks:
        _after_hooks.append(hook)


def write_with_transition(hook: Callable) -> None:
    if hook not in _write_hooks:
        _write_hooks.append(hook)


# 证照共享 (decision 14): the module that holds the licenses sits above cases and registers the
# one look-up finder(applicant, materials, today) → {material id: license number} of the shared
# materials the applicant's valid licenses satisfy. The rule stays here: a shared material
# neither found nor handed in is missing — on the one-time notice, and 受理 waits for it.
_shared_finders: list[Callable[[Applicant, Sequence[Material], dt.date], dict[int, str]]] = []
SHARED_NOT_FOUND = "未找到申请人有效的共享证照"


def find_shared_with(finder: Callable) -> None:
    if finder not in _shared_finders:
        _shared_finders.append(finder)


def _find_shared(applicant: Applicant, materials: Sequence[Material], today: dt.date) -> dict[int, str]:
    found: dict[int, str] = {}
    for finder in _shared_finders if materials else ():
        found |= finder(applicant, materials, today)
    return found


def _shared_note(number: str) -> str:
    return f"共享证照 {number}"


NOTE_MAX = 300  # CaseMaterial.note


def _note(text: str, name: str) -> str:
    note = (text or "").strip()
    if not note:
        raise DomainError("case.notice_note_required", f"请写明“{name}”需如何补正。")
    if len(note) > NOTE_MAX:
        raise DomainError("case.notice_note_too_long", f"“{name}”的补正说明不超过{NOTE_MAX}字。")
    return note


# ---- the machinery -------------------------------------------------------------------------


def _lock(case: Case, *, materials: bool = False) -> Case:
    """Locks the case row (only it: FOR UPDATE OF c) and reads its applicant in the same statement
    — on PostgreSQL with `materials` also the case's materials (as `loaded_materials`), one JSON
    array. Plain SQL: the ORM's select_for_update().select_related() cost ~1.5 ms to compile (bench)."""
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
    extra = ""
    if with_materials:
        columns = ", ".join(f"m.{fastsql.quote(f.column)}" for f in CaseMaterial._meta.concrete_fields)
        extra = (f", (SELECT json_agg(json_build_array({columns}) ORDER BY m.id) FROM "
                 f"{fastsql.quote(CaseMaterial._meta.db_table)} m WHERE m.case_id = c.id)")  # fmt: skip
    return (f"SELECT {fastsql.select_list(Case, 'c')}, {fastsql.select_list(Applicant, 'a')}{extra} "
            f"FROM {fastsql.quote(Case._meta.db_table)} c JOIN {fastsql.quote(Applicant._meta.db_table)} a "
            f"ON a.id = c.applicant_id WHERE c.{fastsql.quote(key)} = %s{' FOR UPDATE OF c' if postgresql else ''}")  # fmt: skip


def find_applicant(*, ref: str | None = None, user_id: int | None = None) -> Applicant | None:
    """Applicant.objects.filter(ref=… or user=…).order_by().first() in plain SQL (intake's hot path)."""
    key, value = ("ref", ref) if ref else ("user_id", user_id)
    sql = (f"SELECT {fastsql.select_list(Applicant, 'a')} FROM {fastsql.quote(Applicant._meta.db_table)} a "
           f"WHERE a.{fastsql.quote(key)} = %s ORDER BY a.id LIMIT 1")  # fmt: skip
    rows = fastsql.fetch(sql, [value])
    return fastsql.from_row(Applicant, rows[0]) if rows else None


def published(version_id: int):
    """(version with item and department, materials, steps) of a published version."""
    return _published(version_id)


def _check(case: Case, action: str) -> None:
    allowed, _ = TRANSITIONS[action]
    if case.status not in allowed:
        raise Conflict(
            "case.invalid_transition",
            f"办件当前状态为“{case.get_status_display()}”，不能{ACTION_NAMES[action]}。",
            details={"status": case.status, "action": action},
        )


def _move(case: Case, action: str, *, by: User | None, to: str | None = None, reason: str = "",
          payload: dict | None = None, fields: Iterable[str] = (), also: Iterable = ()) -> CaseEvent:  # fmt: skip
    """Applies a checked transition: new status, the changed fields, one audit event, and `also`
    (fastsql writes of the same transition) — on PostgreSQL all in one round trip."""
    _check(case, action)
    from_status = case.status
    case.status = to or TRANSITIONS[action][1] or case.status
    event = audit.build_event(case, at=clock.now(), actor=by, action=action, from_status=from_status,
                              to_status=case.status, reason=reason, payload=payload or {})  # fmt: skip
    event.case = case
    row = (fastsql.Insert([case]) if case._state.adding
           else fastsql.Update(case, ["status", "event_count", "last_hash", *fields]))  # fmt: skip
    extra = [write for hook in _write_hooks for write in hook(case, action, event)]
    fastsql.run(row, fastsql.Insert([event]), *also, *extra)
    for hook in _after_hooks:
        hook(case, action, event)
    return event


def _is_superuser(by: User | None) -> bool:
    return by is not None and by.is_superuser


def _staff_scope(by: User, case: Case):
    staff = staff_of(by)
    if staff is None:
        return None
    if staff.role in DEPARTMENT_ROLES:
        return staff if staff.department_id == case.department_id else None
    return staff if staff.hall_id == case.hall_id else None


def may_view(by: User, case: Case) -> bool:
    if not by.is_authenticated:
        return False
    if _is_superuser(by) or case.applicant.user_id == by.pk:
        return True
    staff = _staff_scope(by, case)
    return staff is not None and staff.role in (Role.CLERK, Role.SUPERVISOR, Role.HALL_ADMIN, *DEPARTMENT_ROLES,
                                                Role.AGENT)  # fmt: skip


def _require(by: User, case: Case, *roles: str, applicant: bool = False) -> None:
    """The actor must see the case (else 404, as if it did not exist) and hold a role."""
    if _is_superuser(by):
        return
    if applicant and case.applicant.user_id == by.pk:
        return
    if not may_view(by, case):
        raise NotFound("case.not_found", "未找到该办件。")
    staff = _staff_scope(by, case)
    if staff is None or staff.role not in roles:
        raise Forbidden("case.role", "您的角色不能办理此环节。")


CHANNELS = frozenset(Channel.values)  # the enum's .values builds its list anew on each access
INTAKE_ROLES = (Role.CLERK, Role.AGENT, *DEPARTMENT_ROLES)
REVIEW_ROLES = tuple(DEPARTMENT_ROLES)


@lru_cache(maxsize=4096)
def _published(version_id: int) -> tuple[ItemVersion, tuple[Material, ...], tuple]:
    """A published version never changes again, so each process keeps it with its materials and
    steps: a submission costs no catalog queries after the first."""
    version = ItemVersion.objects.select_related("item__department").get(pk=version_id)
    return version, tuple(version.materials.all()), tuple(version.steps.all())


def _today_seq() -> tuple[dt.date, int]:
    today = clock.today()
    return today, calendar.seq(today)


# ---- intake --------------------------------------------------------------------------------


@fastsql.atomic
def submit(*, version: ItemVersion, applicant: Applicant, hall: Hall, channel: str, by: User,
           form_data: dict | None = None, handed_in: Iterable[int] = (),
           files: dict[int, object] | None = None, project_code: str = "",
           bundle_number: str = "") -> Case:  # fmt: skip
    """接件 at a window (`handed_in`: the material ids the clerk ticks) or online (`files`: the
    uploads, material id → file). A material is received only so: online, only what was
    uploaded counts; nothing handed in means nothing received. A shared material not handed in
    is looked up (证照共享); one not found is missing like any other."""
    if version.state != ItemVersion.State.PUBLISHED:
        raise Conflict("case.item_not_published", "该事项当前不受理申请。")
    if channel not in CHANNELS:
        raise DomainError("case.channel", "申请渠道不正确。")
    version, materials, _ = _published(version.pk)
    if channel == Channel.PORTAL:
        if applicant.user_id != by.pk:
            raise Forbidden("case.not_your_applicant", "只能以本人身份网上申请。")
    elif not (
        _is_superuser(by)
        or (staff_of(by) and staff_of(by).role in INTAKE_ROLES and staff_of(by).hall_id == hall.pk)
    ):
        raise Forbidden("case.intake_role", "只有本中心的窗口人员可以登记窗口申请。")
    handed = _handed(channel, handed_in, files, {m.pk for m in materials})
    now = clock.now()
    today = now.astimezone(clock.hall_tz()).date()
    asked_shared = [m for m in materials if m.source == Material.Source.SHARED and m.pk not in handed]
    found = _find_shared(applicant, asked_shared, today)
    number, case_id = numbering.allocate(hall.region_id, today)
    case = fastsql.new(  # Case(…) without Model.__init__'s cost (hot path)
        Case, pk=case_id, number=number, item_id=version.item_id, item_version=version,
        department_id=version.item.department_id, applicant=applicant, hall=hall, region_code=hall.region_id,
        channel=channel, form_data=form_data or {}, received_at=now, received_on=today, intake_from=today,
        promised_days=version.promised_limit_days, status="", project_code=project_code, bundle_number=bundle_number,
    )  # fmt: skip
    rows = []
    for m in materials:
        state, note = _intake_state(m, handed, found)
        rows.append(fastsql.new(CaseMaterial, case=case, material=m, name=m.name, state=state, note=note,
                                file=(files or {}).get(m.pk, "")))  # fmt: skip
    _move(case, "submit", by=by, payload={"channel": channel}, also=[fastsql.Insert(rows)])
    case.loaded_materials, case.loaded_steps = rows, []  # the answer needs no re-read
    return case


def _handed(channel: str, handed_in: Iterable[int], files: dict | None, known: set[int]) -> set[int]:
    """The materials received at submission: online the uploaded files (a claim without a file
    is refused), at a window or by an agent what the clerk ticked (and any scans attached)."""
    uploaded = set(files or ())
    handed = set(handed_in) | uploaded
    unknown = handed - known
    if unknown:
        raise DomainError(
            "case.unknown_material", "所交材料不属于该事项。", details={"materials": sorted(unknown)}
        )
    if channel == Channel.PORTAL and handed - uploaded:
        raise DomainError("case.portal_material_without_file", "网上申请的材料须上传文件，未上传的材料视为未提交。",
                          details={"materials": sorted(handed - uploaded)})  # fmt: skip
    return handed


def _intake_state(material: Material, handed: set[int], found: dict[int, str]) -> tuple[str, str]:
    """(state, note) of a material at submission."""
    if material.pk in handed:
        return CaseMaterial.State.RECEIVED, ""
    if material.pk in found:
        return CaseMaterial.State.SHARED, _shared_note(found[material.pk])
    if not material.required:
        return CaseMaterial.State.NOT_APPLICABLE, ""
    if material.source == Material.Source.SHARED:
        return CaseMaterial.State.MISSING, SHARED_NOT_FOUND
    return CaseMaterial.State.MISSING, ""


def _start_clock(case: Case, accepted_on: dt.date) -> fastsql.Insert:
    """Sets the deadline and builds the steps' rows: the caller writes them (fastsql.run, or
    `_move(also=…)` with the transition)."""
    case.accepted_on = accepted_on
    case.due_seq, case.due_on = clock_rules.deadline(accepted_on, case.promised_days, case.extra_days)
    _, _, steps = _published(case.item_version_id)
    decision = next((i for i, s in enumerate(steps) if s.role == Role.DEPARTMENT_HEAD), len(steps) - 1)
    start = calendar.seq(accepted_on)
    rows, used = [], 0
    for i, s in enumerate(steps):
        used += s.days
        kind = (
            CaseStep.Kind.REVIEW
            if i < decision
            else CaseStep.Kind.DECIDE
            if i == decision
            else CaseStep.Kind.AFTER
        )
        rows.append(
            fastsql.new(
                CaseStep, case=case, order=i + 1, name=s.name, role=s.role, kind=kind, due_seq=start + used
            )
        )
    case.loaded_steps = rows
    return fastsql.Insert(rows)


CLOCK_FIELDS = ["accepted_on", "due_seq", "due_on"]


OUTSTANDING = (CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE)


def _materials(case: Case) -> list[CaseMaterial]:
    """The case's materials, read once unless the lock did (kept on the case for the answer)."""
    if getattr(case, "loaded_materials", None) is not None:
        return case.loaded_materials
    sql = (
        f"SELECT {fastsql.select_list(CaseMaterial, 'm')} FROM {fastsql.quote(CaseMaterial._meta.db_table)} m "
        "WHERE m.case_id = %s ORDER BY m.id"
    )  # case.materials.all() in plain SQL (hot path)
    with connection.cursor() as cursor:
        cursor.execute(sql, [case.pk])
        case.loaded_materials = [fastsql.from_row(CaseMaterial, row) for row in cursor.fetchall()]
    for m in case.loaded_materials:
        CaseMaterial.case.field.set_cached_value(m, case)
    return case.loaded_materials


def _shared_found_since(case: Case) -> list[fastsql.Update]:
    """证照共享: a shared material missing at submission may have been issued since — asked again
    before 受理 (only when there is such a material: no cost otherwise). Returns the rows' writes."""
    _, materials, _ = _published(case.item_version_id)
    shared = {m.pk: m for m in materials if m.source == Material.Source.SHARED}
    rows = [r for r in _materials(case) if r.state == CaseMaterial.State.MISSING and r.material_id in shared]
    if not rows:
        return []
    found = _find_shared(case.applicant, [shared[r.material_id] for r in rows], clock.today())
    writes = []
    for r in rows:
        if r.material_id in found:
            r.state, r.note = CaseMaterial.State.SHARED, _shared_note(found[r.material_id])
            writes.append(fastsql.Update(r, ["state", "note"]))
    return writes


def _missing_required(case: Case) -> list[str]:
    return [m.name for m in _materials(case) if m.state in OUTSTANDING]


@fastsql.atomic
def accept(case: Case, *, by: User) -> Case:
    """受理: the materials are complete and legal; the clock starts (the day itself not counted)."""
    case = _lock(case, materials=True)
    _require(by, case, *INTAKE_ROLES)
    _check(case, "accept")
    shared = _shared_found_since(case)
    missing = _missing_required(case)
    if missing:
        raise Conflict("case.materials_incomplete", f"材料不齐全，不能受理：{'、'.join(missing)}。请一次性告知补正或容缺受理。",
                       details={"missing": missing})  # fmt: skip
    steps = _start_clock(case, clock.today())
    _move(case, "accept", by=by, payload={"due_on": case.due_on.isoformat()}, fields=CLOCK_FIELDS,
          also=[steps, *shared])  # fmt: skip
    return case


@transaction.atomic
def receive(case: Case, *, by: User, materials: Iterable[int]) -> Case:
    """收取材料 before the written answer: the clerk ticks what the applicant hands in at the window
    — a material is received only so or by an upload; a shared license not found, on paper."""
    case = _lock(case)
    _require(by, case, *INTAKE_ROLES)
    _check(case, "receive")
    handed = set(materials)
    pending = {m.material_id: m for m in case.materials.filter(state__in=OUTSTANDING)}
    if not handed or not handed <= set(pending):
        raise DomainError("case.receive_mismatch", "收取的材料须为该办件尚缺的材料。")
    for material_id in handed:
        pending[material_id].state, pending[material_id].note = CaseMaterial.State.RECEIVED, ""
    CaseMaterial.objects.bulk_update([pending[i] for i in handed], ["state", "note"])
    _move(case, "receive", by=by, payload={"materials": [pending[i].name for i in sorted(handed)]})
    return case


@transaction.atomic
def request_supplement(case: Case, *, by: User, items: list[dict]) -> Case:
    """一次性告知 (行政许可法 art. 32): every missing or defective material, each with a note,
    in one written notice. `items`: [{"material": id, "note": "…", "defective": bool}].
    A notice that leaves out a material still missing is refused. After a supplement a notice
    may name only what the supplement itself got wrong (each with the reason, recorded) besides
    what is still outstanding from the first notice — never a new demand."""
    case = _lock(case)
    _require(by, case, *INTAKE_ROLES)
    _check(case, "request_supplement")
    rows = {m.material_id: m for m in case.materials.all()}
    named = [entry.get("material") for entry in items]
    if any(material not in rows for material in named):
        raise DomainError("case.unknown_material", "告知的材料不属于该事项。")
    left_out = [m.name for m in rows.values() if m.state in OUTSTANDING and m.material_id not in named]
    if left_out:
        raise DomainError("case.notice_incomplete", f"一次性告知须一次列明全部缺少或需补正的材料，以下材料尚缺而未列入：{'、'.join(left_out)}。",
                          details={"materials": left_out})  # fmt: skip
    if not items:
        raise DomainError("case.notice_empty", "一次性告知书须列明需补正的全部材料。")
    supplemented = _last_supplement(case)
    if supplemented is not None:
        new = [
            rows[i].name
            for i in named
            if rows[i].state not in OUTSTANDING and rows[i].name not in supplemented
        ]
        if new:
            raise DomainError("case.notice_new_demand", f"已一次性告知过：补正后再次告知只能针对补正材料本身的问题，不能新增要求（{'、'.join(new)}）。",
                              details={"materials": new})  # fmt: skip
    listed = []
    for entry in items:
        row = rows[entry["material"]]
        row.note = _note(entry.get("note"), row.name)
        again = supplemented is not None and row.name in supplemented and row.state not in OUTSTANDING
        defective = entry.get("defective") or again  # handed in with the supplement, and wrong
        row.state = CaseMaterial.State.DEFECTIVE if defective else CaseMaterial.State.MISSING
        listed.append({"material": row.name, "note": row.note, "state": row.state,
                       **({"cause": "补正材料不符合要求" if again else "仍未补齐"} if supplemented is not None else {})})  # fmt: skip
    CaseMaterial.objects.bulk_update([rows[i] for i in named], ["state", "note"])
    payload = {"materials": listed} | ({"after_supplement": True} if supplemented is not None else {})
    _move(case, "request_supplement", by=by, payload=payload)
    return case


def _last_supplement(case: Case) -> list[str] | None:
    """The names the last supplement at intake handed in, or None before any supplement (the
    first notice). Only intake supplements bring a case back to intake."""
    event = case.events.filter(action="supplement").order_by("-seq").first()
    return None if event is None else list(event.payload.get("materials", []))


@transaction.atomic
def supplement(
    case: Case, *, by: User, materials: Iterable[int], files: dict[int, object] | None = None
) -> Case:
    """补齐补正: the applicant hands in what the notice listed. A case noticed at intake returns
    to intake; a case returned for correction during review resumes its clock."""
    case = _lock(case)
    _require(by, case, *INTAKE_ROLES, applicant=True)
    _check(case, "supplement")
    handed = set(materials)
    pending = {m.material_id: m for m in case.materials.filter(
        state__in=[CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE])}  # fmt: skip
    if not handed or not handed <= set(pending):
        raise DomainError("case.supplement_mismatch", "补交的材料须为告知书所列的材料。")
    for material_id in handed:
        pending[material_id].state = CaseMaterial.State.RECEIVED
        if files and material_id in files:
            pending[material_id].file = files[material_id]
    CaseMaterial.objects.bulk_update([pending[i] for i in handed], ["state", "file"])
    names = [pending[i].name for i in handed]
    if case.status == S.CORRECTION_REQUESTED:
        fields = _end_pause(case, by)
        # The new deadline is recorded: notices read the deadline from the events that move it.
        _move(case, "supplement", by=by, to=S.IN_REVIEW, payload={"materials": names, "due_on": case.due_on.isoformat()},
              fields=fields)  # fmt: skip
    else:
        # 行政许可法 art. 32: the 5 working days to answer run again from the supplement's arrival.
        case.intake_from = clock.today()
        _move(case, "supplement", by=by, to=S.SUBMITTED,
              payload={"materials": names, "intake_from": case.intake_from.isoformat()}, fields=["intake_from"])  # fmt: skip
    return case


@transaction.atomic
def refuse(case: Case, *, by: User, reason: str, where_to_turn: str, legal_basis: str = "") -> Case:
    """不予受理: the written reason and the body the applicant may turn to (a project's: 否决报备)."""
    case = _lock(case)
    _require(by, case, *INTAKE_ROLES)
    if not (reason or "").strip() or not (where_to_turn or "").strip():
        raise DomainError(
            "case.refusal_reason_required", "不予受理须写明理由，并告知申请人可向哪个机关申请。"
        )
    _check(case, "refuse")
    filed = veto_filings.file(case, "refuse", by=by, reason=reason, legal_basis=legal_basis) if case.project_code else {}  # fmt: skip
    case.outcome, case.closed_at = Outcome.REFUSED, clock.now()
    _move(case, "refuse", by=by, reason=reason.strip(), payload={"where_to_turn": where_to_turn.strip(), **filed},
          fields=["outcome", "closed_at"])  # fmt: skip
    return case


@transaction.atomic
def accept_tolerantly(case: Case, *, by: User, supply_by: dt.date) -> Case:
    """容缺受理: only tolerable materials may be missing; the applicant promises to supply them
    by a date; review runs, but the decision waits for them."""
    case = _lock(case)
    _require(by, case, *INTAKE_ROLES)
    _check(case, "accept_tolerantly")
    missing = list(case.materials.filter(state__in=[CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE])
                   .select_related("material"))  # fmt: skip
    if not missing:
        raise DomainError("case.nothing_to_tolerate", "材料已齐全，请直接受理。")
    key = [m.name for m in missing if not m.material.tolerable]
    if key:
        raise DomainError("case.material_not_tolerable", f"以下材料不可容缺，须补齐后受理：{'、'.join(key)}。",
                          details={"materials": key})  # fmt: skip
    today = clock.today()
    if supply_by is None or supply_by < today:
        raise DomainError("case.supply_date", "请填写不早于今天的容缺材料承诺补齐日期。")
    for m in missing:
        m.state = CaseMaterial.State.TOLERATED
    CaseMaterial.objects.bulk_update(missing, ["state"])
    case.tolerance_due_on = supply_by
    steps = _start_clock(case, today)
    _move(case, "accept_tolerantly", by=by, payload={"materials": [m.name for m in missing],
          "supply_by": supply_by.isoformat(), "due_on": case.due_on.isoformat()},
          fields=[*CLOCK_FIELDS, "tolerance_due_on"], also=[steps])  # fmt: skip
    return case


@transaction.atomic
def supply_tolerated(case: Case, *, by: User, materials: Iterable[int]) -> Case:
    case = _lock(case)
    _require(by, case, *INTAKE_ROLES, applicant=True)
    handed = set(materials)
    pending = {m.material_id: m for m in case.materials.filter(state=CaseMaterial.State.TOLERATED)}
    if not handed or not handed <= set(pending):
        raise DomainError("case.supplement_mismatch", "补交的材料须为容缺受理时承诺补齐的材料。")
    for material_id in handed:
        pending[material_id].state = CaseMaterial.State.RECEIVED
    CaseMaterial.objects.bulk_update([pending[i] for i in handed], ["state"])
    _move(case, "supply_tolerated", by=by, payload={"materials": [pending[i].name for i in handed]})
    return case


@transaction.atomic
def approve_by_commitment(case: Case, *, by: User, commitment: str) -> Case:
    """告知承诺制: the applicant signs a commitment; decided at once; checked afterwards."""
    case = _lock(case)
    _require(by, case, *INTAKE_ROLES)
    _check(case, "approve_by_commitment")
    if not case.item_version.commitment_approval:
        raise DomainError("case.commitment_not_allowed", "该事项未实行告知承诺制。")
    if not (commitment or "").strip():
        raise DomainError("case.commitment_required", "请记录申请人签署的承诺书内容。")
    today = clock.today()
    fastsql.run(_start_clock(case, today))
    # The 核查 it owes, due in working days (art. 82) from today (cases.commitment_checks).
    check = CommitmentCheck(case=case, department_id=case.department_id, approved_on=today,
                            days=settings.ONEWINDOW_COMMITMENT_CHECK_DAYS)  # fmt: skip
    check.due_seq, check.due_on = clock_rules.deadline(today, check.days)
    check.save()
    CaseStep.objects.filter(case=case).exclude(kind=CaseStep.Kind.AFTER).update(done_at=clock.now(), done_by=by,
                                                                                opinion="告知承诺，当场审批")  # fmt: skip
    _close(case, Outcome.APPROVED, today)
    case.by_commitment = True
    _move(case, "approve_by_commitment", by=by, reason=commitment.strip(),
          payload={"check_due_on": check.due_on.isoformat()},
          fields=[*CLOCK_FIELDS, *CLOSE_FIELDS, "by_commitment"])  # fmt: skip
    return case


# ---- after acceptance ----------------------------------------------------------------------


CLOSE_FIELDS = ["outcome", "decided_at", "closed_at", "closed_on", "closed_seq"]


def _close(case: Case, outcome: str, today: dt.date) -> None:
    now = clock.now()
    case.outcome, case.closed_at, case.closed_on, case.closed_seq = outcome, now, today, calendar.seq(today)
    if outcome in (Outcome.APPROVED, Outcome.DENIED):
        case.decided_at = now


def _current_step(case: Case) -> CaseStep | None:
    return case.steps.filter(done_at__isnull=True).exclude(kind=CaseStep.Kind.AFTER).order_by("order").first()


@transaction.atomic
def review(case: Case, *, by: User, opinion: str) -> Case:
    """Completes the current review step with the reviewer's opinion."""
    case = _lock(case)
    _require(by, case, *REVIEW_ROLES)
    _check(case, "review")
    step = _current_step(case)
    if step is None or step.kind != CaseStep.Kind.REVIEW:
        raise Conflict("case.no_review_step", "审查环节已完成，请作出决定。")
    if not (opinion or "").strip():
        raise DomainError("case.opinion_required", "请填写审查意见。")
    CaseStep.objects.filter(pk=step.pk).update(done_at=clock.now(), done_by=by, opinion=opinion.strip())
    _move(case, "review", by=by, reason=opinion.strip(), payload={"step": step.name})
    return case


@transaction.atomic
def return_for_correction(case: Case, *, by: User, items: list[dict]) -> Case:
    """退回补正 during review: counts as a one-time notice; the clock stops until the supplement."""
    case = _lock(case)
    _require(by, case, *REVIEW_ROLES)
    _check(case, "return_for_correction")
    if not items:
        raise DomainError("case.notice_empty", "退回补正须列明需补正的全部材料。")
    rows = {m.material_id: m for m in case.materials.all()}
    for entry in items:
        row = rows.get(entry.get("material"))
        if row is None:
            raise DomainError("case.unknown_material", "退回补正的材料不属于该事项。")
        row.state, row.note = CaseMaterial.State.DEFECTIVE, _note(entry.get("note"), row.name)
    CaseMaterial.objects.bulk_update([rows[e["material"]] for e in items], ["state", "note"])
    fields = _start_pause(case, by, Suspension.Kind.CORRECTION, "退回补正", None)
    _move(case, "return_for_correction", by=by,
          payload={"materials": [{"material": rows[e["material"]].name, "note": rows[e["material"]].note}
                                 for e in items]}, fields=fields)  # fmt: skip
    return case


@transaction.atomic
def decide(case: Case, *, by: User, approve: bool, reason: str = "", legal_basis: str = "") -> Case:
    """决定 (approve / deny with reasons); 办结. On-the-spot items are decided at the window the
    same day by the clerk who accepted them. A project's case denied: 否决报备 first."""
    case = _lock(case)
    version = case.item_version
    today = clock.today()
    on_the_spot = version.on_the_spot and case.accepted_on == today
    _require(by, case, Role.DEPARTMENT_HEAD, *((Role.CLERK,) if on_the_spot else ()))
    _check(case, "decide")
    if case.materials.filter(state=CaseMaterial.State.TOLERATED).exists():
        raise Conflict("case.tolerated_materials_pending", "容缺材料尚未补齐，暂不能作出决定。")
    if not approve and not (reason or "").strip():
        raise DomainError("case.denial_reason_required", "不予准予须写明理由。")
    pending = case.steps.filter(done_at__isnull=True, kind=CaseStep.Kind.REVIEW)
    if pending.exists() and not on_the_spot:
        raise Conflict("case.review_pending", "审查环节尚未完成，不能作出决定。")
    vetoed = bool(case.project_code) and not approve
    filed = veto_filings.file(case, "decide", by=by, reason=reason, legal_basis=legal_basis) if vetoed else {}  # fmt: skip
    now = clock.now()
    opinion = (reason or "").strip() or ("准予" if approve else "")
    case.steps.filter(done_at__isnull=True).exclude(kind=CaseStep.Kind.AFTER).update(done_at=now, done_by=by,
                                                                                     opinion=opinion)  # fmt: skip
    _close(case, Outcome.APPROVED if approve else Outcome.DENIED, today)
    _move(case, "decide", by=by, reason=opinion, payload={"approve": approve, "on_time": case.on_time, **filed},
          fields=CLOSE_FIELDS)  # fmt: skip
    return case


def _start_pause(case: Case, by: User, kind: str, reason: str, expected_days: int | None) -> list[str]:
    today, today_seq = _today_seq()
    case.frozen_light = clock_rules.light(case.due_seq, case.promised_days, today_seq)
    case.paused_on = today
    Suspension.objects.create(case=case, kind=kind, reason=reason, expected_days=expected_days, started_on=today,
                              started_by=by)  # fmt: skip
    return ["frozen_light", "paused_on"]


def _end_pause(case: Case, by: User) -> list[str]:
    """The working days the clock stood still are added to the deadline."""
    today = clock.today()
    days = max(0, calendar.workdays_between(case.paused_on, today))
    Suspension.objects.filter(case=case, ended_on__isnull=True).update(ended_on=today, days=days)
    case.extra_days += days
    case.due_seq, case.due_on = clock_rules.deadline(case.accepted_on, case.promised_days, case.extra_days)
    case.paused_on, case.frozen_light = None, ""
    return ["extra_days", "due_seq", "due_on", "paused_on", "frozen_light"]


@transaction.atomic
def suspend(case: Case, *, by: User, kind: str, reason: str, expected_days: int | None = None) -> Case:
    """特别程序开始 (行政许可法 art. 45): the clock stops; the applicant is told in writing."""
    case = _lock(case)
    _require(by, case, *REVIEW_ROLES)
    _check(case, "suspend")
    if kind not in Suspension.Kind.values or kind == Suspension.Kind.CORRECTION:
        raise DomainError(
            "case.suspension_kind",
            "特别程序类型应为听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审、现场勘验或公示之一。",
        )
    if not (reason or "").strip():
        raise DomainError("case.suspension_reason_required", "请写明特别程序的理由。")
    fields = _start_pause(case, by, kind, reason.strip(), expected_days)
    _move(case, "suspend", by=by, reason=reason.strip(), payload={"kind": kind, "expected_days": expected_days},
          fields=fields)  # fmt: skip
    return case


@transaction.atomic
def resume(case: Case, *, by: User) -> Case:
    """特别程序结束: the working days it lasted are added to the deadline."""
    case = _lock(case)
    _require(by, case, *REVIEW_ROLES)
    _check(case, "resume")
    fields = _end_pause(case, by)
    _move(case, "resume", by=by, payload={"due_on": case.due_on.isoformat(), "extra_days": case.extra_days},
          fields=fields)  # fmt: skip
    return case


@transaction.atomic
def extend(case: Case, *, by: User, days: int, reason: str) -> Case:
    """延期 (行政许可法 art. 42): approved by the department head, once, at most the law's days."""
    case = _lock(case)
    _require(by, case, Role.DEPARTMENT_HEAD)
    _check(case, "extend")
    limit = settings.ONEWINDOW_MAX_EXTENSION_DAYS
    if case.extended:
        raise Conflict("case.already_extended", "该办件已延期一次，不能再次延期。")
    if not 1 <= days <= limit:
        raise DomainError("case.extension_days", f"延期应为1至{limit}个工作日（行政许可法第四十二条）。")
    if not (reason or "").strip():
        raise DomainError("case.extension_reason_required", "请写明延期理由。")
    case.extra_days += days
    case.extended = True
    case.due_seq, case.due_on = clock_rules.deadline(case.accepted_on, case.promised_days, case.extra_days)
    _move(case, "extend", by=by, reason=reason.strip(), payload={"days": days, "due_on": case.due_on.isoformat()},
          fields=["extra_days", "extended", "due_seq", "due_on"])  # fmt: skip
    return case


@transaction.atomic
def withdraw(case: Case, *, by: User, reason: str = "") -> Case:
    """撤回: by the applicant (or a clerk on their behalf) before the decision."""
    case = _lock(case)
    _require(by, case, Role.CLERK, applicant=True)
    _check(case, "withdraw")
    fields = _end_pause(case, by) if case.status in CLOCK_STOPPED else []
    _close(case, Outcome.WITHDRAWN, clock.today())
    _move(case, "withdraw", by=by, reason=(reason or "申请人撤回").strip(), fields=[*fields, *CLOSE_FIELDS])
    return case
