"""Forms of the bundle pages: the merged application form (一表) and the portal's uploads (one
file per merged material). The answers are checked by the service (merging.check_form), the one
place that knows the rules; the form only renders them and carries the errors back to fields."""

from django import forms

from onewindow.bundles.merging import MergedField, MergedMaterial
from onewindow.bundles.models import FieldKind
from onewindow.cases.forms import ACCEPT, checked_upload

PREFIX = "f_"


def _field(f: MergedField) -> forms.Field:
    label = f.label + ("" if f.required else "（选填）")
    common = {"label": label, "required": False, "help_text": f.help_text}
    if f.kind == FieldKind.TEXTAREA:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if f.kind == FieldKind.NUMBER:
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if f.kind == FieldKind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if f.kind == FieldKind.CHOICE:
        return forms.ChoiceField(choices=[("", "请选择"), *[(c, c) for c in f.choices]], **common)
    return forms.CharField(**common)


class MergedForm(forms.Form):
    """一表申请: one input per merged field; a field several items ask appears once."""

    def __init__(self, *args, fields: list[MergedField], **kwargs):
        super().__init__(*args, **kwargs)
        self.merged = fields
        for f in fields:
            self.fields[PREFIX + f.key] = _field(f)

    def answers(self) -> dict:
        """What was typed, as typed: the service checks it and names every problem at once."""
        if not self.is_bound:
            return {}
        return {
            f.key: self.data.get(PREFIX + f.key, "") for f in self.merged if self.data.get(PREFIX + f.key, "")
        }

    def show(self, errors: dict[str, str]) -> None:
        """The service's per-field messages (DomainError details) next to their inputs."""
        for key, message in errors.items():
            if PREFIX + key in self.fields:
                self.add_error(PREFIX + key, message)


def note(m: MergedMaterial) -> str:
    """必需 / its condition; tolerable; which items share it (one file serves them all)."""
    text = ("必需" if m.required else m.condition) + ("，可容缺后补" if m.tolerable else "")
    if len(m.ids) > 1:
        text += f"；{'、'.join(m.item_names)}共用，只交一份"
    return text


class UploadForm(forms.Form):
    """网上申请: one upload per merged material the applicant supplies, serving every item."""

    def __init__(self, *args, materials: list[MergedMaterial], **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = [m for m in materials if m.asked]
        for m in self.materials:
            self.fields[f"m_{m.no}"] = forms.FileField(
                label=m.name, required=False, help_text=note(m),
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        for m in self.materials:
            upload = cleaned.get(f"m_{m.no}")
            if upload:
                try:
                    cleaned[f"m_{m.no}"] = checked_upload(upload)
                except forms.ValidationError as error:
                    self.add_error(f"m_{m.no}", error)
        return cleaned

    def uploads(self) -> dict:
        """{merged material name: uploaded file}."""
        return {
            m.name: self.cleaned_data[f"m_{m.no}"]
            for m in self.materials
            if self.cleaned_data.get(f"m_{m.no}")
        }
