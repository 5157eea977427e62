"""Intake (受理环节): from the application to the written answer — 接件 (submit), 收取材料,
受理 (accept), 一次性告知 and 补正, 不予受理, 容缺受理 and its supply, 告知承诺 approval.
Submit and accept are the measured hot path (decisions 5, 12, 13, 17): they write through
fastsql when it is on; every other use case here writes with the ORM. The answers to a child of
a 一件事 are the bundle's to give: they are refused unless the bundles module passes the case's
bundle number (`bundle=`; transitions.check_bundle_intake)."""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.db import transaction

from onewindow import clock, fastsql
from onewindow.accounts.models import Applicant, Hall, User
from onewindow.cases import clock_rules, numbering, permits, veto_filings
from onewindow.cases.models import (
    Case,
    CaseMaterial,
    CaseStep,
    Channel,
    CommitmentCheck,
    Mark,
    MaterialFile,
    Outcome,
    Status,
)
from onewindow.cases.pauses import end_pause
from onewindow.cases.permits import OUTSTANDING
from onewindow.cases.transitions import (
    CHANNELS,
    CLOCK_FIELDS,
    CLOSE_FIELDS,
    NOTE_MAX,
    apply_transition,
    close_case,
    fastsql_on,
    hot_path,
    intake_window,
    lock_case,
    materials_of,
    new_row,
    notice_note,
    published,
    record_window,
    start_clock,
    write,
)
from onewindow.catalog.models import ItemVersion, Material
from onewindow.errors import Conflict, DomainError
from onewindow.workdays import calendar

S = Status

# 证照共享 (decision 14): the module that holds the licenses sits above cases and registers the
# one look-up finder(applicant, materials, today, fast=…) → a function giving {material id:
# license number} of the shared materials the applicant's valid licenses satisfy. The rule stays
# here: a shared material neither found nor handed in is missing — on the one-time notice, and
# 受理 waits for it. On the hot path (`fast`) the finder may send its query with the submission's
# next round trip (fastsql.Read), so submit asks for the answer only after the case number.
_shared_finders: list[Callable[..., Callable[[], dict[int, str]]]] = []
SHARED_NOT_FOUND = "未找到申请人有效的共享证照"


def find_shared_with(finder: Callable) -> None:
    if finder not in _shared_finders:
        _shared_finders.append(finder)


def _find_shared(applicant: Applicant, materials: Sequence[Material], today: dt.date, *, fast: bool = False
                 ) -> Callable[[], dict[int, str]]:  # fmt: skip
    """The function giving what the finders found; no query when no shared material is asked."""
    answers = [finder(applicant, materials, today, fast=fast) for finder in _shared_finders if materials]

    def found() -> dict[int, str]:
        merged: dict[int, str] = {}
        for answer in answers:
            merged |= answer()
        return merged

    return found


def _shared_note(number: str) -> str:
    return f"共享证照 {number}"


def find_applicant(*, ref: str | None = None, user_id: int | None = None) -> Applicant | None:
    """Applicant.objects.filter(ref=… or user=…).order_by("id").first(), in plain SQL when fastsql
    is on (the first round trip of a window submission)."""
    key, value = ("ref", ref) if ref else ("user_id", user_id)
    if not fastsql_on():
        return Applicant.objects.filter(**{key: value}).order_by("id").first()
    sql = (f"SELECT {fastsql.select_list(Applicant, 'a')} FROM {fastsql.quote(Applicant._meta.db_table)} a "
           f"WHERE a.{fastsql.quote(key)} = %s ORDER BY a.id LIMIT 1")  # fmt: skip
    rows = fastsql.fetch(sql, [value])
    return fastsql.from_row(Applicant, rows[0]) if rows else None


# ---- intake --------------------------------------------------------------------------------


