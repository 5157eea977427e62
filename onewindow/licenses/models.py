"""证照: the e-license an approved case produces, verifiable by anyone by its number or QR code;
its delivery (送达, 行政许可法 art. 44: within 10 working days of the decision, art. 82); late deliveries as
supervision events."""

from django.db import models
from django.db.models import Q

from onewindow.accounts.models import Applicant, Department, User
from onewindow.cases.models import Case
from onewindow.catalog.models import ServiceItem


class LicenseStatus(models.TextChoices):
    # 有效: issued, not revoked, within its validity.
    VALID = "valid", "有效"
    # 已撤销: revoked by the issuing department's head with a reason (e.g. a 核查 after a
    # commitment approval found the commitment untrue, RULES.md).
    REVOKED = "revoked", "已撤销"
    # 已过期: past its last day of validity — computed from the date, no job needed.
    EXPIRED = "expired", "已过期"
    # 未找到: a well-formed number no license carries (verification answers only).
    UNKNOWN = "unknown", "未找到"


class DeliveryMethod(models.TextChoices):
    PICKUP = "pickup", "窗口领取"
    POST = "post", "免费邮寄"


class License(models.Model):
    number = models.CharField("证照编号", max_length=64, unique=True)
    case = models.OneToOneField(Case, models.PROTECT, related_name="license", verbose_name="办件")
    item = models.ForeignKey(ServiceItem, models.PROTECT, related_name="licenses", verbose_name="事项")
    name = models.CharField("证照名称", max_length=60)
    holder = models.ForeignKey(Applicant, models.PROTECT, related_name="licenses", verbose_name="持证人")
    holder_name = models.CharField("持证人名称", max_length=100)  # as on the license when issued
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="licenses", verbose_name="发证机关"
    )
    issued_at = models.DateTimeField("发证时间")
    issued_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="制证人")
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至")
    delivery_method = models.CharField("送达方式", max_length=6, choices=DeliveryMethod.choices)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="撤销人"
    )
    revoke_reason = models.TextField("撤销理由", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "电子证照"
        ordering = ["-issued_at"]
        indexes = [
            # 证照共享: a holder's licenses not revoked, by last day of validity.
            models.Index(fields=["holder", "valid_until"], condition=Q(revoked_at__isnull=True),
                         name="license_holder_live"),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="license_validity"),
            models.CheckConstraint(condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                                   name="license_revoked_with_reason"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.name} {self.number}"

    def status_on(self, day) -> str:
        if self.revoked_at is not None:
            return LicenseStatus.REVOKED
        if day > self.valid_until:
            return LicenseStatus.EXPIRED
        return LicenseStatus.VALID


class Delivery(models.Model):
    """送达 of a case's license: the signature record of a pickup, or the post's details."""

    case = models.OneToOneField(Case, models.PROTECT, related_name="delivery", verbose_name="办件")
    license = models.OneToOneField(License, models.PROTECT, related_name="delivery", verbose_name="证照")
    method = models.CharField("送达方式", max_length=6, choices=DeliveryMethod.choices)
    signed_by = models.CharField("签收人", max_length=50, blank=True)
    id_checked = models.BooleanField("已核验身份证件", default=False)
    address = models.CharField("收件地址", max_length=200, blank=True)
    courier = models.CharField("快递公司", max_length=30, blank=True)
    tracking_number = models.CharField("运单号", max_length=40, blank=True)
    delivered_at = models.DateTimeField("送达时间")
    due_on = models.DateField("法定送达期限")  # 10 working days after the decision (art. 44, 82)
    on_time = models.BooleanField("按期送达")
    recorded_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = verbose_name_plural = "证照送达"
        ordering = ["-delivered_at"]

    def __str__(self):
        return f"{self.case} {self.get_method_display()}"


class LateDelivery(models.Model):
    """A supervision event (电子监察): a license not delivered within 10 working days of the decision
    (行政许可法 art. 44) — recorded when a late delivery is made, or by the periodic sweep for
    one still outstanding. One per case; `delivered_at` fills in when it is finally delivered."""

    case = models.OneToOneField(Case, models.PROTECT, related_name="late_delivery", verbose_name="办件")
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name="办理部门")
    due_on = models.DateField("法定送达期限")
    found_at = models.DateTimeField("发现时间")
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "逾期送达"
        ordering = ["-due_on"]

    def __str__(self):
        return f"{self.case} 逾期送达（期限 {self.due_on}）"
