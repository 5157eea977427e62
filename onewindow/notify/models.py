"""消息 (SMS to applicants): an outbox row written in the same transaction as the event that causes
it, so a message exists exactly when its cause was committed (ARCHITECTURE.md "Background work");
`manage.py worker` delivers it later and records every attempt on the row."""

from django.db import models
from django.db.models import Q

from onewindow import pii


class Event(models.TextChoices):
    """What happened, one SMS template each (notify/templates/notify/sms/<event>.txt)."""

    ACCEPTED = "accepted", "受理"
    SUPPLEMENT_REQUESTED = "supplement_requested", "一次性告知补正"
    REFUSED = "refused", "不予受理"
    SUSPENDED = "suspended", "特别程序开始"
    RESUMED = "resumed", "特别程序结束"
    EXTENDED = "extended", "延期"
    DECIDED = "decided", "办结"
    READY_FOR_PICKUP = "ready_for_pickup", "证照待领取"
    POSTED = "posted", "证照已寄出"
    RATING_CALLBACK = "rating_callback", "差评回访"
    APPOINTMENT_REMINDER = "appointment_reminder", "预约提醒"
    BUNDLE_ACCEPTED = "bundle_accepted", "一件事受理"
    BUNDLE_CLOSED = "bundle_closed", "一件事办结"
    BUNDLE_SUPPLEMENT_REQUESTED = "bundle_supplement_requested", "一件事一次性告知补正"
    BUNDLE_REFUSED = "bundle_refused", "一件事不予受理"
    STAGE_ACCEPTED = "stage_accepted", "项目阶段受理"
    STAGE_CLOSED = "stage_closed", "项目阶段办结"
    # A published holiday schedule moved the deadline (issue 13 rule 6): one per case, bundle or stage.
    DEADLINE_MOVED = "deadline_moved", "期限调整"
    # Online sign-up (issue 15 item 4): the one-time code, and the owner's warning when someone
    # signs up with the ID number of a record that already has a portal login.
    SIGNUP_CODE = "signup_code", "注册验证码"
    SIGNUP_ATTEMPT = "signup_attempt", "重复注册提醒"
    # 电子监察 (issue 16): to staff, not applicants — the handler at yellow, the head at red.
    URGED = "urged", "催办"
    ESCALATED = "escalated", "督办"
    # 12345 (issue 18): a late work order, to its lead department (or the hotline office).
    ORDER_URGED = "order_urged", "热线工单催办"
    ORDER_ESCALATED = "order_escalated", "热线工单督办"
    # 投诉 (issue 17): the department's answer to a complaint, to the complainant.
    COMPLAINT_ANSWERED = "complaint_answered", "投诉答复"
    # 好差评 (issue 17): a closed case's applicant is invited to rate it by a one-time link.
    RATING_INVITE = "rating_invite", "邀请评价"
    # 差评整改 (issue 17): the department's feedback on a bad rating, to the rater.
    RATING_FEEDBACK = "rating_feedback", "差评整改反馈"
    # 公共资源交易 (issue 20): an expert drawn for an evaluation committee is asked to confirm.
    EXPERT_INVITED = "expert_invited", "评标专家抽取通知"


class Message(models.Model):
    class State(models.TextChoices):
        # Waiting for its next attempt at `next_attempt_at`.
        PENDING = "pending", "待发送"
        # Claimed by a worker until `claimed_until` (a lease): a worker that dies mid-batch leaves
        # its claims to be taken again after the lease; the gateway's idempotency key makes the
        # repeat harmless.
        SENDING = "sending", "发送中"
        # The gateway accepted it (2xx).
        SENT = "sent", "已发送"
        # Refused for good (a 4xx) or failed too often: kept with its error for staff to retry.
        DEAD = "dead", "发送失败"

    # Deterministic from the cause (`case:<number>:event:<seq>`, `appointment:<code>:reminder`):
    # a retried transaction cannot enqueue twice, and the gateway dedups repeats by it.
    key = models.CharField("幂等键", max_length=120)  # unique: `message_key_unique` (no LIKE index)
    event = models.CharField("消息类型", max_length=32, choices=Event.choices)
    phone = pii.Sealed("手机号码", max_length=20, purpose="message.phone")
    text = models.TextField("短信内容")
    # What the message is about, named by the module that queued it: ("case", the case number),
    # ("bundle", its number), ("project", its code), ("appointment", its code). A plain kind and
    # key, no foreign key: notify sits below every module it speaks for and knows none of them
    # (ARCHITECTURE.md "Layers"; decision 19). Messages of one subject: `message_subject`.
    subject_kind = models.CharField("事由类型", max_length=20, blank=True)
    subject_key = models.CharField("事由编号", max_length=40, blank=True)
    # Whose hall management sees the message (and may retry it); empty = city-wide.
    hall = models.ForeignKey(
        "accounts.Hall", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="政务服务中心"
    )
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    created_at = models.DateTimeField("生成时间")
    next_attempt_at = models.DateTimeField("下次发送时间")
    claimed_until = models.DateTimeField("领取租约到期", null=True, blank=True)
    # Which worker batch holds the claim: every result is recorded only by the holder.
    claim = models.CharField("领取批次", max_length=32, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    last_attempt_at = models.DateTimeField("最近发送时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送成功时间", null=True, blank=True)
    gateway_ref = models.CharField("网关回执号", max_length=100, blank=True)
    # Hall management's retry of a dead message, attributable.
    retried_by = models.ForeignKey(
        "accounts.User",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="重发人",
        db_index=False,
    )
    retried_at = models.DateTimeField("重发时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "短信"
        ordering = ["-created_at"]
        indexes = [
            # The worker's claim: pending messages that are due, and leases that ran out.
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="message_due"),
            models.Index(fields=["claimed_until"], condition=Q(state="sending"), name="message_lease"),
            # The staff page: dead messages, newest first.
            models.Index(fields=["-last_attempt_at"], condition=Q(state="dead"), name="message_dead"),
            # The messages of one subject (a case's, by its number): what the FK's index was.
            models.Index(fields=["subject_key"], name="message_subject"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="message_key_unique"),
            models.CheckConstraint(
                condition=~Q(state="sending") | Q(claimed_until__isnull=False), name="message_sending_leased"
            ),
        ]

    def __str__(self):
        return f"{self.key} → {self.get_state_display()}"
