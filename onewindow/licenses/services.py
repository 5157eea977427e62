"""The use cases of e-licenses, one public function per thing a person does: issue (制证) the
license of an approved case, deliver (送达) it, revoke it, look up a holder's licenses for
证照共享. The case's own transitions (`issue`, `deliver` in cases.after_decision) lock the case and
append its audit events; these functions run inside the same transaction."""

import datetime as dt

from django.conf import settings
from django.db import transaction

from onewindow import clock, pii
from onewindow.accounts import identity
from onewindow.accounts.models import Applicant, PersonalDataRead, Role, User
from onewindow.accounts.queries import staff_of
from onewindow.cases import after_decision, commitment_checks, delivery_choice
from onewindow.cases import services as cases
from onewindow.cases.models import Case, Status
from onewindow.catalog.models import ResultType
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.licenses import numbers
from onewindow.licenses.models import Delivery, LateDelivery, License
from onewindow.payments import services as payments
from onewindow.serials import next_serial

# The results that are documents to issue and deliver (证照, 批文).
DOCUMENT_RESULTS = (ResultType.LICENSE, ResultType.APPROVAL)
MAX_VALID_YEARS = 50
LOOKUP_ROLES = (Role.CLERK, Role.AGENT, Role.REVIEWER, Role.DEPARTMENT_HEAD)
HOLDER_NOT_FOUND = "未找到该证件号码的持证人（或本部门无在办事项、未向其发证）。"


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def default_valid_until(issued_on: dt.date) -> dt.date:
    """Valid for ONEWINDOW_LICENSE_VALID_YEARS from the issue date, the last day included
    (2026-05-06 → 2031-05-05): the catalog names no validity of its own."""
    return add_years(issued_on, settings.ONEWINDOW_LICENSE_VALID_YEARS) - dt.timedelta(days=1)


def _validity(valid_until: dt.date | None, today: dt.date) -> dt.date:
    until = valid_until or default_valid_until(today)
    if not today <= until <= add_years(today, MAX_VALID_YEARS):
        raise DomainError("license.valid_until", f"有效期至应在今天至{MAX_VALID_YEARS}年之内。")
    return until


@transaction.atomic
def issue_license(
    case: Case, *, by: User, delivery: str = "pickup", valid_until: dt.date | None = None
) -> License:
    """制证: THE way to issue. Under the case's lock (cases.after_decision.issue): the item must
    produce a document, a charged item must be paid (payments.require_paid), then the license
    gets its number and row, the 制证 step is completed and the audit event names the number."""
    made: dict[str, License] = {}

    def make(locked: Case) -> str:
        version = cases.published(locked.item_version_id)[0]
        if version.result_type not in DOCUMENT_RESULTS:
            raise Conflict("license.no_document", "该事项的审批结果不是证照或批文，无需制证。")
        if delivery == "post" and not version.delivery_post:
            raise DomainError("license.post_not_offered", "该事项不提供免费邮寄，请选择窗口领取。")
        payments.require_paid(locked)
        now = clock.now()
        today = now.astimezone(clock.hall_tz()).date()
        until = _validity(valid_until, today)
        department = version.item.department
        serial = next_serial(f"license-{department.code}-{today.year}")
        made["license"] = License.objects.create(
            number=numbers.make(department.code, today.year, serial), case=locked, item_id=locked.item_id,
            name=version.license_type or version.name, holder=locked.applicant, holder_name=locked.applicant.name,
            department=department, issued_at=now, issued_by=by, valid_from=today, valid_until=until,
            delivery_method=delivery,
        )  # fmt: skip
        return made["license"].number

    case = after_decision.issue(case, by=by, delivery=delivery, license=make)
    license = made["license"]
    license.case = case
    return license