@hot_path
def submit(*, version: ItemVersion, applicant: Applicant, hall: Hall, channel: str, by: User,
           form_data: dict | None = None, handed_in: Iterable[int] = (),
           files: dict[int, object] | None = None, project_code: str = "",
           bundle_number: str = "", prerequisite: Case | None = None) -> Case:  # fmt: skip
    """接件 at a window (`handed_in`: the material ids the clerk ticks) or online (`files`: the
    uploads, material id → file). A material is received only so: online, only what was
    uploaded counts; nothing handed in means nothing received. A shared material not handed in
    is looked up (证照共享); one not found is missing like any other."""
    if version.state != ItemVersion.State.PUBLISHED:
        raise Conflict("case.item_not_published", "该事项当前不受理申请。")
    if channel not in CHANNELS:
        raise DomainError("case.channel", "申请渠道不正确。")
    version, materials, _ = published(version.pk)
    permits.require_filing(
        by, channel=channel, applicant=applicant, hall=hall, department=version.item.department
    )
    handed = _handed(channel, handed_in, files, {m.pk for m in materials})
    now = clock.now()
    today = now.astimezone(clock.hall_tz()).date()
    asked_shared = [m for m in materials if m.source == Material.Source.SHARED and m.pk not in handed]
    fast = fastsql_on()
    shared = _find_shared(applicant, asked_shared, today, fast=fast)  # with the case number's round trip
    number, case_id = numbering.allocate(hall.region_id, today)
    found = shared()
    case = new_row(  # Case(…), on the hot path without Model.__init__'s cost
        Case, fast, pk=case_id, number=number, item_id=version.item_id, item_version=version,
        department_id=version.item.department_id, applicant=applicant, hall=hall, region_code=hall.region_id,
        channel=channel, form_data=form_data or {}, received_at=now, received_on=today, intake_from=today,
        promised_days=version.promised_limit_days, status="", project_code=project_code, bundle_number=bundle_number,
        prerequisite=prerequisite, window_id=intake_window(by, channel, hall.pk),
    )  # fmt: skip
    rows = []
    for m in materials:
        state, note = _intake_state(m, handed, found)
        rows.append(new_row(CaseMaterial, fast, case=case, material=m, name=m.name, state=state, note=note,
                            file=(files or {}).get(m.pk, "")))  # fmt: skip
    apply_transition(
        case, "submit", by=by, payload={"channel": channel}, also=[fastsql.Insert(rows)], fast=True
    )
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


def shared_found_now(case: Case, rows: Sequence[CaseMaterial]) -> dict[int, str]:
    """证照共享 asked again (RULES.md): of the case's material rows `rows`, those missing shared
    materials the applicant's valid licenses satisfy today — {row id: license number}. Asks the
    finders only when there is such a row (no cost otherwise)."""
    _, materials, _ = published(case.item_version_id)
    shared = {m.pk: m for m in materials if m.source == Material.Source.SHARED}
    rows = [r for r in rows if r.state == CaseMaterial.State.MISSING and r.material_id in shared]
    if not rows:
        return {}
    found = _find_shared(case.applicant, [shared[r.material_id] for r in rows], clock.today())()
    return {r.pk: found[r.material_id] for r in rows if r.material_id in found}


def _shared_found_since(case: Case) -> list[fastsql.Update]:
    """A shared material missing at submission may have been issued since — asked again before
    受理. Returns the rows' writes."""
    rows = materials_of(case)
    found = shared_found_now(case, rows)
    writes = []
    for r in rows:
        if r.pk in found:
            r.state, r.note = CaseMaterial.State.SHARED, _shared_note(found[r.pk])
            writes.append(fastsql.Update(r, ["state", "note"]))
    return writes


@hot_path
def accept(case: Case, *, by: User, bundle: str | None = None, due_not_before: dt.date | None = None) -> Case:
    """受理: the materials are complete and legal; the clock starts (the day itself not counted).
    `due_not_before`: a child of a 一件事 is due no earlier than its prerequisite (bundles)."""
    case = lock_case(case, materials=True, fast=True)
    permits.require(by, case, "accept", bundle=bundle)
    shared = _shared_found_since(case)
    permits.require_state("accept", case, permits.Facts(case))  # on the materials the lock read
    steps = start_clock(case, clock.today(), fast=True)
    if due_not_before is not None and case.due_on < due_not_before:
        case.due_seq, case.due_on = calendar.seq(due_not_before), due_not_before
    apply_transition(case, "accept", by=by, payload={"due_on": case.due_on.isoformat()}, fast=True,
                     fields=[*CLOCK_FIELDS, *record_window(case, by)], also=[steps, *shared])  # fmt: skip
    return case


