"""The use cases of a 一件事 application, one public function per thing a person does. Each runs in
one transaction and drives the children through `cases.services` (which lock, check the
transition table and append each child's audit event); a refused call raises DomainError and
changes nothing — for the bundle as a whole, because every child runs in the same transaction.

The children's intake answers are the bundle's: each call below passes the application's number
(`bundle=`), and cases refuses such an answer to a child without it (cases.transitions.
check_bundle_intake; decision 20). What follows from the children's own transitions in their
departments — the art. 32 auto-acceptance, the last child closing — is recorded by `settle`,
which this module runs after driving the children, on each read of the application and in the
periodic jobs: cases knows nothing of bundles.

Lock order, always: the children (by id), then the application row. `settle` locks only
application rows, skipping a locked one (whoever holds it settles it), so it never waits."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.urls import reverse

from onewindow import clock, links
from onewindow.accounts.models import Applicant, Hall, Role, User, Window
from onewindow.accounts.queries import staff_of
from onewindow.bundles import numbering, queries
from onewindow.bundles.merging import MergedMaterial, check_form, parts
from onewindow.bundles.merging import merged_form as merged_form
from onewindow.bundles.merging import merged_materials as merged_materials
from onewindow.bundles.models import BundleApplication
from onewindow.cases import clock_rules
from onewindow.cases import services as cases
from onewindow.cases.models import Case, CaseMaterial, Channel, Outcome
from onewindow.catalog.models import Bundle
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.notify import services as notify
from onewindow.workdays import calendar
from onewindow.workdays import queries as workdays

FINAL = queries.FINAL


# ---- who may do what -----------------------------------------------------------------------

START_ROLES = (Role.CLERK, Role.AGENT)


def may_start(by: User, *, channel: str, applicant: Applicant | None = None) -> bool:
    """Who may start a 一件事 application — the one rule of the pages and the API (issue 14):
    online, the applicant themself; otherwise a clerk or agent (帮办代办) of the hall, whose
    filing of each child cases.services.submit checks against the hall."""
    if channel == Channel.PORTAL:
        return applicant is None or applicant.user_id == by.pk
    if by.is_superuser:
        return True
    staff = staff_of(by)
    return staff is not None and staff.role in START_ROLES


def start_refusal(bundle: Bundle, applicant: Applicant | None) -> DomainError | None:
    """Why `applicant` may not apply for `bundle` at all — the one rule of the apply pages (which
    say it before anything is filled in) and of `apply`: 企业开办 (a bundle `for_new_entity`) sets
    up a company, so an applicant already holding a 统一社会信用代码 is an existing company."""
    if applicant is None or not bundle.for_new_entity or not applicant.credit_code:
        return None
    return Conflict(
        "bundle.existing_entity",
        f"申请人“{applicant.name}”已持有统一社会信用代码（{applicant.credit_code}），是已设立的主体；"
        f"“{bundle.name}”用于新设立企业。已设立企业办理刻章、税务、社保等请分别申请相应事项，变更登记请申请变更事项。",
        details={"credit_code": applicant.credit_code},
    )


def at_comprehensive_window(by: User, hall_id: int) -> bool:
    """A clerk of the hall posted at one of its active comprehensive windows (综合窗口, 一窗受理)."""
    if by.is_superuser:
        return True
    staff = staff_of(by)
    return (
        staff is not None
        and staff.role == Role.CLERK
        and staff.hall_id == hall_id
        and staff.windows.filter(hall_id=hall_id, kind=Window.Kind.COMPREHENSIVE, is_active=True).exists()
    )


def _require_window(by: User, application: BundleApplication) -> None:
    if not queries.may_view(by, application):
        raise NotFound("bundle.not_found", "未找到该一件事申请。")
    if not at_comprehensive_window(by, application.hall_id):
        raise Forbidden(
            "bundle.comprehensive_window_only", "一件事由本中心综合受理窗口统一受理、告知或不予受理。"
        )


def _lock(application: BundleApplication, *, materials: bool = False) -> tuple[BundleApplication, list[Case]]:
    """Locks the children (by id), then the application row; returns both freshly read. With
    `materials`, each child's materials are loaded in one query (not one per child)."""
    locked_children = Case.objects.select_for_update().filter(bundle_number=application.number).order_by("pk")
    children = list(locked_children.prefetch_related("materials") if materials else locked_children)
    locked = (
        BundleApplication.objects.select_for_update(of=("self",))
        .select_related("bundle", "applicant", "hall")
        .filter(number=application.number)
        .first()
    )
    if locked is None:
        raise NotFound("bundle.not_found", "未找到该一件事申请。")
    return locked, children


