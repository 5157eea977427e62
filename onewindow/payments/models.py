"""统一收费 (非税收入): the payment notice of an approved case of a charged item, checked by
finance, paid at the hall's bank window or reported by the bank's signed callback, deposited
into the treasury (入库). Amounts are integer fen, never floats (ARCHITECTURE.md)."""

from django.db import models
from django.db.models import Q

from onewindow.accounts.models import Department, Hall, User
from onewindow.cases.models import Case


class NoticeState(models.TextChoices):
    # 已开具: issued by the department that decided the case; not yet payable.
    ISSUED = "issued", "已开具"
    # 已审核: finance checked amount, basis and payee; the bank accepts payment against it.
    CHECKED = "checked", "已审核"
    # 已缴款: paid at the bank window or reported paid by the bank's callback.
    PAID = "paid", "已缴款"
    # 已入库: the money reached the treasury; due within 24 hours of payment (seed: 24 小时内入库).
    DEPOSITED = "deposited", "已入库"
    # 已作废: withdrawn by the department before payment (e.g. a wrong amount); a new one may follow.
    CANCELLED = "cancelled", "已作废"


PAID_STATES = (NoticeState.PAID, NoticeState.DEPOSITED)


class PaymentNotice(models.Model):
    """缴款通知书. The payee is copied onto the notice when it is issued, so a later change of
    the collection account never alters a notice already handed to an applicant."""

    class Via(models.TextChoices):
        WINDOW = "window", "银行窗口"
        CALLBACK = "callback", "银行回调"

    number = models.CharField("缴款通知编号", max_length=20, unique=True)
    case = models.ForeignKey(Case, models.PROTECT, related_name="payment_notices", verbose_name="办件")
    hall = models.ForeignKey(Hall, models.PROTECT, related_name="+", verbose_name="政务服务中心")
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="执收部门")
    amount_fen = models.PositiveIntegerField("金额（分）")
    basis = models.CharField("收费依据", max_length=300)
    payee_name = models.CharField("收款人", max_length=100)
    payee_bank = models.CharField("开户行", max_length=100)
    payee_account = models.CharField("收款账号", max_length=40)
    state = models.CharField("状态", max_length=10, choices=NoticeState.choices, default=NoticeState.ISSUED)
    issued_at = models.DateTimeField("开具时间")
    issued_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="开具人")
    checked_at = models.DateTimeField("审核时间", null=True, blank=True)
    checked_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="审核人"
    )
    paid_at = models.DateTimeField("缴款时间", null=True, blank=True)  # the bank's time of payment
    paid_via = models.CharField("缴款渠道", max_length=10, choices=Via.choices, blank=True)
    paid_by = models.ForeignKey(  # the bank teller; empty for a callback
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="收款人员"
    )
    bank_ref = models.CharField("银行流水号", max_length=40, blank=True)
    deposited_at = models.DateTimeField("入库时间", null=True, blank=True)
    deposited_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="入库登记人"
    )
    cancelled_at = models.DateTimeField("作废时间", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="作废人"
    )
    cancel_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "缴款通知"
        ordering = ["-issued_at"]
        indexes = [
            models.Index(fields=["hall", "issued_at"], name="notice_hall_issued"),
            models.Index(fields=["hall", "paid_at"], name="notice_hall_paid"),
            models.Index(fields=["hall", "state"], name="notice_hall_state"),
        ]
        constraints = [
            # One live notice per case: a second is refused until the first is cancelled.
            models.UniqueConstraint(fields=["case"], condition=~Q(state="cancelled"), name="notice_one_live_per_case"),
            # A bank transaction pays one notice, whichever way it was reported.
            models.UniqueConstraint(fields=["bank_ref"], condition=~Q(bank_ref=""), name="notice_bank_ref_unique"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="notice_amount_positive"),
            models.CheckConstraint(
                condition=~Q(state__in=["paid", "deposited"]) | (Q(paid_at__isnull=False) & ~Q(bank_ref="")),
                name="notice_paid_has_payment",
            ),
        ]  # fmt: skip

    def __str__(self):
        return self.number

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount_fen)


def yuan(fen: int | None) -> str:
    """12345 → "123.45" with integer arithmetic (money is never a float)."""
    fen = fen or 0
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    whole, cents = divmod(fen, 100)
    return f"{sign}{whole:,}.{cents:02d}"


class BankCallback(models.Model):
    """Every callback the bank (or anyone) sent, accepted or not, with its outcome: nothing is
    lost, and a forgery leaves a record for the finance office to look at."""

    class Outcome(models.TextChoices):
        OK = "ok", "已入账"
        BAD_SIGNATURE = "bad_signature", "签名错误"
        MALFORMED = "malformed", "报文格式错误"
        STALE = "stale", "时间戳超出时限"
        UNKNOWN_NOTICE = "unknown_notice", "缴款通知不存在"
        NOT_PAYABLE = "not_payable", "通知未审核或已作废"
        WRONG_AMOUNT = "wrong_amount", "金额不符"
        ALREADY_PAID = "already_paid", "通知已由其他流水缴款"
        REPLAY = "replay", "重复报文（重放）"

    received_at = models.DateTimeField("接收时间", db_index=True)
    remote_addr = models.CharField("来源地址", max_length=45, blank=True)
    signature = models.CharField("签名", max_length=200, blank=True)
    body = models.TextField("报文")
    notice_number = models.CharField("缴款通知编号", max_length=40, blank=True)
    amount_fen = models.BigIntegerField("金额（分）", null=True, blank=True)
    bank_ref = models.CharField("银行流水号", max_length=40, blank=True)
    paid_at = models.DateTimeField("缴款时间", null=True, blank=True)
    notice = models.ForeignKey(
        PaymentNotice,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="callbacks",
        verbose_name="缴款通知",
    )
    outcome = models.CharField("处理结果", max_length=16, choices=Outcome.choices)

    class Meta:
        verbose_name = verbose_name_plural = "银行回调记录"
        ordering = ["-received_at"]
        constraints = [
            # Replay protection: a bank transaction is accepted once.
            models.UniqueConstraint(fields=["bank_ref"], condition=Q(outcome="ok"), name="callback_bank_ref_once"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.notice_number} {self.get_outcome_display()}"
