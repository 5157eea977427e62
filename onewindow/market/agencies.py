"""Agencies (中介机构) in the market (issue 19 item 1): a portal account applies for its legal person
(the credit code validated, GB 32100), with its qualifications per service type and its staff;
hall management admits or refuses; the agency keeps its profile up to date; it exits voluntarily
(never with work still open) or is expelled (清退, any time: its open registrations are withdrawn).

One public function per thing a person does, each one transaction; every step is an event of the
agency's chain (market.audit). `refusal(action, agency, by)` is the one rule: the steps check it,
and `allowed_actions` offers exactly what it allows to the pages and the API. A decision is a
compare-and-set on the status (UPDATE … WHERE status IN (…)): of two decisions at once, one finds
the status already moved and is refused."""

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q

from onewindow import clock, inputs
from onewindow.accounts.identity import credit_code_error
from onewindow.accounts.models import Hall, Region, User, new_ref
from onewindow.accounts.queries import staff_of
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.market.audit import append_event
from onewindow.market.models import (
    Agency,
    AgencyStaff,
    Contract,
    Grade,
    Purchase,
    Qualification,
    Registration,
    ServiceType,
)
from onewindow.market.services import agency_of, is_management, text

S = Agency.Status
OWN, MANAGEMENT = "own", "management"
REASON_MAX = 500
QUALIFICATIONS_MAX, STAFF_MAX = 70, 100
# A phone as people write it: a mobile, or a landline with its area code (0534-2345678), or an
# extension; digits, dashes and spaces only.
_PHONE = re.compile(r"[0-9][0-9\- ]{5,18}[0-9]")

# action → (the statuses it starts from, the status it leads to (None: unchanged), who takes it).
# One table for the steps, allowed_actions, the pages and the API, in the order pages offer them.
TRANSITIONS = {
    "update": ((S.APPLIED, S.ADMITTED, S.REFUSED), None, OWN),  # profile, qualifications, staff
    "reapply": ((S.REFUSED, S.EXITED), S.APPLIED, OWN),  # 重新提交申请 after a refusal or an exit
    "admit": ((S.APPLIED,), S.ADMITTED, MANAGEMENT),
    "refuse": ((S.APPLIED,), S.REFUSED, MANAGEMENT),
    "exit": ((S.APPLIED, S.ADMITTED), S.EXITED, OWN),  # 申请退出 (or withdraw the application)
    "expel": ((S.ADMITTED,), S.EXPELLED, MANAGEMENT),  # 清退: forced, any time
}
ACTION_LABELS = {
    "apply": "申请入驻", "update": "修改机构信息", "update_profile": "修改机构信息",
    "set_qualifications": "更新资质", "set_staff": "更新执业人员", "reapply": "重新提交申请",
    "admit": "审核通过", "refuse": "审核不通过", "exit": "退出", "expel": "清退",
}  # fmt: skip
# Purchases in which a live registration keeps an agency from leaving (the owner may still choose it).
OPEN_PURCHASE = (Purchase.Status.POSTED, Purchase.Status.CHOOSING)


# ---- the one rule --------------------------------------------------------------------------------


def open_work(agency: Agency) -> DomainError | None:
    """Why the agency may not leave now: a contract not yet delivered and accepted, a purchase
    that selected it and awaits the contract, or a live registration on a purchase still open."""
    contract = Contract.objects.filter(agency=agency, accepted_at=None).select_related("purchase").first()
    if contract is not None:
        state = "尚未交付" if contract.delivered_at is None else "尚未验收"
        return Conflict("market.exit_open_contract",
                        f"本机构承接的项目“{contract.purchase.title}”（{contract.purchase.number}）{state}，"
                        "合同履行完毕（业主验收）后才能退出。", details={"purchase": contract.purchase.number})  # fmt: skip
    selected = Purchase.objects.filter(status=Purchase.Status.SELECTED, selected__agency=agency).first()
    if selected is not None:
        return Conflict("market.exit_selected",
                        f"本机构已被项目“{selected.title}”（{selected.number}）选定，尚未签约，不能退出。",
                        details={"purchase": selected.number})  # fmt: skip
    live = (
        Registration.objects.filter(agency=agency, withdrawn_at=None, purchase__status__in=OPEN_PURCHASE)
        .select_related("purchase")
        .first()
    )
    if live is not None:
        p = live.purchase
        return Conflict("market.exit_open_registration",
                        f"本机构报名的项目“{p.title}”（{p.number}）仍在{p.get_status_display()}，"
                        "请先撤回报名或等待选取结束后再退出。", details={"purchase": p.number})  # fmt: skip
    return None