@transaction.atomic
def deliver_license(case: Case, *, by: User, method: str, signed_by: str = "", id_checked: bool = False,
                    courier: str = "", tracking_number: str = "", address: str = "") -> Delivery:  # fmt: skip
    """送达: the signature record of a pickup or the post's details, once, under the case's lock
    (cases.after_decision.deliver). Later than 10 working days after the decision (art. 44, 82) is recorded as
    late on the delivery and as a supervision event. A post to the address the applicant gave when
    applying online (cases.delivery_choice) needs only the courier and the tracking number."""
    choice = delivery_choice.choice_of(case)
    if method == "post" and not (address or "").strip() and choice and choice.method == "post":
        address = f"{choice.address}（{choice.recipient} 收）"[:200]
    case = after_decision.deliver(case, by=by, method=method, signed_by=signed_by, id_checked=id_checked, courier=courier,
                         tracking_number=tracking_number, address=address)  # fmt: skip
    now, due_on, on_time = case.delivered["at"], case.delivered["due_on"], case.delivered["on_time"]
    details = after_decision.delivery_details(method, signed_by=signed_by, id_checked=id_checked, courier=courier,
                                     tracking_number=tracking_number, address=address)  # fmt: skip
    delivery = Delivery.objects.create(
        case=case, license=License.objects.get(case=case), method=method, signed_by=details.get("signed_by", ""),
        id_checked=details.get("id_checked", False), address=details.get("address", ""),
        courier=details.get("courier", ""), tracking_number=details.get("tracking_number", ""), delivered_at=now,
        due_on=due_on, on_time=on_time, recorded_by=by,
    )  # fmt: skip
    if not on_time:
        LateDelivery.objects.bulk_create(
            [LateDelivery(case=case, department_id=case.department_id, due_on=due_on, found_at=now)],
            ignore_conflicts=True,  # the periodic sweep may have recorded it already
        )
        LateDelivery.objects.filter(case=case).update(delivered_at=now)
    return delivery


@transaction.atomic
def revoke_license(license: License, *, by: User, reason: str) -> License:
    """撤销: by the head of the issuing department, with a written reason (e.g. a 核查 after a
    commitment approval, RULES.md). Once: a second revocation is refused."""
    staff = staff_of(by)
    if not by.is_superuser and (
        staff is None or staff.role != Role.DEPARTMENT_HEAD or staff.department_id != license.department_id
    ):
        raise Forbidden("license.role", "只有发证部门负责人可以撤销证照。")
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise DomainError("license.revoke_reason", "请写明撤销理由（不超过500字）。")
    changed = License.objects.filter(pk=license.pk, revoked_at__isnull=True).update(
        revoked_at=clock.now(), revoked_by=by, revoke_reason=reason
    )
    if changed != 1:
        raise Conflict("license.already_revoked", "该证照已撤销。")
    license.refresh_from_db()
    return license


@transaction.atomic
def record_commitment_check(case: Case, *, by: User, passed: bool, reason: str = ""):
    """核查 of a commitment approval: THE way to record one. The case's part (the result, and on
    failure the revocation of the approval) is cases.commitment_checks.record; a failure also
    revokes the license issued for the case, with the same reason, in the same transaction —
    licenses sit above cases, so this calls down instead of cases calling back."""
    check = commitment_checks.record(case, by=by, passed=passed, reason=reason)
    if not passed:
        license = License.objects.filter(case_id=check.case_id, revoked_at__isnull=True).first()
        if license is not None:
            revoke_license(license, by=by, reason=f"告知承诺核查不实，撤销审批：{check.reason}"[:500])
    return check


def _holder_by_identifier(identifier: str) -> Applicant:
    number = (identifier or "").strip().upper()
    natural = len(number) == 18 and number[:17].isdigit()
    error = identity.resident_id_error(number) if natural else identity.credit_code_error(number)
    if error is not None:
        raise error
    holder = Applicant.objects.filter(
        kind=Applicant.Kind.NATURAL if natural else Applicant.Kind.LEGAL,
        **({"id_number_digest": pii.digest("id_number", number)} if natural else {"credit_code": number}),
    ).first()
    if holder is None:
        raise NotFound("license.holder_not_found", HOLDER_NOT_FOUND)
    return holder