def _item_name(case: Case) -> str:
    return cases.published(case.item_version_id)[0].name


# ---- messages ------------------------------------------------------------------------------


def progress_url(number: str) -> str:
    """The public progress page the notice's QR code and the SMS point to."""
    return links.public_url(reverse("bundles:progress", args=[number]))


def _message(application: BundleApplication, event: str, context: dict, seq: int | str | None = None) -> None:
    """One SMS for the whole bundle (its children's case-level messages are skipped by cases.messages).
    The key is deterministic, so a retried transaction cannot queue it twice; `seq` tells
    apart answers that may come more than once (a second one-time notice after a supplement)."""
    what = event.removeprefix("bundle_") + ("" if seq is None else f":{seq}")
    if context.get("due_on"):  # 暂定 after a date in a year not yet published (issue 13 rule 6)
        context = {**context, "due_note": calendar.provisional_note(context["due_on"])}
    notify.enqueue(
        phone=application.applicant.phone, event=event, key=f"bundle:{application.number}:{what}",
        subject_kind="bundle", subject_key=application.number,
        hall=application.hall,
        context={"number": application.number, "name": application.bundle.name, "hall": application.hall.name,
                 "progress_url": progress_url(application.number), **context},
    )  # fmt: skip


# ---- intake --------------------------------------------------------------------------------


def _handed(merged: list[MergedMaterial], names: Iterable[str]) -> list[MergedMaterial]:
    """The merged materials handed in (ticked at the window, uploaded online): none named, none
    received (issue 13) — a shared one ticked was handed in on paper."""
    by_name = {m.name: m for m in merged}
    wanted = list(dict.fromkeys((n or "").strip() for n in names))
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise DomainError("bundle.unknown_material", f"所交材料不在该一件事的材料清单中：{'、'.join(unknown)}。",
                          details={"materials": unknown})  # fmt: skip
    return [by_name[n] for n in wanted]


def _store(files: dict[str, object] | None, handed: list[MergedMaterial]) -> dict[str, str]:
    """Each uploaded file stored once; every child asking for the material refers to that copy."""
    if not files:
        return {}
    names = {m.name for m in handed}
    stray = [n for n in files if n not in names]
    if stray:
        raise DomainError("bundle.unknown_material", f"上传的文件不属于所交材料：{'、'.join(stray)}。")
    field = CaseMaterial._meta.get_field("file")
    return {
        name: field.storage.save(
            field.generate_filename(None, upload.name), upload, max_length=field.max_length
        )
        for name, upload in files.items()
    }