def _outstanding_handed(
    case: Case, action: str, materials: Iterable[int]
) -> tuple[dict[int, CaseMaterial], set[int]]:
    """收取 and 补齐 alike: the case's outstanding materials (by material id) and those of them
    handed in now — refused (the action's own state check) when nothing or something else is."""
    pending = {m.material_id: m for m in case.materials.filter(state__in=OUTSTANDING)}
    permits.require_state(action, case, permits.Facts(case, materials=list(pending.values())))
    handed = set(materials)
    if not handed or not handed <= set(pending):
        raise permits.refusal(action, case, permits.Facts(case, materials=[]))
    return pending, handed


@transaction.atomic
def receive(case: Case, *, by: User, materials: Iterable[int], bundle: str | None = None) -> Case:
    """收取材料 before the written answer: the clerk ticks what the applicant hands in at the window
    — a material is received only so or by an upload; a shared license not found, on paper."""
    case = lock_case(case)
    permits.require(by, case, "receive", bundle=bundle)
    pending, handed = _outstanding_handed(case, "receive", materials)
    for material_id in handed:
        row = pending[material_id]
        row.state, row.note = CaseMaterial.State.RECEIVED, ""
        row.mark, row.mark_note, row.marked_by, row.marked_at = "", "", None, None  # a new hand-in, unmarked
    CaseMaterial.objects.bulk_update([pending[i] for i in handed], ["state", "note", *MARK_FIELDS])
    apply_transition(case, "receive", by=by, payload={"materials": [pending[i].name for i in sorted(handed)]})
    return case


MARK_FIELDS = ["mark", "mark_note", "marked_by", "marked_at"]


@transaction.atomic
def mark_material(case: Case, *, by: User, material: int, mark: str, note: str = "") -> Case:
    """材料审核 before the written answer: the clerk marks one material handed in 合格 or 需补正
    (with what is wrong) — stored on the material, who and when, and in the audit trail. The
    one-time notice's form is prefilled from the marks; 受理 waits while one says 需补正. After a
    supplement, only a material it handed in may be marked 需补正 (the notice can demand no more)."""
    case = lock_case(case)
    permits.require(by, case, "mark_material")
    row = CaseMaterial.objects.filter(case=case, material_id=material).first()
    if row is None:
        raise DomainError("case.unknown_material", "审核的材料不属于该办件。")
    if row.state != CaseMaterial.State.RECEIVED:
        raise DomainError("case.material_not_received", f"“{row.name}”尚未收到，不能审核。")
    if mark not in Mark.values:
        raise DomainError("case.mark", "请选择审核结果：合格或需补正。")
    text = (note or "").strip()
    if mark == Mark.NEEDS_CORRECTION:
        text = notice_note(text, row.name)
        supplemented = _last_supplement(case)
        if supplemented is not None and row.name not in supplemented:
            raise DomainError("case.notice_new_demand", f"已一次性告知过：补正后只能对补正材料本身提出问题（{row.name}）。")  # fmt: skip
    elif len(text) > NOTE_MAX:
        raise DomainError("case.notice_note_too_long", f"“{row.name}”的审核意见不超过{NOTE_MAX}字。")
    row.mark, row.mark_note, row.marked_by, row.marked_at = mark, text, by, clock.now()
    row.save(update_fields=MARK_FIELDS)
    label = Mark(mark).label
    apply_transition(case, "mark_material", by=by, reason=f"{label}：{text}" if text else label,
                     payload={"materials": [row.name], "mark": mark})  # fmt: skip
    return case