def refusal(action: str, agency: Agency, by: User) -> DomainError | None:
    """Why `by` may not take `action` on the agency now (None: allowed)."""
    froms, _, who = TRANSITIONS[action]
    if who == OWN and not (by.is_authenticated and agency.user_id == by.pk):
        return Forbidden("market.not_own_agency", "只有本机构的账号可以执行此操作。")
    if who == MANAGEMENT and not is_management(by):
        return Forbidden("market.not_management", "只有大厅管理办可以审核、清退中介机构。")
    if agency.status not in froms:
        if action == "update":
            return Conflict("market.agency_closed", f"本机构已{agency.get_status_display()}，不能修改机构信息。",
                            details={"status": agency.status})  # fmt: skip
        return Conflict("market.agency_state",
                        f"该机构当前状态为“{agency.get_status_display()}”，不能{ACTION_LABELS[action]}。",
                        details={"status": agency.status})  # fmt: skip
    if action == "exit" and agency.status == S.ADMITTED:
        return open_work(agency)
    return None


def allowed_actions(agency: Agency, user: User) -> list[str]:
    """What the pages and the API offer `user` on the agency: exactly what the steps accept."""
    return [action for action in TRANSITIONS if refusal(action, agency, user) is None]


def may_see(agency: Agency, user: User) -> bool:
    """The directory shows admitted agencies to anyone; the others only to their own account and
    to hall management (the application under review)."""
    if agency.status == S.ADMITTED:
        return True
    return user.is_authenticated and (agency.user_id == user.pk or is_management(user))


def with_qualifications(qs):
    return qs.prefetch_related(Prefetch(
        "qualifications", queryset=Qualification.objects.select_related("service_type").order_by("service_type__code")
    ))  # fmt: skip


def listed(*, status: str = S.ADMITTED, service_type: str = "", grade: str = "", q: str = ""):
    """The directory's agencies (admitted; hall management may ask for another status), by service
    type code, grade (A–D, or "none": not graded yet) and name or credit code."""
    rows = Agency.objects.filter(status=status)
    if service_type:
        rows = rows.filter(qualifications__service_type__code=service_type)
    if grade == "none":
        rows = rows.filter(grade="")
    elif grade in Grade.values:
        rows = rows.filter(grade=grade)
    if q:
        rows = rows.filter(Q(name__contains=q) | Q(credit_code=q.upper()))
    return with_qualifications(rows.distinct().order_by("name", "pk"))


# ---- input ----------------------------------------------------------------------------------------


def _phone(value) -> str:
    value = text(value, "phone", "联系电话", 20)
    if not _PHONE.fullmatch(value):
        raise DomainError("market.phone", "联系电话应为手机号码或带区号的固定电话，如 0534-2345678。",
                          details={"field": "phone"})  # fmt: skip
    return value


