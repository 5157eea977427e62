"""The use cases of fees (统一收费), one public function per thing a person (or the bank) does.
Each runs in one transaction; a state change is a compare-and-set `UPDATE … WHERE state = old`,
so two tellers marking one notice paid at once (or a teller and the bank's callback) succeed
once. A refused call raises DomainError and changes nothing — except that a refused bank
callback is still recorded with its outcome (nothing lost).

An approved case of a charged item owes its notice: `issue_due_notices` finds such cases and
issues each one's notice in its approver's name — run by the periodic jobs and by every page
that shows a fee, so nobody reads a fee state without it (decision 20: cases, below payments,
never calls up into it)."""

import datetime as dt
import hashlib
import hmac
import json
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from onewindow import clock
from onewindow.accounts.models import DEPARTMENT_ROLES, Role, User
from onewindow.accounts.queries import staff_of
from onewindow.cases import services as cases
from onewindow.cases.models import Case, CaseEvent, Outcome, Status
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.payments import providers
from onewindow.payments.models import PAID_STATES, BankCallback, NoticeState, PaymentNotice
from onewindow.serials import next_serial

N = NoticeState
ACTION_NAMES = {"check": "审核", "pay": "登记缴款", "deposit": "登记入库", "cancel": "作废"}
# Each step on a notice: the roles that take it and the states it starts from — the one table the
# services enforce and the notice page reads to offer its forms.
ACTION_ROLES = {
    "check": (Role.FINANCE,),
    "pay": (Role.BANK_TELLER,),
    "deposit": (Role.FINANCE, Role.BANK_TELLER),
    "cancel": tuple(DEPARTMENT_ROLES),
}
ACTION_FROM = {
    "check": (N.ISSUED,),
    "pay": (N.CHECKED,),
    "deposit": (N.PAID,),
    "cancel": (N.ISSUED, N.CHECKED),
}
MAX_CALLBACK_BYTES = 4096
MAX_AMOUNT_FEN = 10**12
TOKEN = re.compile(r"[0-9A-Za-z_./:-]{1,40}")  # notice numbers and bank references as banks write them
CLOCK_SKEW = dt.timedelta(minutes=5)  # the bank's clock may run a little ahead of ours
# How far back the periodic sweep looks for approvals still owing a notice (cases.case_approved
# indexes them by decision time); a page showing one case's or applicant's fees looks at all.
DUE_LOOKBACK = dt.timedelta(days=30)
APPROVALS = ("decide", "approve_by_commitment")


# ---- who may act ---------------------------------------------------------------------------


def _require_hall_role(by: User, hall_id: int, *roles: str) -> None:
    """Finance and the bank window act for their own hall only."""
    if by.is_superuser:
        return
    staff = staff_of(by)
    if staff is None or staff.role not in roles or staff.hall_id != hall_id:
        raise Forbidden("payment.role", "您的角色不能办理此项收费业务。")


def _require_department(by: User, department_id: int) -> None:
    """The department that decided the case bills it (执收部门)."""
    if by.is_superuser:
        return
    staff = staff_of(by)
    if staff is None or staff.role not in DEPARTMENT_ROLES or staff.department_id != department_id:
        raise Forbidden("payment.role", "只有办理该事项的部门可以开具或作废缴款通知。")


# ---- the notice ----------------------------------------------------------------------------


def _number(case: Case, year: int) -> str:
    """18 digits a bank terminal can key in: region (6), year (4), serial (8)."""
    region6 = case.region_code[:6]
    return f"{region6}{year}{next_serial(f'notice-{region6}-{year}'):08d}"


def _create_notice(case: Case, *, by: User) -> PaymentNotice:
    version = cases.published(case.item_version_id)[0]
    if version.is_free:
        raise Conflict("payment.item_free", "该事项不收费，无需开具缴款通知。")
    if PaymentNotice.objects.filter(case_id=case.pk).exclude(state=N.CANCELLED).exists():
        raise Conflict("payment.notice_exists", "该办件已有未作废的缴款通知。")
    now = clock.now()
    notice = PaymentNotice(
        number=_number(case, now.astimezone(clock.hall_tz()).year), case=case, hall_id=case.hall_id,
        department_id=case.department_id, amount_fen=version.fee_fen, basis=version.fee_basis or version.name,
        # 非税收入 goes to the finance bureau's collection account (收支两条线), never to the
        # billing department's own: one account per city, hence a setting, copied onto the notice.
        payee_name=settings.ONEWINDOW_PAYEE_NAME, payee_bank=settings.ONEWINDOW_PAYEE_BANK,
        payee_account=settings.ONEWINDOW_PAYEE_ACCOUNT, issued_at=now, issued_by=by,
    )  # fmt: skip
    try:
        with transaction.atomic():
            notice.save()
    except IntegrityError:  # a concurrent issue of the same case committed first
        raise Conflict("payment.notice_exists", "该办件已有未作废的缴款通知。") from None
    return notice


