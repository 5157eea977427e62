"""风险预判 (the deadline-risk forecast) and 承诺时限建议 (the promise advisor): both read the
hall's own closed cases (issue 22; decision 51)."""

from django.db import models
from django.db.models import Q


class RiskModel(models.Model):
    """One fitted version of the deadline-risk forecast: a logistic model over the features in
    onewindow.foresight.features, kept whole in `spec` (coefficients, scaling, the step means it
    compares with, the late rates its reasons quote) so that a maintainer can read it and the
    scoring needs nothing but this row. Versions are never changed or deleted; the newest
    `active` one scores the open cases."""

    version = models.PositiveIntegerField("版本号", unique=True)
    fitted_at = models.DateTimeField("训练时间")
    trained_until = models.DateField("训练数据截止日")
    cases = models.PositiveIntegerField("训练办件数")
    snapshots = models.PositiveIntegerField("训练样本数")
    late_share = models.FloatField("训练样本逾期比例")
    spec = models.JSONField("模型参数")
    # The held-out check of this fit: the newest cases left out, AUC and Brier score against the
    # two baselines, and the calibration table (predicted vs observed by tenth).
    evaluation = models.JSONField("留出检验", default=dict)
    active = models.BooleanField("在用", default=True)
    scored_on = models.DateField("最近评估日", null=True, blank=True)
    scored = models.PositiveIntegerField("最近评估办件数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "风险预判模型"
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="one_active_risk_model")
        ]

    def __str__(self):
        return f"风险预判模型 v{self.version}（{self.trained_until}）"


class PromiseAdvice(models.Model):
    """承诺时限建议 turned into a catalog draft (foresight.advisor.draft_from_advice): the evidence
    a hall admin drafted from, kept with the draft version so that whoever proposes and publishes
    it reads what the hall's own records said. Written once, never changed."""

    item = models.ForeignKey(
        "catalog.ServiceItem", models.PROTECT, related_name="promise_advices", verbose_name="事项"
    )
    version = models.OneToOneField(
        "catalog.ItemVersion", models.PROTECT, related_name="promise_advice", verbose_name="据此起草的版本"
    )
    since = models.DateField("统计起始日")
    until = models.DateField("统计截止日")
    cases = models.PositiveIntegerField("已决定办件数")
    # [[working days, cases], …] ascending: the distribution the limit was read from.
    histogram = models.JSONField("实际用时分布（工作日）")
    on_time_percent = models.PositiveSmallIntegerField("按时办结目标（%）")
    advised_days = models.PositiveSmallIntegerField("建议承诺时限（工作日）")
    on_time_cases = models.PositiveIntegerField("按建议时限可按时办结件数")
    current_days = models.PositiveSmallIntegerField("原承诺时限（工作日）")
    legal_days = models.PositiveSmallIntegerField("法定时限（工作日）")
    on_the_spot_cases = models.PositiveIntegerField("当日办结件数")
    median_days = models.PositiveSmallIntegerField("用时中位数（工作日）")
    p95_days = models.PositiveSmallIntegerField("用时95%分位（工作日）")
    created_by = models.ForeignKey("accounts.User", models.PROTECT, related_name="+", verbose_name="起草人")
    created_at = models.DateTimeField("起草时间")

    class Meta:
        verbose_name = verbose_name_plural = "承诺时限建议"
        ordering = ["-created_at"]

    def __str__(self):
        return f"承诺时限建议：{self.item.code} {self.current_days}→{self.advised_days}个工作日"