@transaction.atomic
def apply(*, bundle: Bundle, applicant: Applicant, form_data: dict | None, materials: Iterable[str],
          by: User, channel: str, hall: Hall, files: dict[str, object] | None = None) -> BundleApplication:  # fmt: skip
    """一件事接件: one merged form and one set of materials; one child case per item, submitted
    through cases.services.submit in this one transaction and marked with the application's
    number. `materials` are names from `merged_materials`, those handed in (nothing else counts);
    `files` maps such a name to its upload (portal)."""
    if not may_start(by, channel=channel, applicant=applicant):
        raise Forbidden(
            "bundle.start_role", "一件事申请由申请人网上提交，或由中心的窗口人员、帮办代办人员登记。"
        )
    if not bundle.is_active:
        raise Conflict("bundle.inactive", f"“{bundle.name}”暂停受理。")
    refused = start_refusal(bundle, applicant)
    if refused is not None:
        raise refused
    bundle_parts = parts(bundle)
    fields = merged_form(bundle, bundle_parts)
    answers = check_form(fields, form_data)
    handed = _handed(merged_materials(bundle, bundle_parts), materials)
    now = clock.now()
    today = now.astimezone(clock.hall_tz()).date()
    application = BundleApplication.objects.create(
        number=numbering.next_number(hall.region_id, today), bundle=bundle, applicant=applicant, hall=hall,
        region_code=hall.region_id, channel=channel, form_data=answers,
        form_fields=[{"key": f.key, "label": f.label} for f in fields], handed_in=[m.name for m in handed],
        submitted_by=by, received_at=now, received_on=today, promised_days=bundle.promised_limit_days,
    )  # fmt: skip
    stored = _store(files, handed)
    asked_by = {f.key: set(f.items) for f in fields}
    after = prerequisites(bundle)
    children: dict[str, Case] = {}
    for p in bundle_parts:  # in the bundle's order, so the children's ids (the lock order) follow it
        mine = [m for m in handed if p.code in m.ids]
        # a prerequisite is listed before its dependants (catalog.check_bundle_order): its child exists
        children[p.code] = cases.submit(
            version=p.version, applicant=applicant, hall=hall, channel=channel, by=by,
            form_data={k: v for k, v in answers.items() if p.code in asked_by[k]},
            handed_in=[m.ids[p.code] for m in mine], files={m.ids[p.code]: stored[m.name] for m in mine if m.name in stored},
            bundle_number=application.number, prerequisite=children.get(after.get(p.code, "")),
        )  # fmt: skip
    return application


def prerequisites(bundle: Bundle) -> dict[str, str]:
    """The bundle's 前置事项 as its definition gives them: item code → the code it depends on."""
    return dict(bundle.entries.filter(after__isnull=False).values_list("item__code", "after__code"))


def unacceptable_child(application: BundleApplication, by: User) -> dict | None:
    """The first child that `by` could not accept now (number, item name, outstanding materials) — asked by
    the application's page before it offers 受理一件事, from the same checks `accept` makes on
    each child (cases.allowed_actions, issue 14: the page offers what the service allows)."""
    for child in (
        Case.objects.filter(bundle_number=application.number).select_related("applicant").order_by("pk")
    ):
        facts = cases.Facts(child)  # the child's materials read once, for the check and the answer
        if "accept" not in cases.allowed_actions(child, by, facts, bundle=application.number):
            missing = [m.name for m in facts.outstanding()]
            return {"number": child.number, "item": _item_name(child), "missing": missing}
    return None


@transaction.atomic
def accept(application: BundleApplication, *, by: User) -> BundleApplication:
    """受理, once, at a comprehensive window: every child is accepted (the clocks start together)
    or none is — a child that cannot be accepted refuses the whole acceptance, naming it. The
    bundle's deadline is its own promised limit from today (the day itself not counted)."""
    application, children = _lock(application)
    _require_window(by, application)
    if application.closed_at is not None or application.accepted_on is not None:
        raise Conflict("bundle.invalid_transition", "该一件事申请已受理或已办结，不能再次受理。")
    due: dict[int, dt.date] = {}
    for child in children:  # in id order: a prerequisite's child before its dependants'
        try:
            # a dependant is due no earlier than its prerequisite (公章刻制 after 企业设立登记)
            accepted = cases.accept(child, by=by, bundle=application.number,
                                    due_not_before=due.get(child.prerequisite_id))  # fmt: skip
            due[child.pk] = accepted.due_on
        except DomainError as exc:
            raise Conflict(
                "bundle.child_not_acceptable",
                f"“{_item_name(child)}”（{child.number}）不能受理：{exc.message} 一件事未受理，各事项均未改变。",
                details={"case": child.number, "reason": exc.code},
            ) from exc
    today = clock.today()
    application.accepted_on, application.accepted_by = today, by
    application.due_seq, application.due_on = clock_rules.deadline(today, application.promised_days)
    application.save(update_fields=["accepted_on", "accepted_by", "due_seq", "due_on"])
    _message(application, "bundle_accepted", {"due_on": application.due_on, "items": len(children)})
    return application