def _date(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return inputs.parse_date(value, field, label, prefix="market")


def _service_type(value, field: str) -> ServiceType:
    found = value if isinstance(value, ServiceType) else None
    if found is None and isinstance(value, str) and value.strip():
        found = ServiceType.objects.filter(code=value.strip()).first()
    if found is None or not found.is_active:
        raise DomainError("market.service_type", "请选择有效的中介服务类型。", details={"field": field})
    return found


def _qualifications(rows) -> list[dict]:
    """[{service_type, certificate_no, level, valid_from, valid_until}] checked: one per service
    type, a certificate number, a validity that ends on or after it begins."""
    out, seen = [], set()
    for i, row in enumerate(rows or ()):
        where = f"qualifications.{i}"
        service_type = _service_type(row.get("service_type"), f"{where}.service_type")
        if service_type.pk in seen:
            raise DomainError("market.qualification_twice", f"“{service_type.name}”的资质填写了两次。",
                              details={"field": f"{where}.service_type"})  # fmt: skip
        seen.add(service_type.pk)
        valid_from = _date(row.get("valid_from"), f"{where}.valid_from", "资质有效期起")
        valid_until = _date(row.get("valid_until"), f"{where}.valid_until", "资质有效期至")
        if valid_until < valid_from:
            raise DomainError("market.qualification_period", f"“{service_type.name}”资质的有效期至早于有效期起。",
                              details={"field": f"{where}.valid_until"})  # fmt: skip
        out.append({
            "service_type": service_type, "valid_from": valid_from, "valid_until": valid_until,
            "certificate_no": text(row.get("certificate_no"), f"{where}.certificate_no", "资质证书编号", 50),
            "level": text(row.get("level"), f"{where}.level", "资质等级", 20, required=False),
        })  # fmt: skip
    if len(out) > QUALIFICATIONS_MAX:
        raise DomainError(
            "market.too_many", f"资质最多填写{QUALIFICATIONS_MAX}项。", details={"field": "qualifications"}
        )
    return out


def _staff(rows) -> list[dict]:
    out = []
    for i, row in enumerate(rows or ()):
        where = f"staff.{i}"
        out.append({
            "name": text(row.get("name"), f"{where}.name", "执业人员姓名", 50),
            "title": text(row.get("title"), f"{where}.title", "职称/执业资格", 100, required=False),
            "certificate_no": text(row.get("certificate_no"), f"{where}.certificate_no", "证书编号", 50,
                                   required=False),
        })  # fmt: skip
    if len(out) > STAFF_MAX:
        raise DomainError("market.too_many", f"执业人员最多填写{STAFF_MAX}人。", details={"field": "staff"})
    return out


PROFILE_FIELDS = {
    # field → (label, max length, required)
    "name": ("机构名称", 100, True),
    "legal_representative": ("法定代表人", 50, True),
    "contact": ("联系人", 50, False),
    "address": ("地址", 200, False),
    "introduction": ("机构简介", 2000, False),
    "fee_commitment": ("收费承诺", 200, False),
}


def _profile(values: dict) -> dict:
    out = {}
    for field, (label, max_length, required) in PROFILE_FIELDS.items():
        if field in values:
            out[field] = text(values[field], field, label, max_length, required=required)
    if "phone" in values:
        out["phone"] = _phone(values["phone"])
    return out


def _write_qualifications(agency: Agency, rows: list[dict]) -> list[dict]:
    agency.qualifications.all().delete()
    Qualification.objects.bulk_create([Qualification(agency=agency, **row) for row in rows])
    return [{"service_type": r["service_type"].code, "certificate_no": r["certificate_no"], "level": r["level"],
             "valid_from": r["valid_from"].isoformat(), "valid_until": r["valid_until"].isoformat()}
            for r in rows]  # fmt: skip


def _write_staff(agency: Agency, rows: list[dict]) -> list[dict]:
    agency.staff.all().delete()
    AgencyStaff.objects.bulk_create([AgencyStaff(agency=agency, **row) for row in rows])
    return rows


# ---- applying ----------------------------------------------------------------------------------


def _default_region() -> Region:
    hall = Hall.objects.select_related("region").order_by("pk").first()
    if hall is None:
        raise DomainError("market.no_region", "尚未配置政务服务中心，无法确定机构的所在区划。")
    return hall.region


def apply(*, by: User, name: str, credit_code: str, legal_representative: str, phone: str, contact: str = "",
          address: str = "", introduction: str = "", fee_commitment: str = "", qualifications=(), staff=(),
          region: Region | None = None) -> Agency:  # fmt: skip
    """申请入驻: a portal account applies for its legal person; the agency waits for hall
    management's review (status applied). Staff accounts may not apply (a hall's people are no
    agency), nor an account that already has an agency; a credit code is registered once."""
    if not by.is_authenticated:
        raise Forbidden("auth.required", "请先登录。")
    if by.is_superuser or staff_of(by) is not None:
        raise Forbidden(
            "market.staff_cannot_apply", "工作人员账号不能申请中介机构入驻，请使用机构的网上办事账号。"
        )
    if agency_of(by) is not None:
        raise Conflict("market.already_applied", "本账号已登记中介机构，不能重复申请。")
    code = (credit_code or "").strip().upper() if isinstance(credit_code, str) else ""
    problem = credit_code_error(code)
    if problem is not None:
        problem.details = {**problem.details, "field": "credit_code"}
        raise problem
    profile = _profile({"name": name, "legal_representative": legal_representative, "phone": phone,
                        "contact": contact, "address": address, "introduction": introduction,
                        "fee_commitment": fee_commitment})  # fmt: skip
    quals, people = _qualifications(qualifications), _staff(staff)
    if not quals:
        raise DomainError("market.qualification_required", "请至少填写一项中介服务资质。",
                          details={"field": "qualifications"})  # fmt: skip
    taken = Conflict("market.credit_code_taken", f"统一社会信用代码 {code} 已登记为中介机构，不能重复申请。",
                     details={"field": "credit_code"})  # fmt: skip
    if Agency.objects.filter(credit_code=code).exists():
        raise taken
    try:
        with transaction.atomic():
            agency = Agency.objects.create(ref=new_ref("AG"), credit_code=code, user=by,
                                           region=region or _default_region(), applied_at=clock.now(),
                                           status=S.APPLIED, **profile)  # fmt: skip
            written = _write_qualifications(agency, quals)
            append_event(agency, by=by, action="apply", from_status="",
                         payload={"name": agency.name, "credit_code": code, "qualifications": written,
                                  "staff": len(_write_staff(agency, people))})  # fmt: skip
            agency.save(update_fields=["event_count", "last_hash"])
    except IntegrityError:  # a concurrent application with the same code or from the same account
        if Agency.objects.filter(user=by).exists():
            raise Conflict("market.already_applied", "本账号已登记中介机构，不能重复申请。") from None
        raise taken from None
    return agency


# ---- the agency's own changes --------------------------------------------------------------------


def _locked(agency: Agency) -> Agency:
    return Agency.objects.select_for_update().get(pk=agency.pk)


def _checked(agency: Agency, action: str, by: User) -> Agency:
    locked = _locked(agency)
    problem = refusal(action, locked, by)
    if problem is not None:
        raise problem
    return locked


@transaction.atomic
def update_profile(agency: Agency, *, by: User, **values) -> Agency:
    """修改机构信息 (name, legal representative, contact, phone, address, introduction, fee
    commitment; the credit code is the legal person's own and never changes). Only what changed
    is recorded; nothing changed, no event."""
    unknown = set(values) - set(PROFILE_FIELDS) - {"phone"}
    if unknown:
        raise DomainError("market.field", f"不能修改：{'、'.join(sorted(unknown))}。")
    locked = _checked(agency, "update", by)
    changed = {f: v for f, v in _profile(values).items() if getattr(locked, f) != v}
    if not changed:
        return locked
    before = {f: getattr(locked, f) for f in changed}
    for field, value in changed.items():
        setattr(locked, field, value)
    append_event(locked, by=by, action="update_profile", from_status=locked.status,
                 payload={"changed": changed, "before": before})  # fmt: skip
    locked.save(update_fields=[*changed, "event_count", "last_hash"])
    return locked


@transaction.atomic
def set_qualifications(agency: Agency, *, by: User, qualifications) -> Agency:
    """更新资质: the agency's whole list of qualifications replaced (at least one)."""
    locked = _checked(agency, "update", by)
    rows = _qualifications(qualifications)
    if not rows:
        raise DomainError("market.qualification_required", "请至少保留一项中介服务资质。",
                          details={"field": "qualifications"})  # fmt: skip
    written = _write_qualifications(locked, rows)
    append_event(locked, by=by, action="set_qualifications", from_status=locked.status,
                 payload={"qualifications": written})  # fmt: skip
    locked.save(update_fields=["event_count", "last_hash"])
    return locked


@transaction.atomic
def set_staff(agency: Agency, *, by: User, staff) -> Agency:
    """更新执业人员: the agency's whole list of practitioners replaced."""
    locked = _checked(agency, "update", by)
    written = _write_staff(locked, _staff(staff))
    append_event(locked, by=by, action="set_staff", from_status=locked.status, payload={"staff": written})
    locked.save(update_fields=["event_count", "last_hash"])
    return locked


# ---- decisions (compare-and-set) -----------------------------------------------------------------


def _reason(value, label: str, *, required: bool) -> str:
    return text(value, "reason", label, REASON_MAX, required=required)


def _move(agency: Agency, action: str, by: User, *, reason: str = "", payload: dict | None = None,
          **fields) -> Agency:  # fmt: skip
    """Check the rule on the agency as read, then compare-and-set the status: UPDATE … WHERE status
    = the status the rule was checked on. A concurrent decision that got there first leaves 0
    rows: refused with the state it found. Then the event, on the row our UPDATE holds locked."""
    problem = refusal(action, agency, by)
    if problem is not None:
        raise problem
    to_status = TRANSITIONS[action][1]
    moved = Agency.objects.filter(pk=agency.pk, status=agency.status).update(status=to_status, **fields)
    if not moved:
        current = Agency.objects.get(pk=agency.pk)
        raise refusal(action, current, by) or Conflict(
            "market.agency_changed", "该机构的状态刚刚已被他人变更，请刷新后再试。"
        )
    locked = _locked(agency)
    append_event(locked, by=by, action=action, from_status=agency.status, reason=reason, payload=payload)
    locked.save(update_fields=["event_count", "last_hash"])
    return locked


@transaction.atomic
def admit(agency: Agency, *, by: User, note: str = "") -> Agency:
    """审核通过: the agency enters the directory and may register for purchases."""
    note = _reason(note, "审核意见", required=False)
    return _move(agency, "admit", by, reason=note, decided_at=clock.now(), decided_by=by, decision_note=note)


@transaction.atomic
def refuse(agency: Agency, *, by: User, note: str) -> Agency:
    """审核不通过, with the reason the agency reads (it may correct the application and reapply)."""
    note = _reason(note, "不予通过的理由", required=True)
    return _move(agency, "refuse", by, reason=note, decided_at=clock.now(), decided_by=by, decision_note=note)


@transaction.atomic
def reapply(agency: Agency, *, by: User) -> Agency:
    """重新提交申请 after a refusal (corrected) or a voluntary exit: back to review."""
    return _move(agency, "reapply", by, applied_at=clock.now(), decided_at=None, decided_by=None,
                 decision_note="", exited_at=None, exit_reason="")  # fmt: skip


@transaction.atomic
def exit_voluntarily(agency: Agency, *, by: User, reason: str = "") -> Agency:
    """申请退出 by the agency itself: never while it has work open (open_work says which)."""
    reason = _reason(reason, "退出原因", required=False)
    return _move(agency, "exit", by, reason=reason, exited_at=clock.now(), exit_reason=reason)


@transaction.atomic
def expel(agency: Agency, *, by: User, reason: str) -> Agency:
    """清退 by hall management, at any time, with its reason. The agency's live registrations on
    purchases still taking registrations are withdrawn, each an event of its purchase's chain
    (contracts already signed go on: the owner's rights under them stand)."""
    reason = _reason(reason, "清退理由", required=True)
    locked = _move(agency, "expel", by, reason=reason, exited_at=clock.now(), exit_reason=reason)
    live = Registration.objects.filter(
        agency=locked, withdrawn_at=None, purchase__status=Purchase.Status.POSTED
    )
    withdrawn = []
    for purchase_id in live.order_by("purchase_id").values_list("purchase_id", flat=True):
        purchase = Purchase.objects.select_for_update().get(pk=purchase_id)
        registration = Registration.objects.select_for_update().get(purchase=purchase, agency=locked)
        if purchase.status != Purchase.Status.POSTED or registration.withdrawn_at is not None:
            continue
        registration.withdrawn_at = clock.now()
        registration.save(update_fields=["withdrawn_at"])
        append_event(purchase, by=by, action="withdraw_expelled", from_status=purchase.status, reason=reason,
                     payload={"agency": locked.credit_code})  # fmt: skip
        purchase.save(update_fields=["event_count", "last_hash"])
        withdrawn.append(purchase.number)
    if withdrawn:
        append_event(locked, by=by, action="registrations_withdrawn", from_status=locked.status,
                     payload={"purchases": withdrawn})  # fmt: skip
        locked.save(update_fields=["event_count", "last_hash"])
    return locked
