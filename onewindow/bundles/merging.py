"""一表申请、一套材料: a bundle's merged form and deduplicated material list, built from its items'
published versions (materials) and application forms (`FormField`), and the check of an answered
form. A field asked by several items (same key) is asked once; a material asked by several items
(same name) is handed in once and satisfies every item that asks for it."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from onewindow.bundles.models import FieldKind, FormField
from onewindow.cases import services as cases
from onewindow.catalog.models import Bundle, ItemVersion, Material
from onewindow.errors import Conflict, DomainError

TEXT_MAX = 500


@dataclass
class Part:
    """One item of a bundle, in the bundle's order, with its published version."""

    order: int
    version: ItemVersion
    materials: tuple[Material, ...]

    @property
    def code(self) -> str:
        return self.version.item.code


@dataclass
class MergedField:
    key: str
    label: str
    kind: str
    required: bool
    choices: tuple[str, ...]
    help_text: str
    items: list[str] = field(default_factory=list)  # item codes asking it

    @property
    def kind_display(self) -> str:
        return FieldKind(self.kind).label


@dataclass
class MergedMaterial:
    no: int  # its number in the bundle's list (API.md: no database ids)
    name: str
    required: bool
    shared: bool  # fetched from the issuing department for every item: not asked
    key: bool
    tolerable: bool
    form_display: str
    copies: int
    condition: str
    ids: dict[str, int] = field(default_factory=dict)  # item code → that item's material id
    item_names: list[str] = field(default_factory=list)

    @property
    def asked(self) -> bool:
        return not self.shared


def parts(bundle: Bundle) -> list[Part]:
    """The bundle's items in order, each with its published version (cached per process)."""
    found = []
    for entry in bundle.entries.select_related("item").order_by("order"):
        if entry.item.current_id is None or entry.item.withdrawn_at is not None:
            raise Conflict(
                "bundle.item_not_published", f"“{bundle.name}”中的事项{entry.item.code}当前不受理申请。"
            )
        version, materials, _ = cases.published(entry.item.current_id)
        if version.state != ItemVersion.State.PUBLISHED:
            raise Conflict(
                "bundle.item_not_published", f"“{bundle.name}”中的“{version.name}”当前不受理申请。"
            )
        found.append(Part(order=entry.order, version=version, materials=materials))
    return found


def merged_form(bundle: Bundle, bundle_parts: list[Part] | None = None) -> list[MergedField]:
    """The union of the items' form fields; a key asked by several items is asked once (required
    if any item requires it). Two items giving one key different kinds or choices is a catalog
    error: no single answer could serve both, so the bundle cannot be applied for until fixed."""
    bundle_parts = parts(bundle) if bundle_parts is None else bundle_parts
    order = {p.version.item_id: (p.order, p.code) for p in bundle_parts}
    rows = sorted(
        FormField.objects.filter(item_id__in=order), key=lambda f: (order[f.item_id][0], f.order, f.pk)
    )
    merged: dict[str, MergedField] = {}
    for f in rows:
        code = order[f.item_id][1]
        known = merged.get(f.key)
        if known is None:
            merged[f.key] = MergedField(
                f.key, f.label, f.kind, f.required, f.choice_list(), f.help_text, [code]
            )
            continue
        if (known.kind, known.choices) != (f.kind, f.choice_list()):
            raise Conflict("bundle.form_conflict", f"事项{'、'.join(known.items)}与{code}的字段“{f.label}”（{f.key}）"
                           "类型或可选项不一致，请先在事项目录中统一。", details={"key": f.key})  # fmt: skip
        known.required = known.required or f.required
        known.items.append(code)
    return list(merged.values())


def merged_materials(bundle: Bundle, bundle_parts: list[Part] | None = None) -> list[MergedMaterial]:
    """The items' materials deduplicated by name, in the order first asked. Required if any item
    requires it; asked unless every item fetches it by sharing; tolerable (容缺) only if every
    item tolerates it, and key (核心要件) if any item holds it key."""
    bundle_parts = parts(bundle) if bundle_parts is None else bundle_parts
    merged: dict[str, MergedMaterial] = {}
    for p in bundle_parts:
        for m in p.materials:
            name = m.name.strip()
            shared = m.source == Material.Source.SHARED
            known = merged.get(name)
            if known is None:
                known = merged[name] = MergedMaterial(
                    no=len(merged) + 1, name=name, required=m.required, shared=shared, key=m.key,
                    tolerable=m.tolerable, form_display=m.get_form_display(), copies=m.copies, condition=m.condition,
                )  # fmt: skip
            else:
                known.required = known.required or m.required
                known.shared = known.shared and shared
                known.key = known.key or m.key
                known.tolerable = known.tolerable and m.tolerable and not known.key
                known.copies = max(known.copies, m.copies)
                known.condition = known.condition or m.condition
            known.ids[p.code] = m.pk
            known.item_names.append(p.version.name)
    return list(merged.values())


def _clean_value(f: MergedField, raw) -> str:
    """The answer as stored (text; dates ISO; numbers canonical), or a Chinese reason."""
    value = "" if raw is None else str(raw).strip()
    if not value:
        if f.required:
            raise ValueError("必填")
        return ""
    if f.kind in (FieldKind.TEXT, FieldKind.TEXTAREA):
        if len(value) > TEXT_MAX:
            raise ValueError(f"不超过{TEXT_MAX}字")
        return value
    if f.kind == FieldKind.NUMBER:
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError("应为数字") from None
        if not number.is_finite():
            raise ValueError("应为数字")
        return format(number.normalize(), "f")
    if f.kind == FieldKind.DATE:
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValueError("应为日期（年-月-日）") from None
    if value not in f.choices:
        raise ValueError("应为" + "、".join(f.choices) + "之一")
    return value


def check_form(fields: list[MergedField], data: dict) -> dict:
    """The answered form, cleaned; every problem named at once (one answer to the applicant)."""
    data = data or {}
    known = {f.key for f in fields}
    unknown = sorted(k for k in data if k not in known)
    if unknown:
        raise DomainError("bundle.form_unknown_field", f"申请表中没有这些字段：{'、'.join(unknown)}。",
                          details={"fields": unknown})  # fmt: skip
    cleaned, errors = {}, {}
    for f in fields:
        try:
            value = _clean_value(f, data.get(f.key))
        except ValueError as exc:
            errors[f.key] = f"{f.label}：{exc}"
            continue
        if value:
            cleaned[f.key] = value
    if errors:
        raise DomainError("bundle.form_invalid", "申请表填写有误：" + "；".join(errors.values()) + "。",
                          details={"errors": errors})  # fmt: skip
    return cleaned