@transaction.atomic
def request_supplement(case: Case, *, by: User, items: list[dict], bundle: str | None = None) -> Case:
    """一次性告知 (行政许可法 art. 32): every missing or defective material, each with a note,
    in one written notice. `items`: [{"material": id, "note": "…", "defective": bool}].
    A notice that leaves out a material still missing is refused. After a supplement a notice
    may name only what the supplement itself got wrong (each with the reason, recorded) besides
    what is still outstanding from the first notice — never a new demand."""
    case = lock_case(case)
    permits.require(by, case, "request_supplement", bundle=bundle)
    rows = {m.material_id: m for m in case.materials.all()}
    named = [entry.get("material") for entry in items]
    if any(material not in rows for material in named):
        raise DomainError("case.unknown_material", "告知的材料不属于该事项。")
    # A material the clerk marked 需补正 (mark_material) is as much a defect as a missing one.
    left_out = [m.name for m in rows.values()
                if (m.state in OUTSTANDING or m.mark == Mark.NEEDS_CORRECTION) and m.material_id not in named]  # fmt: skip
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
        row.note = notice_note(entry.get("note"), row.name)
        again = supplemented is not None and row.name in supplemented and row.state not in OUTSTANDING
        defective = entry.get("defective") or again  # handed in with the supplement, and wrong
        row.state = CaseMaterial.State.DEFECTIVE if defective else CaseMaterial.State.MISSING
        listed.append({"material": row.name, "note": row.note, "state": row.state,
                       **({"cause": "补正材料不符合要求" if again else "仍未补齐"} if supplemented is not None else {})})  # fmt: skip
    CaseMaterial.objects.bulk_update([rows[i] for i in named], ["state", "note"])
    payload = {"materials": listed} | ({"after_supplement": True} if supplemented is not None else {})
    apply_transition(case, "request_supplement", by=by, payload=payload, fields=record_window(case, by))
    return case


def _last_supplement(case: Case) -> list[str] | None:
    """The names the last supplement at intake handed in, or None before any supplement (the
    first notice). Only intake supplements bring a case back to intake."""
    event = case.events.filter(action="supplement").order_by("-seq").first()
    return None if event is None else list(event.payload.get("materials", []))


@transaction.atomic
def supplement(
    case: Case,
    *,
    by: User,
    materials: Iterable[int],
    files: dict[int, object] | None = None,
    bundle: str | None = None,
) -> Case:
    """补齐补正: the applicant hands in what the notice listed. A case noticed at intake returns
    to intake; a case returned for correction during review resumes its clock."""
    case = lock_case(case)
    permits.require(by, case, "supplement", bundle=bundle)
    pending, handed = _outstanding_handed(case, "supplement", materials)
    files = files or {}
    if case.channel == Channel.PORTAL and by.pk == case.applicant.user_id and handed - set(files):
        # Online, as at submission (`_handed`): a material counts as supplemented only with its file.
        names = sorted(pending[i].name for i in handed - set(files))
        raise DomainError("case.portal_material_without_file", f"网上补正须上传文件：{'、'.join(names)}。",
                          details={"materials": names})  # fmt: skip
    now, earlier = clock.now(), []
    for material_id in handed:
        row = pending[material_id]
        row.state = CaseMaterial.State.RECEIVED
        if material_id in files:
            if row.file:  # the replaced file stays, in the material's history
                earlier.append(MaterialFile(material=row, file=row.file.name, mark=row.mark, mark_note=row.mark_note,
                                            replaced_at=now, replaced_by=by))  # fmt: skip
            upload = files[material_id]  # stored now: bulk_update below writes the name only
            row.file.save(upload.name, upload, save=False)
        row.mark, row.mark_note, row.marked_by, row.marked_at = "", "", None, None  # a new hand-in, unmarked
    MaterialFile.objects.bulk_create(earlier)
    CaseMaterial.objects.bulk_update([pending[i] for i in handed], ["state", "file", *MARK_FIELDS])
    names = [pending[i].name for i in handed]
    if case.status == S.CORRECTION_REQUESTED:
        fields = end_pause(case, by)
        # The new deadline is recorded: notices read the deadline from the events that move it.
        apply_transition(case, "supplement", by=by, to=S.IN_REVIEW, payload={"materials": names, "due_on": case.due_on.isoformat()},
                         fields=fields)  # fmt: skip
    else:
        # 行政许可法 art. 32: the 5 working days to answer run again from the supplement's arrival.
        case.intake_from = clock.today()
        apply_transition(case, "supplement", by=by, to=S.SUBMITTED,
                         payload={"materials": names, "intake_from": case.intake_from.isoformat()}, fields=["intake_from"])  # fmt: skip
    return case


