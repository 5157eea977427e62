"""Forms of the case pages: a walk-in applicant at the window, and the portal's uploads."""

import secrets
from pathlib import PurePath

from django import forms

from onewindow.accounts.models import Applicant, Region

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# What each accepted type starts with: the name's extension alone proves nothing.
SIGNATURES = {".pdf": (b"%PDF-",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
              ".png": (b"\x89PNG\r\n\x1a\n",)}  # fmt: skip
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class WalkInForm(forms.Form):
    """登记申请人 at the window: the clerk checks the ID document of the person in front of them."""

    kind = forms.ChoiceField(
        label="申请人类型", choices=Applicant.Kind.choices, initial=Applicant.Kind.NATURAL
    )
    name = forms.CharField(label="姓名/单位名称", max_length=100)
    id_number = forms.CharField(label="身份证号码", max_length=18, required=False, help_text="自然人填写")
    credit_code = forms.CharField(
        label="统一社会信用代码", max_length=18, required=False, help_text="法人填写"
    )
    phone = forms.CharField(label="手机号码", max_length=11, help_text="用于短信通知和办件进度查询")
    region = forms.ModelChoiceField(
        label="所在区划", queryset=Region.objects.filter(level__gte=Region.Level.COUNTY), to_field_name="code"
    )
    address = forms.CharField(label="地址", max_length=200, required=False)


def checked_upload(upload):
    """A PDF, JPG or PNG of at most 10 MB, renamed to a random token keeping its extension
    (the applicant's file name may carry personal data and never reaches the disk)."""
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in SIGNATURES:
        raise forms.ValidationError("只能上传 PDF、JPG 或 PNG 格式的文件。")
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            f"文件过大（{upload.size / 1024 / 1024:.1f} MB），每份材料不能超过 10 MB。"
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(SIGNATURES[extension]):
        raise forms.ValidationError("文件内容与扩展名不符，请上传真实的 PDF、JPG 或 PNG 文件。")
    upload.name = secrets.token_hex(16) + extension
    return upload


class ApplyForm(forms.Form):
    """网上申请: one file per material the applicant supplies (shared ones are fetched)."""

    def __init__(self, *args, materials, **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = materials
        for m in materials:
            self.fields[f"material_{m.pk}"] = forms.FileField(
                label=m.name,
                required=False,
                help_text=("必需" if m.required else m.condition) + ("，可容缺后补" if m.tolerable else ""),
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )

    def clean(self):
        cleaned = super().clean()
        for m in self.materials:
            upload = cleaned.get(f"material_{m.pk}")
            if upload:
                try:
                    cleaned[f"material_{m.pk}"] = checked_upload(upload)
                except forms.ValidationError as error:
                    self.add_error(f"material_{m.pk}", error)
        if not self.errors and not self.uploads():
            raise forms.ValidationError("请至少上传一份申请材料。")
        return cleaned

    def uploads(self) -> dict:
        """{material id: uploaded file} of the files handed in."""
        return {
            m.pk: self.cleaned_data[f"material_{m.pk}"]
            for m in self.materials
            if self.cleaned_data.get(f"material_{m.pk}")
        }


class SupplementForm(forms.Form):
    """网上补正: one file per material the one-time notice lists (checked as at application)."""

    def __init__(self, *args, materials, **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = materials
        for m in materials:
            self.fields[f"material_{m.material_id}"] = forms.FileField(
                label=m.name, required=False, help_text=m.note,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        for m in self.materials:
            upload = cleaned.get(f"material_{m.material_id}")
            if upload:
                try:
                    cleaned[f"material_{m.material_id}"] = checked_upload(upload)
                except forms.ValidationError as error:
                    self.add_error(f"material_{m.material_id}", error)
        if not self.errors and not self.uploads():
            raise forms.ValidationError("请上传补正材料的文件。")
        return cleaned

    def uploads(self) -> dict:
        """{material id: uploaded file} of the files handed in."""
        return {
            m.material_id: self.cleaned_data[f"material_{m.material_id}"]
            for m in self.materials
            if self.cleaned_data.get(f"material_{m.material_id}")
        }