# Intake staff serve anyone at any window of the hall (they already find any applicant by ID
# number at the window): their lookups are hall-wide. Department staff look up only for their
# department's own need (issue 14; decision 18).
INTAKE_LOOKUP_ROLES = (Role.CLERK, Role.AGENT)


def may_look_up(user: User, holder: Applicant) -> bool:
    """The one rule for turning an ID number or credit code into a holder and licenses: intake
    staff always; a reviewer or head only when their department has a case of this holder that
    is not finished (submitted, in review, paused) or issued one of the holder's licenses."""
    if user.is_superuser:
        return True
    staff = staff_of(user)
    if staff is None or staff.role not in LOOKUP_ROLES:
        return False
    if staff.role in INTAKE_LOOKUP_ROLES:
        return True
    if staff.department_id is None:
        return False
    pending = Case.objects.filter(applicant=holder, department_id=staff.department_id).exclude(
        status__in=(Status.CLOSED, Status.REFUSED)
    )
    issued = License.objects.filter(holder=holder, department_id=staff.department_id)
    return pending.exists() or issued.exists()


@transaction.atomic
def lookup_holder(identifier: str, *, by: User, purpose: str = "证照共享查询") -> Applicant:
    """证照共享: intake and review staff find a holder by ID number or credit code, to take the
    holder's valid licenses instead of asking for copies. Every lookup is audited (who, whom,
    why) like any read of personal data (ARCHITECTURE.md "Personal data"). A department's staff
    whose department has no need of this holder (may_look_up) get the same answer as for an
    unknown number, so the lookup cannot even confirm that the person is on file."""
    staff = staff_of(by)
    if not by.is_superuser and (staff is None or staff.role not in LOOKUP_ROLES):
        raise Forbidden("license.lookup_role", "只有窗口和部门审查人员可以查询持证人的证照。")
    holder = _holder_by_identifier(identifier)
    if not may_look_up(by, holder):
        raise NotFound("license.holder_not_found", HOLDER_NOT_FOUND)
    PersonalDataRead.objects.create(user=by, applicant=holder, fields="licenses", purpose=purpose[:100])
    return holder


def recompute_delivery_due(since: dt.date) -> int:
    """After a calendar change from `since` on (issue 13 rule 7; called by the shell's
    calendar_changes in the change's transaction): the stored art. 44 due dates on or after
    `since` — deliveries and late-delivery records — are derived again from the one rule
    (cases.after_decision.delivery_due_on). Where that rule counts working days (行政许可法
    art. 82) they move with the calendar; a calendar-day count gives the same date and nothing
    changes. A delivery's on_time follows its new due date, and a late-delivery record whose
    case is no longer late (delivered, or still within its new time) is withdrawn. Returns how
    many rows changed. Only recent rows qualify (due on or after `since`), so the loop is short."""
    today = clock.today()
    changed = []
    for delivery in Delivery.objects.filter(due_on__gte=since).select_related("case"):
        due_on = after_decision.delivery_due_on(delivery.case)
        if due_on != delivery.due_on:
            delivery.due_on = due_on
            delivery.on_time = after_decision.delivered_in_time(due_on, delivery.delivered_at)
            changed.append(delivery)
    Delivery.objects.bulk_update(changed, ["due_on", "on_time"])
    late, not_late = [], []
    for record in LateDelivery.objects.filter(due_on__gte=since).select_related("case"):
        due_on = after_decision.delivery_due_on(record.case)
        if due_on == record.due_on:
            continue
        record.due_on = due_on
        done_on = record.delivered_at.astimezone(clock.hall_tz()).date() if record.delivered_at else today
        (late if done_on > due_on else not_late).append(record)
    LateDelivery.objects.bulk_update(late, ["due_on"])
    LateDelivery.objects.filter(pk__in=[r.pk for r in not_late]).delete()
    return len(changed) + len(late) + len(not_late)