@transaction.atomic
def issue_notice(case: Case, *, by: User) -> PaymentNotice:
    """开具缴款通知: for an approved case of a charged item, by its department (again after a
    cancellation). The first notice is also issued without asking (`issue_due_notices`)."""
    _require_department(by, case.department_id)
    if case.status != Status.CLOSED or case.outcome != Outcome.APPROVED:
        raise Conflict("payment.case_not_approved", "只有准予许可的办件才开具缴款通知。")
    return _create_notice(case, by=by)


def notices_due(among: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Approved cases of charged items that never had a notice (a cancelled one counts: after a
    cancellation the department issues the next itself), each with `approver_id`, the actor of
    its approval's audit event. `among` narrows them (one case, one applicant's); without it, the
    approvals of the last DUE_LOOKBACK."""
    if among is None:
        among = Case.objects.filter(decided_at__gte=clock.now() - DUE_LOOKBACK)
    approval = CaseEvent.objects.filter(case=OuterRef("pk"), action__in=APPROVALS).order_by("-seq")
    return (
        among.filter(status=Status.CLOSED, outcome=Outcome.APPROVED, item_version__fee_fen__gt=0)
        .filter(~Exists(PaymentNotice.objects.filter(case=OuterRef("pk"))))
        .annotate(approver_id=Subquery(approval.values("actor_id")[:1]))
        .filter(approver_id__isnull=False)
    )


def issue_due_notices(among: QuerySet[Case] | None = None) -> int:
    """An approved case of a charged item gets its payment notice, issued in the name of whoever
    approved it (the decision's audit event) — once: the case row is locked (SKIP LOCKED: a
    concurrent run issuing it skips it here) and checked again under the lock, and the one live
    notice per case is a unique constraint besides. `among`: as for `notices_due`. Returns how
    many notices were issued."""
    issued = 0
    for pk, approver_id in notices_due(among).values_list("pk", "approver_id")[:500]:  # the rest next run
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",), skip_locked=True).filter(pk=pk).first()
            if case is None or PaymentNotice.objects.filter(case_id=pk).exists():
                continue
            try:
                _create_notice(case, by=User.objects.get(pk=approver_id))
            except Conflict:  # issued by its department at this very moment
                continue
            issued += 1
    return issued


def _move(notice: PaymentNotice, action: str, **changes) -> PaymentNotice:
    """Compare-and-set: the row changes only if it is still in one of ACTION_FROM[action]."""
    if PaymentNotice.objects.filter(pk=notice.pk, state__in=ACTION_FROM[action]).update(**changes) != 1:
        current = PaymentNotice.objects.filter(pk=notice.pk).first()
        if current is None:
            raise NotFound("payment.not_found", "未找到该缴款通知。")
        raise Conflict(
            "payment.invalid_transition",
            f"缴款通知当前状态为“{current.get_state_display()}”，不能{ACTION_NAMES[action]}。",
            details={"state": current.state, "action": action},
        )
    notice.refresh_from_db()
    return notice


@transaction.atomic
def check_notice(notice: PaymentNotice, *, by: User) -> PaymentNotice:
    """审核: finance checks amount, basis and payee; from now on the bank accepts payment."""
    _require_hall_role(by, notice.hall_id, *ACTION_ROLES["check"])
    return _move(notice, "check", state=N.CHECKED, checked_at=clock.now(), checked_by=by)


def _bank_ref(raw: str) -> str:
    ref = (raw or "").strip()
    if not ref or len(ref) > 40:
        raise DomainError("payment.bank_ref", "请填写银行流水号（不超过40个字符）。")
    return ref


@transaction.atomic
def mark_paid(notice: PaymentNotice, *, by: User, bank_ref: str) -> PaymentNotice:
    """登记缴款 at the hall's bank window, with the bank's transaction reference."""
    _require_hall_role(by, notice.hall_id, *ACTION_ROLES["pay"])
    ref = _bank_ref(bank_ref)
    if PaymentNotice.objects.filter(bank_ref=ref).exists():
        raise Conflict("payment.bank_ref_used", "该银行流水号已登记过缴款。")
    try:
        with transaction.atomic():
            return _move(notice, "pay", state=N.PAID, paid_at=clock.now(), paid_by=by,
                         paid_via=PaymentNotice.Via.WINDOW, bank_ref=ref)  # fmt: skip
    except IntegrityError:  # the same reference registered at the same moment
        raise Conflict("payment.bank_ref_used", "该银行流水号已登记过缴款。") from None


@transaction.atomic
def mark_deposited(notice: PaymentNotice, *, by: User) -> PaymentNotice:
    """登记入库: the money reached the treasury (due within 24 hours of payment)."""
    _require_hall_role(by, notice.hall_id, *ACTION_ROLES["deposit"])
    return _move(notice, "deposit", state=N.DEPOSITED, deposited_at=clock.now(), deposited_by=by)


@transaction.atomic
def cancel_notice(notice: PaymentNotice, *, by: User, reason: str) -> PaymentNotice:
    """作废: by the billing department, before payment, with a reason."""
    _require_department(by, notice.department_id)
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise DomainError("payment.cancel_reason", "请写明作废原因（不超过200字）。")
    return _move(notice, "cancel", state=N.CANCELLED, cancelled_at=clock.now(),
                 cancelled_by=by, cancel_reason=reason)  # fmt: skip


def require_paid(case: Case) -> None:
    """制证 waits for the fee: a charged, approved case needs a paid (or deposited) notice."""
    if cases.published(case.item_version_id)[0].is_free:
        return
    if not PaymentNotice.objects.filter(case_id=case.pk, state__in=PAID_STATES).exists():
        raise Conflict("payment.unpaid", "该事项收费，缴款通知尚未缴款，暂不能制证。")


# ---- the bank's callback -------------------------------------------------------------------


Out = BankCallback.Outcome
# Each refusal of a callback: its own stable code, HTTP status and message (API.md).
REFUSALS = {
    Out.BAD_SIGNATURE: ("payment.callback_bad_signature", 401, "回调签名校验失败。"),
    Out.MALFORMED: ("payment.callback_malformed", 400,
                    "回调报文应为 JSON：notice_number、amount_fen（整数，分）、paid_at（含时区）、bank_ref。"),
    Out.STALE: ("payment.callback_stale", 400, "回调的缴款时间超出受理时限，请核对后由银行窗口登记。"),
    Out.UNKNOWN_NOTICE: ("payment.callback_unknown_notice", 404, "缴款通知编号不存在。"),
    # A replayed callback changes nothing and says so with 409 (not a silent 200): the bank's
    # own retry of a callback we did accept reads this answer as "already received".
    Out.REPLAY: ("payment.callback_replay", 409, "该银行流水已处理过，本次回调未作任何变更。"),
    Out.ALREADY_PAID: ("payment.callback_already_paid", 409, "该缴款通知已由其他银行流水缴款，请核对是否重复缴款。"),
    Out.NOT_PAYABLE: ("payment.callback_not_payable", 409, "该缴款通知未经财务审核或已作废，不能缴款。"),
    Out.WRONG_AMOUNT: ("payment.callback_wrong_amount", 400, "回调金额与缴款通知金额不符。"),
}  # fmt: skip


class _Refused(Exception):
    def __init__(self, outcome: str):
        super().__init__(outcome)
        self.outcome = outcome

    def error(self, record: BankCallback) -> DomainError:
        code, status, message = REFUSALS[self.outcome]
        details = {"notice_number": record.notice_number} if record.notice_id else {}
        return DomainError(code, message, status=status, details=details)


def _signed(body: bytes, signature: str) -> bool:
    secret = settings.ONEWINDOW_BANK_CALLBACK_SECRET
    if not secret:  # not configured: nothing can be trusted
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
    return hmac.compare_digest(expected, (signature or "").strip().lower().encode())


def _parse(body: bytes, record: BankCallback) -> None:
    if len(body) > MAX_CALLBACK_BYTES:
        raise _Refused(Out.MALFORMED)
    try:
        data = json.loads(body)
        paid_at = dt.datetime.fromisoformat(data["paid_at"])
    except (ValueError, TypeError, KeyError):
        raise _Refused(Out.MALFORMED) from None
    number, amount, ref = data.get("notice_number"), data.get("amount_fen"), data.get("bank_ref")
    if (not isinstance(number, str) or not TOKEN.fullmatch(number) or type(amount) is not int
            or not 0 < amount <= MAX_AMOUNT_FEN or not isinstance(ref, str) or not TOKEN.fullmatch(ref.strip())
            or paid_at.tzinfo is None):  # fmt: skip
        raise _Refused(Out.MALFORMED)
    record.notice_number, record.amount_fen, record.bank_ref = number, amount, ref.strip()
    record.paid_at = paid_at


def _apply(record: BankCallback, body: bytes, signature: str) -> PaymentNotice:
    if not _signed(body, signature):
        raise _Refused(Out.BAD_SIGNATURE)
    _parse(body, record)
    now = clock.now()
    max_age = dt.timedelta(seconds=settings.ONEWINDOW_BANK_CALLBACK_MAX_AGE_SECONDS)
    if not now - max_age <= record.paid_at <= now + CLOCK_SKEW:
        raise _Refused(Out.STALE)
    notice = PaymentNotice.objects.select_for_update().filter(number=record.notice_number).first()
    if notice is None:
        raise _Refused(Out.UNKNOWN_NOTICE)
    record.notice = notice
    seen = BankCallback.objects.filter(bank_ref=record.bank_ref, outcome=Out.OK).exists()
    if seen or PaymentNotice.objects.filter(bank_ref=record.bank_ref).exists():
        raise _Refused(Out.REPLAY)
    if notice.state in PAID_STATES:
        raise _Refused(Out.ALREADY_PAID)
    if notice.state != N.CHECKED:
        raise _Refused(Out.NOT_PAYABLE)
    if record.amount_fen != notice.amount_fen:
        raise _Refused(Out.WRONG_AMOUNT)
    notice.state, notice.paid_at, notice.bank_ref = N.PAID, record.paid_at, record.bank_ref
    notice.paid_via = PaymentNotice.Via.CALLBACK
    notice.save(update_fields=["state", "paid_at", "paid_via", "bank_ref"])
    return notice


def receive_callback(body: bytes, signature: str, *, remote_addr: str = "") -> PaymentNotice:
    """The bank reports a payment: POST /api/v1/payments/callback with the JSON body
    {notice_number, amount_fen, paid_at, bank_ref} and X-Signature = hex HMAC-SHA256 of the raw
    body under the shared secret (compared in constant time). Replays are refused by bank_ref
    (accepted once, ever) and by a window on paid_at. Every callback is stored with its outcome,
    the refused ones too; a refusal changes nothing else."""
    record = BankCallback(received_at=clock.now(), remote_addr=remote_addr[:45],
                          signature=(signature or "")[:200].replace("\x00", ""),
                          body=body[:MAX_CALLBACK_BYTES].decode("utf-8", "replace").replace("\x00", "\ufffd"))  # fmt: skip
    try:
        with transaction.atomic():
            notice = _apply(record, body, signature)
            record.outcome = Out.OK
            record.save()
    except _Refused as refused:
        record.outcome = refused.outcome
        record.save()  # outside the rolled-back block: the refusal is kept
        raise refused.error(record) from None
    except IntegrityError:  # the same bank transaction accepted at the same moment elsewhere
        record.outcome = Out.REPLAY
        record.save()
        raise _Refused(Out.REPLAY).error(record) from None
    return notice


# ---- online payment (网上缴费, 不见面审批: issue 15 item 3) --------------------------------------


def online_payment_refusal(notice: PaymentNotice, user: User) -> DomainError | None:
    """Why `user` may not pay `notice` online now, or None: the one rule the payment page reads
    to offer 去缴费 and `start_online_payment` enforces. Only the applicant of the notice's own
    case, only a notice finance has checked and nobody has paid, only with a provider configured."""
    if not user.is_authenticated or notice.case.applicant.user_id != user.pk:
        return NotFound("payment.not_found", "未找到该缴款通知。")
    if notice.state in PAID_STATES:
        return Conflict("payment.already_paid", "该缴款通知已缴费，不能重复缴费。")
    if notice.state == N.CANCELLED:
        return Conflict("payment.notice_cancelled", "该缴款通知已作废，不能缴费；部门将重新开具。")
    if notice.state == N.ISSUED:
        return Conflict("payment.not_checked", "缴款通知正在财务审核，审核通过后即可网上缴费。")
    if providers.current() is None:
        return Conflict(
            "payment.online_unavailable", "本中心暂未开通网上缴费，请凭缴款通知编号到大厅银行窗口缴款。"
        )
    return None


def start_online_payment(notice: PaymentNotice, *, by: User, return_url: str) -> str:
    """去缴费: hands the notice to the payment provider; returns the provider's checkout URL.
    Nothing changes here: the notice is marked paid only by the provider's signed callback."""
    refusal = online_payment_refusal(notice, by)
    if refusal is not None:
        raise refusal
    order = providers.Order(notice_number=notice.number, amount_fen=notice.amount_fen,
                            subject=f"{notice.case.item_version.name}（缴款通知 {notice.number}）", return_url=return_url)  # fmt: skip
    return providers.current().checkout_url(order)