def _notes_for(child: Case, items: list[dict]) -> list[dict]:
    rows = {m.name: m.material_id for m in child.materials.all()}
    return [{"material": rows[i["material"]], "note": i.get("note", ""), "defective": bool(i.get("defective"))}
            for i in items if i["material"] in rows]  # fmt: skip


@transaction.atomic
def request_supplement(application: BundleApplication, *, by: User, items: list[dict]) -> BundleApplication:
    """一次性告知 for the whole bundle (行政许可法 art. 32): every missing or defective material,
    by its name in the merged list, each with its note, told at once; every child asking for a
    listed material gets the notice for it. `items`: [{"material": name, "note": "…", "defective": bool}]."""
    application, children = _lock(application, materials=True)
    _require_window(by, application)
    if application.accepted_on is not None or application.closed_at is not None:
        raise Conflict("bundle.invalid_transition", "该一件事申请已受理或已办结，不能再一次性告知补正。")
    if not items:
        raise DomainError("bundle.notice_empty", "一次性告知书须列明需补正的全部材料。")
    names = {m.name for c in children for m in c.materials.all()}
    unknown = [i.get("material") for i in items if i.get("material") not in names]
    if unknown:
        raise DomainError(
            "bundle.unknown_material", f"告知的材料不在该一件事的材料清单中：{'、'.join(map(str, unknown))}。"
        )
    seq = None
    for child in children:
        notes = _notes_for(child, items)
        outstanding = any(m.state in (CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE)
                          for m in child.materials.all())  # fmt: skip
        if notes or outstanding:  # a child left out of the notice refuses it (art. 32: all at once)
            noticed = cases.request_supplement(child, by=by, items=notes, bundle=application.number)
            seq = seq or noticed.event_count  # the notice's place in the first child's chain
    _message(
        application, "bundle_supplement_requested", {"materials": [i["material"] for i in items]}, seq=seq
    )
    return application


@transaction.atomic
def supplement(application: BundleApplication, *, by: User, materials: Iterable[str]) -> BundleApplication:
    """补齐补正: what the bundle's one-time notice listed, handed in once for every child."""
    application, children = _lock(application, materials=True)
    if not queries.may_view(by, application):
        raise NotFound("bundle.not_found", "未找到该一件事申请。")
    wanted = set(materials)
    done = False
    for child in children:
        pending = [m.material_id for m in child.materials.all() if m.name in wanted and m.state in
                   (CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE)]  # fmt: skip
        if pending:
            cases.supplement(child, by=by, materials=pending, bundle=application.number)
            done = True
    if not done:
        raise DomainError("bundle.supplement_mismatch", "补交的材料须为一次性告知书所列的材料。")
    return application


@transaction.atomic
def refuse(application: BundleApplication, *, by: User, reason: str, where_to_turn: str) -> BundleApplication:
    """不予受理 of the whole bundle, with the written reason and the body to turn to: every child
    is refused in this one transaction, and the application closes with them (`settle`)."""
    application, children = _lock(application)
    _require_window(by, application)
    if application.accepted_on is not None or application.closed_at is not None:
        raise Conflict("bundle.invalid_transition", "该一件事申请已受理或已办结，不能不予受理。")
    for child in children:
        cases.refuse(child, by=by, reason=reason, where_to_turn=where_to_turn, bundle=application.number)
    settle([application.number])
    application.refresh_from_db(fields=["closed_at", "closed_on"])
    _message(
        application, "bundle_refused", {"reason": reason.strip(), "where_to_turn": where_to_turn.strip()}
    )
    return application


# ---- what the children's own transitions mean for the bundle ----------------------------------


def _children_of():
    return Case.objects.filter(bundle_number=OuterRef("number"))


def unsettled() -> QuerySet[BundleApplication]:
    """Open applications the children have moved on without them: one auto-accepted (art. 32)
    while the application records no acceptance, or every child closed (decided, withdrawn or
    refused) while the application is still open. Two indexed EXISTS over the open ones."""
    auto_accepted = Q(accepted_on__isnull=True) & Exists(_children_of().filter(accepted_on__isnull=False))
    all_closed = Exists(_children_of()) & ~Exists(_children_of().exclude(status__in=FINAL))
    return BundleApplication.objects.filter(closed_at__isnull=True).filter(auto_accepted | all_closed)


