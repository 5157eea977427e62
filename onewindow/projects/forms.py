"""The project registration form (the owner, on the portal)."""

from decimal import Decimal

from django import forms

from onewindow.accounts.models import Region
from onewindow.projects import industries
from onewindow.projects.models import ApprovalType

FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 元 = 1,000,000 分


class RegisterProjectForm(forms.Form):
    name = forms.CharField(label="项目名称", max_length=100)
    region = forms.ModelChoiceField(
        label="建设地点", queryset=Region.objects.filter(level__gte=Region.Level.COUNTY).order_by("code"),
        to_field_name="code",
    )  # fmt: skip
    investment_wan = forms.DecimalField(
        label="总投资（万元）", min_value=Decimal("0.01"), max_digits=14, decimal_places=2
    )
    industry = forms.ChoiceField(label="国民经济行业", choices=industries.CHOICES)
    approval_type = forms.ChoiceField(label="管理类型", choices=ApprovalType.choices)
    government_invested = forms.BooleanField(label="政府投资项目", required=False)
    key_project = forms.BooleanField(label="市级重点项目", required=False)
    merged_path = forms.BooleanField(
        label="带方案出让用地（立项用地规划许可与工程建设许可合并办理）", required=False
    )

    def investment_fen(self) -> int:
        return int(self.cleaned_data["investment_wan"] * FEN_PER_WAN)
