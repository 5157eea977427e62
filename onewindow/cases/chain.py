"""The columns every hash-chained event shares (网上留痕), for the modules above cases that keep a
chain of their own subjects; cases.audit computes and checks the hashes."""

from django.db import models

from onewindow.accounts.models import User


class ChainEvent(models.Model):
    """One step of a subject's hash chain (cases.audit's scheme): who, when, from, to, why, and the
    data; each concrete event adds its subject (the market's AgencyEvent and PurchaseEvent, the
    trading's ProjectEvent)."""

    seq = models.PositiveIntegerField("序号")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="操作人"
    )
    action = models.CharField("动作", max_length=24)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    reason = models.TextField("理由", blank=True)
    payload = models.JSONField("数据", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        abstract = True