def settle(numbers: Iterable[str] | None = None) -> int:
    """Records for each unsettled application (of `numbers`, or all) what its children's own
    transitions mean for it: the art. 32 auto-acceptance (the bundle's clock, one SMS) and, once
    every child is closed, the application's close with the one completion message. Each row is
    locked with SKIP LOCKED and checked again under the lock, so two runs at once (the periodic
    job, a page read, a bundle service) record it once; the messages' keys are deterministic
    besides. Returns how many applications changed."""
    candidates = unsettled()
    if numbers is not None:
        candidates = candidates.filter(number__in=list(numbers))
    changed = 0
    for pk in candidates.values_list("pk", flat=True)[:500]:  # the rest on the next run
        with transaction.atomic():
            application = (
                unsettled().select_for_update(of=("self",), skip_locked=True)
                .select_related("bundle", "applicant", "hall").filter(pk=pk).first()
            )  # fmt: skip
            if application is not None:
                _settle_one(application)
                changed += 1
    return changed


def _settle_one(application: BundleApplication) -> None:
    children = Case.objects.filter(bundle_number=application.number)
    facts = children.aggregate(
        accepted_on=Min("accepted_on"), closed_at=Max("closed_at"), closed_on=Max("closed_on"),
        open=Count("pk", filter=~Q(status__in=FINAL)), denied=Count("pk", filter=Q(outcome=Outcome.DENIED)),
        count=Count("pk"),
    )  # fmt: skip
    if application.accepted_on is None and facts["accepted_on"] is not None:
        # 行政许可法 art. 32: unanswered for 5 working days, the application counts as accepted
        # from the day it was received; the bundle's clock starts from that day too, told once.
        application.accepted_on = facts["accepted_on"]
        application.due_seq, application.due_on = clock_rules.deadline(
            application.accepted_on, application.promised_days
        )
        application.save(update_fields=["accepted_on", "due_seq", "due_on"])
        _message(application, "bundle_accepted", {"due_on": application.due_on, "items": facts["count"]})
    if facts["count"] and not facts["open"]:
        application.closed_at = facts["closed_at"] or clock.now()
        application.closed_on = facts["closed_on"] or clock.today()
        application.save(update_fields=["closed_at", "closed_on"])
        if application.accepted_on is not None:  # a refused bundle was told by its refusal notice
            _message(
                application,
                "bundle_closed",
                {"closed_on": application.closed_on, "approve": not facts["denied"]},
            )


def recompute_deadlines(since: dt.date, *, by: User | None) -> list[str]:
    """After a calendar change from `since` on (issue 13 rule 7; called by the shell's
    calendar_changes in the change's transaction): open bundle applications whose deadline
    reaches `since` get due_seq/due_on recomputed set-based from their acceptance day and promised
    days (cases.clock_rules, the one deadline rule), and each whose date moved gets one SMS for
    the whole bundle (its children send none); the key names the new date, so a retry queues
    nothing twice. Returns the numbers of the applications whose date moved. `by` is who changed
    the calendar (the children's audit events record it)."""
    running = BundleApplication.objects.filter(
        accepted_on__isnull=False, closed_at__isnull=True, due_on__gte=since
    )
    before = dict(running.values_list("pk", "due_on"))
    if not before:
        return []
    due_seq, _ = clock_rules.deadline_expressions(extra=None)
    applications = BundleApplication.objects.filter(pk__in=before)
    applications.update(due_seq=due_seq)
    applications.filter(promised_days__gt=0).update(due_on=workdays.date_of(OuterRef("due_seq")))
    moved = []
    for application in applications.select_related("applicant", "hall", "bundle"):
        old = before[application.pk]
        if application.due_on == old:
            continue
        _message(application, "deadline_moved", {"item": application.bundle.name, "bundle": True, "from_on": old,
                                                 "due_on": application.due_on}, seq=application.due_on.isoformat())  # fmt: skip
        moved.append(application.number)
    return moved