@transaction.atomic
def refuse(case: Case, *, by: User, reason: str, where_to_turn: str, legal_basis: str = "",
           bundle: str | None = None) -> Case:  # fmt: skip
    """不予受理: the written reason and the body the applicant may turn to (a project's: 否决报备)."""
    case = lock_case(case)
    permits.require(by, case, "refuse", bundle=bundle)
    if not (reason or "").strip() or not (where_to_turn or "").strip():
        raise DomainError(
            "case.refusal_reason_required", "不予受理须写明理由，并告知申请人可向哪个机关申请。"
        )
    filed = veto_filings.file(case, "refuse", by=by, reason=reason, legal_basis=legal_basis) if case.project_code else {}  # fmt: skip
    case.outcome, case.closed_at = Outcome.REFUSED, clock.now()
    apply_transition(case, "refuse", by=by, reason=reason.strip(), payload={"where_to_turn": where_to_turn.strip(), **filed},
                     fields=["outcome", "closed_at", *record_window(case, by)])  # fmt: skip
    return case


@transaction.atomic
def accept_tolerantly(case: Case, *, by: User, supply_by: dt.date, bundle: str | None = None) -> Case:
    """容缺受理: only tolerable materials may be missing; the applicant promises to supply them
    by a date; review runs, but the decision waits for them."""
    case = lock_case(case)
    permits.require(by, case, "accept_tolerantly", bundle=bundle)
    rows = list(case.materials.all())
    missing = [m for m in rows if m.state in OUTSTANDING]
    permits.require_state("accept_tolerantly", case, permits.Facts(case, materials=rows))
    today = clock.today()
    if supply_by is None or supply_by < today:
        raise DomainError("case.supply_date", "请填写不早于今天的容缺材料承诺补齐日期。")
    for m in missing:
        m.state = CaseMaterial.State.TOLERATED
    CaseMaterial.objects.bulk_update(missing, ["state"])
    case.tolerance_due_on = supply_by
    steps = start_clock(case, today)
    apply_transition(case, "accept_tolerantly", by=by, payload={"materials": [m.name for m in missing],
                     "supply_by": supply_by.isoformat(), "due_on": case.due_on.isoformat()},
                     fields=[*CLOCK_FIELDS, "tolerance_due_on", *record_window(case, by)], also=[steps])  # fmt: skip
    return case


@transaction.atomic
def supply_tolerated(case: Case, *, by: User, materials: Iterable[int]) -> Case:
    case = lock_case(case)
    permits.require(by, case, "supply_tolerated")
    pending = {m.material_id: m for m in case.materials.filter(state=CaseMaterial.State.TOLERATED)}
    permits.require_state("supply_tolerated", case, permits.Facts(case, materials=list(pending.values())))
    handed = set(materials)
    if not handed or not handed <= set(pending):
        raise DomainError("case.supplement_mismatch", "补交的材料须为容缺受理时承诺补齐的材料。")
    for material_id in handed:
        pending[material_id].state = CaseMaterial.State.RECEIVED
    CaseMaterial.objects.bulk_update([pending[i] for i in handed], ["state"])
    apply_transition(
        case, "supply_tolerated", by=by, payload={"materials": [pending[i].name for i in handed]}
    )
    return case


@transaction.atomic
def approve_by_commitment(case: Case, *, by: User, commitment: str, bundle: str | None = None) -> Case:
    """告知承诺制: the applicant signs a commitment; decided at once; checked afterwards."""
    case = lock_case(case)
    permits.require(by, case, "approve_by_commitment", bundle=bundle)
    permits.require_state("approve_by_commitment", case, permits.Facts(case, materials=[]))
    if not (commitment or "").strip():
        raise DomainError("case.commitment_required", "请记录申请人签署的承诺书内容。")
    today = clock.today()
    write(start_clock(case, today))
    # The 核查 it owes, due in working days (art. 82) from today (cases.commitment_checks).
    check = CommitmentCheck(case=case, department_id=case.department_id, approved_on=today,
                            days=settings.ONEWINDOW_COMMITMENT_CHECK_DAYS)  # fmt: skip
    check.due_seq, check.due_on = clock_rules.deadline(today, check.days)
    check.save()
    CaseStep.objects.filter(case=case).exclude(kind=CaseStep.Kind.AFTER).update(done_at=clock.now(), done_by=by,
                                                                                opinion="告知承诺，当场审批")  # fmt: skip
    close_case(case, Outcome.APPROVED, today)
    case.by_commitment = True
    apply_transition(case, "approve_by_commitment", by=by, reason=commitment.strip(),
                     payload={"check_due_on": check.due_on.isoformat()},
                     fields=[*CLOCK_FIELDS, *CLOSE_FIELDS, "by_commitment", *record_window(case, by)])  # fmt: skip
    return case
