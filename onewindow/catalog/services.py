"""Keeping the catalog: drafts edited by hall admins, proposed by a department head (or an
admin), published by a second person; every published version stays readable for the cases
accepted under it. Each function checks the rules and changes nothing when one fails."""

import time
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from onewindow import clock
from onewindow.accounts.models import Department, Role, User
from onewindow.accounts.queries import has_role, staff_of
from onewindow.catalog.models import (
    Bundle,
    BundleItem,
    CatalogState,
    ItemType,
    ItemVersion,
    LifeEvent,
    Material,
    ResultType,
    ServiceItem,
    Step,
)
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound

# Seed (Shandong): 「审批环节压缩在 3 个以内」; the catalog allows at most four internal steps.
MAX_STEPS = 4

ELEMENT_FIELDS = [
    "name", "type", "level", "basis", "basis_citation", "conditions", "legal_limit_days", "promised_limit_days",
    "on_the_spot", "commitment_approval", "visits", "online_depth", "fee_fen", "fee_basis", "location", "hours",
    "consult_phone", "complaint_phone", "result_type", "license_type", "delivery_pickup", "delivery_post",
    "keywords", "common_names",
]  # fmt: skip
MATERIAL_FIELDS = [
    "name",
    "form",
    "copies",
    "required",
    "condition",
    "key",
    "tolerable",
    "source",
    "shared_by",
]
STEP_FIELDS = ["name", "role", "days"]


# ---- rules ---------------------------------------------------------------------------------


def check_elements(e: dict) -> None:
    """The item's own elements (RULES.md: the promised limit is at most the legal limit)."""
    if not (e.get("name") or "").strip():
        raise DomainError("catalog.name_required", "请填写事项名称。")
    if e.get("type") not in ItemType.values:
        raise DomainError("catalog.type", "事项类型不正确。")
    legal, promised = e.get("legal_limit_days"), e.get("promised_limit_days")
    if legal is None or promised is None or legal < 0 or promised < 0:
        raise DomainError("catalog.limits_required", "请填写法定办结时限和承诺办结时限（工作日）。")
    if promised > legal:
        raise DomainError(
            "catalog.promised_exceeds_legal",
            f"承诺办结时限（{promised}个工作日）不得超过法定办结时限（{legal}个工作日）。",
        )
    if bool(e.get("on_the_spot")) != (promised == 0):
        raise DomainError(
            "catalog.on_the_spot_limit", "即办件的承诺时限应为0个工作日；承诺时限为0的事项应标为即办件。"
        )
    if (e.get("fee_fen") or 0) > 0 and not (e.get("fee_basis") or "").strip():
        raise DomainError("catalog.fee_basis_required", "收费事项必须写明收费依据。")
    if (
        e.get("result_type") in (ResultType.LICENSE, ResultType.APPROVAL)
        and not (e.get("license_type") or "").strip()
    ):
        raise DomainError("catalog.license_type_required", "审批结果为证照或批文的事项须写明结果名称。")


def check_materials(materials: Iterable[dict]) -> None:
    names = set()
    for m in materials:
        name = (m.get("name") or "").strip()
        if not name:
            raise DomainError("catalog.material_name_required", "材料名称不能为空。")
        if name in names:
            raise DomainError("catalog.material_duplicate", f"材料“{name}”重复。")
        names.add(name)
        # 容缺受理 may only leave out non-key materials (RULES.md "Acceptance outcomes").
        if m.get("key") and m.get("tolerable"):
            raise DomainError("catalog.key_material_not_tolerable", f"“{name}”是核心要件，不能设为可容缺。")
        if not m.get("required") and not (m.get("condition") or "").strip():
            raise DomainError(
                "catalog.material_condition_required", f"非必需材料“{name}”须写明在何种情形下提交。"
            )
        if m.get("source") == Material.Source.SHARED and not m.get("shared_by"):
            raise DomainError(
                "catalog.material_shared_by_required", f"共享获取的材料“{name}”须指明共享部门。"
            )


def check_steps(steps: list[dict], promised_limit_days: int) -> None:
    if len(steps) > MAX_STEPS:
        raise DomainError("catalog.too_many_steps", f"办理环节最多{MAX_STEPS}个，现有{len(steps)}个。")
    total = sum(s.get("days") or 0 for s in steps)
    if total > promised_limit_days:
        raise DomainError(
            "catalog.steps_exceed_promised",
            f"各环节时限合计{total}个工作日，超过承诺办结时限{promised_limit_days}个工作日。",
        )
    for s in steps:
        if not (s.get("name") or "").strip() or s.get("role") not in Role.values:
            raise DomainError("catalog.step_incomplete", "每个办理环节须有名称和办理角色。")


def item_elements(data: dict) -> dict:
    """An item as a list gives it (the provincial catalog, the demo file) → its version's elements."""
    elements = {f: data[f] for f in ELEMENT_FIELDS if f in data}
    elements["delivery_pickup"] = "pickup" in data.get("delivery", [])
    elements["delivery_post"] = "post" in data.get("delivery", [])
    elements["keywords"] = " ".join(data.get("keywords", []))
    elements["common_names"] = " ".join(data.get("common_names", []))
    return elements


def check_item(data: dict) -> None:
    """All rules over an item as a list gives it, before anything is written (create_item checks
    the same again)."""
    elements = item_elements(data)
    check_elements(elements)
    check_materials(data.get("materials", []))
    check_steps(list(data.get("steps", [])), elements["promised_limit_days"])


def _as_dicts(rows, fields) -> list[dict]:
    return [{f: getattr(r, f) for f in fields} for r in rows]


def _materials_of(version: ItemVersion) -> list[dict]:
    return _as_dicts(version.materials.select_related("shared_by"), MATERIAL_FIELDS)


def check_version(version: ItemVersion) -> None:
    """All rules over a saved version, before it is proposed or published."""
    check_elements({f: getattr(version, f) for f in ELEMENT_FIELDS})
    check_materials(_materials_of(version))
    check_steps(_as_dicts(version.steps.all(), STEP_FIELDS), version.promised_limit_days)


# ---- who may do what -----------------------------------------------------------------------


def _require_admin(by: User) -> None:
    if not has_role(by, Role.HALL_ADMIN):
        raise Forbidden("catalog.admin_only", "只有大厅管理员可以编辑或发布事项。")


def _require_proposer(by: User, item: ServiceItem) -> None:
    if has_role(by, Role.HALL_ADMIN):
        return
    staff = staff_of(by)
    if staff is None or staff.role != Role.DEPARTMENT_HEAD or staff.department_id != item.department_id:
        raise Forbidden("catalog.propose_not_allowed", "只有本部门负责人或大厅管理员可以提交事项发布。")


# ---- use cases -----------------------------------------------------------------------------


def _write_children(version: ItemVersion, materials: list[dict] | None, steps: list[dict] | None) -> None:
    if materials is not None:
        version.materials.all().delete()
        Material.objects.bulk_create(
            [
                Material(version=version, order=i, **_material_kwargs(m))
                for i, m in enumerate(materials, start=1)
            ]
        )
    if steps is not None:
        version.steps.all().delete()
        Step.objects.bulk_create(
            [
                Step(version=version, order=i, **{f: s[f] for f in STEP_FIELDS})
                for i, s in enumerate(steps, start=1)
            ]
        )


def _material_kwargs(m: dict) -> dict:
    kwargs = {f: m.get(f) for f in MATERIAL_FIELDS if f != "shared_by"}
    kwargs["condition"] = kwargs.get("condition") or ""
    shared_by = m.get("shared_by")
    if isinstance(shared_by, str) and shared_by:
        shared_by = Department.objects.filter(code=shared_by).first()
        if shared_by is None:
            raise DomainError("catalog.unknown_department", f"共享部门“{m.get('shared_by')}”不存在。")
    kwargs["shared_by"] = shared_by or None
    return kwargs


def _life_events(names: Iterable[str]) -> list[LifeEvent]:
    events = []
    for name in names:
        event, _ = LifeEvent.objects.get_or_create(name=name)
        events.append(event)
    return events


@transaction.atomic
def create_item(
    *, code: str, department: Department, by: User | None, elements: dict,
    materials: list[dict] = (), steps: list[dict] = (), life_events: Iterable[str] = (),
) -> ItemVersion:  # fmt: skip
    """A new item with its first draft. `by=None` is the system importing the provincial list."""
    if by is not None:
        _require_admin(by)
    code = (code or "").strip()
    if not code:
        raise DomainError("catalog.code_required", "请填写事项编码。")
    check_elements(elements)
    check_materials(materials)
    check_steps(list(steps), elements["promised_limit_days"])
    if ServiceItem.objects.filter(code=code).exists():
        raise Conflict("catalog.code_taken", f"事项编码“{code}”已被其他事项使用，事项编码须唯一且保持不变。")
    try:
        with transaction.atomic():
            item = ServiceItem.objects.create(code=code, department=department)
    except IntegrityError:
        raise Conflict(
            "catalog.code_taken", f"事项编码“{code}”已被其他事项使用，事项编码须唯一且保持不变。"
        ) from None
    version = ItemVersion.objects.create(
        item=item, number=1, created_by=by, **{f: elements[f] for f in elements}
    )
    version.life_events.set(_life_events(life_events))
    _write_children(version, list(materials), list(steps))
    return version


@transaction.atomic
def save_draft(
    version: ItemVersion, *, by: User, elements: dict | None = None,
    materials: list[dict] | None = None, steps: list[dict] | None = None, life_events: Iterable[str] | None = None,
    change_note: str | None = None,
) -> ItemVersion:  # fmt: skip
    _require_admin(by)
    version = ItemVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != ItemVersion.State.DRAFT:
        raise Conflict("catalog.not_a_draft", "只能修改草稿；已提交或已发布的版本请新建草稿。")
    merged = {f: getattr(version, f) for f in ELEMENT_FIELDS} | (elements or {})
    check_elements(merged)
    check_materials(materials if materials is not None else _materials_of(version))
    check_steps(
        steps if steps is not None else _as_dicts(version.steps.all(), STEP_FIELDS),
        merged["promised_limit_days"],
    )
    for field, value in (elements or {}).items():
        setattr(version, field, value)
    if change_note is not None:
        version.change_note = change_note.strip()
    version.save()
    if life_events is not None:
        version.life_events.set(_life_events(life_events))
    _write_children(version, materials, steps)
    return version


@transaction.atomic
def start_draft(item: ServiceItem, *, by: User) -> ItemVersion:
    """A new draft copying the current version, materials, steps and life events."""
    _require_admin(by)
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    if item.withdrawn_at is not None:
        raise Conflict("catalog.withdrawn", "该事项已停用，不能再修改。")
    if item.versions.filter(state__in=[ItemVersion.State.DRAFT, ItemVersion.State.PROPOSED]).exists():
        raise Conflict("catalog.draft_exists", "该事项已有未发布的草稿，请先处理该草稿。")
    source = item.current
    if source is None:
        raise Conflict("catalog.no_published_version", "该事项尚无已发布版本。")
    number = item.versions.order_by("-number").values_list("number", flat=True).first() + 1
    draft = ItemVersion.objects.create(
        item=item, number=number, created_by=by, **{f: getattr(source, f) for f in ELEMENT_FIELDS}
    )
    draft.life_events.set(source.life_events.all())
    _write_children(draft, _materials_of(source), _as_dicts(source.steps.all(), STEP_FIELDS))
    return draft


@transaction.atomic
def propose(version: ItemVersion, *, by: User) -> ItemVersion:
    version = ItemVersion.objects.select_for_update().select_related("item").get(pk=version.pk)
    _require_proposer(by, version.item)
    if version.state != ItemVersion.State.DRAFT:
        raise Conflict("catalog.not_a_draft", "只有草稿可以提交发布。")
    check_version(version)
    ItemVersion.objects.filter(pk=version.pk).update(
        state=ItemVersion.State.PROPOSED, proposed_by=by, proposed_at=clock.now()
    )
    version.refresh_from_db()
    return version


@transaction.atomic
def return_to_draft(version: ItemVersion, *, by: User) -> ItemVersion:
    """The publisher sends a proposed version back for changes."""
    _require_admin(by)
    updated = ItemVersion.objects.filter(pk=version.pk, state=ItemVersion.State.PROPOSED).update(
        state=ItemVersion.State.DRAFT, proposed_by=None, proposed_at=None
    )
    if updated != 1:
        raise Conflict("catalog.not_proposed", "该版本不在待发布状态。")
    version.refresh_from_db()
    return version


def catalog_changed() -> None:
    """Tells every process to rebuild its guided-search index (after commit)."""
    CatalogState.objects.get_or_create(pk=1)
    CatalogState.objects.filter(pk=1).update(version=F("version") + 1)
    from onewindow.catalog import search

    _current_ids.clear()  # at once for this process's own reads, and again once committed
    transaction.on_commit(search.invalidate)
    transaction.on_commit(_current_ids.clear)


@transaction.atomic
def publish(version: ItemVersion, *, by: User | None) -> ItemVersion:
    """Makes a proposed version current. Two people: the publisher is not the proposer.
    `by=None` is the system import, which publishes its own drafts."""
    item = ServiceItem.objects.select_for_update().get(pk=version.item_id)
    version = ItemVersion.objects.select_for_update().get(pk=version.pk)
    if by is None:
        if version.state != ItemVersion.State.DRAFT or version.created_by_id is not None:
            raise Conflict("catalog.not_proposed", "系统导入只能发布其导入的草稿。")
    else:
        _require_admin(by)
        if version.state != ItemVersion.State.PROPOSED:
            raise Conflict("catalog.not_proposed", "只有已提交的版本可以发布，请先提交发布。")
        if version.proposed_by_id == by.pk:
            raise Conflict("catalog.same_person", "提交人与发布人不能是同一人（事项发布须两人把关）。")
    if item.withdrawn_at is not None:
        raise Conflict("catalog.withdrawn", "该事项已停用，不能发布。")
    check_version(version)
    ItemVersion.objects.filter(item=item, state=ItemVersion.State.PUBLISHED).update(
        state=ItemVersion.State.SUPERSEDED
    )
    ItemVersion.objects.filter(pk=version.pk).update(
        state=ItemVersion.State.PUBLISHED, published_by=by, published_at=clock.now()
    )
    ServiceItem.objects.filter(pk=item.pk).update(current=version)
    catalog_changed()
    version.refresh_from_db()
    return version


@transaction.atomic
def withdraw(item: ServiceItem, *, by: User) -> ServiceItem:
    """停用: no new cases; the item and its versions stay readable for old cases."""
    _require_admin(by)
    updated = ServiceItem.objects.filter(pk=item.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=clock.now()
    )
    if updated != 1:
        raise Conflict("catalog.withdrawn", "该事项已停用。")
    ItemVersion.objects.filter(item=item, state=ItemVersion.State.PUBLISHED).update(
        state=ItemVersion.State.WITHDRAWN
    )
    ItemVersion.objects.filter(
        item=item, state__in=[ItemVersion.State.DRAFT, ItemVersion.State.PROPOSED]
    ).delete()
    catalog_changed()
    item.refresh_from_db()
    return item


class _CurrentIds:
    """code → (current version id, withdrawn) for intake's hot path, per process. Dropped when the
    catalog version (CatalogState) moved — checked at most every ONEWINDOW_CATALOG_CHECK_SECONDS —
    and at once in the process that published or withdrew (`catalog_changed`). So another process
    may bind a case to the previous version, or accept one for a just-withdrawn item, for at most
    those seconds (bench/intake.py: the read cost ~0.5 ms of CPU per submission)."""

    def __init__(self):
        self.ids: dict[str, tuple[int | None, bool]] = {}
        self.version: int | None = None
        self.next_check = 0.0

    def get(self, code: str) -> tuple[int | None, bool] | None:
        now = time.monotonic()
        if now >= self.next_check:
            version = CatalogState.current()
            if version != self.version:
                self.ids, self.version = {}, version
            self.next_check = now + settings.ONEWINDOW_CATALOG_CHECK_SECONDS
        return self.ids.get(code)

    def clear(self) -> None:
        self.ids, self.next_check = {}, 0.0


_current_ids = _CurrentIds()


def current_version_id(code: str) -> int:
    """The id of the version a case submitted now is bound to (the version itself is cached by
    the cases module)."""
    hit = _current_ids.get(code)
    if hit is None:
        row = ServiceItem.objects.filter(code=code).values_list("current_id", "withdrawn_at").first()
        if row is None:
            raise NotFound("catalog.item_not_found", f"未找到事项“{code}”。")
        hit = _current_ids.ids[code] = (row[0], row[1] is not None)
    if hit[0] is None:
        raise NotFound("catalog.item_not_found", f"未找到事项“{code}”。")
    if hit[1]:
        raise Conflict("catalog.withdrawn", f"事项“{code}”已停用，不再受理。")
    return hit[0]


def version_for_new_case(code: str) -> ItemVersion:
    """The version a case accepted now is bound to (the cases module keeps it for life)."""
    return ItemVersion.objects.select_related("item").get(pk=current_version_id(code))


@transaction.atomic
def import_items(items: list[dict]) -> int:
    """Loads items from the provincial catalog (or the demo list) as published versions.
    Idempotent by code: an item already present is left as it is."""
    present = set(ServiceItem.objects.values_list("code", flat=True))
    departments = {d.code: d for d in Department.objects.all()}
    created = 0
    for data in items:
        if data["code"] in present:
            continue
        version = create_item(
            code=data["code"], department=departments[data["department"]], by=None, elements=item_elements(data),
            materials=data.get("materials", []), steps=data.get("steps", []), life_events=data.get("life_events", []),
        )  # fmt: skip
        publish(version, by=None)
        created += 1
    return created


def check_bundle(items: list[ServiceItem], promised_limit_days: int) -> None:
    """一件事: at least two published items; its promised limit is at most the longest
    promised limit of its items (the departments review in parallel)."""
    unusable = [i.code for i in items if i.current_id is None or i.withdrawn_at is not None]
    if unusable:
        raise DomainError("catalog.bundle_unknown_items", f"以下事项未发布或已停用：{'、'.join(unusable)}。")
    if len({i.pk for i in items}) < 2:
        raise DomainError("catalog.bundle_too_small", "一件事至少包含两个事项。")
    longest = max(i.current.promised_limit_days for i in items)
    if promised_limit_days > longest:
        raise DomainError(
            "catalog.bundle_limit",
            f"一件事的承诺时限（{promised_limit_days}）不应超过其中最长的事项承诺时限（{longest}）：各部门并联办理。",
        )


def check_bundle_order(item_codes: list[str], after: dict[str, str]) -> None:
    """前置事项 (`after`: item code → the code of the item it depends on): both in the bundle, the
    prerequisite listed first — so the order is the dependency's and no item waits on itself."""
    for code, prerequisite in after.items():
        if code not in item_codes or prerequisite not in item_codes:
            raise DomainError(
                "catalog.bundle_after_unknown", f"前置关系的事项须都在该一件事中：{code} → {prerequisite}。"
            )
        if item_codes.index(prerequisite) >= item_codes.index(code):
            raise DomainError(
                "catalog.bundle_after_order",
                f"前置事项须排在依赖它的事项之前：{prerequisite} 应在 {code} 之前。",
            )


@transaction.atomic
def save_bundle(*, code: str, name: str, lead_department: Department, promised_limit_days: int,
                item_codes: list[str], description: str = "", life_event: str | None = None,
                after: dict[str, str] | None = None, for_new_entity: bool = False) -> Bundle:  # fmt: skip
    """Creates or replaces a 一件事: its items in order, each with the item it depends on
    (`after`), and whether it is only for a new company (`for_new_entity`)."""
    items = {i.code: i for i in ServiceItem.objects.filter(code__in=item_codes).select_related("current")}
    missing = [c for c in item_codes if c not in items]
    if missing:
        raise DomainError("catalog.bundle_unknown_items", f"以下事项不存在：{'、'.join(missing)}。")
    check_bundle([items[c] for c in item_codes], promised_limit_days)
    after = after or {}
    check_bundle_order(item_codes, after)
    bundle, _ = Bundle.objects.update_or_create(
        code=code, defaults={"name": name, "lead_department": lead_department, "description": description,
                             "promised_limit_days": promised_limit_days, "for_new_entity": for_new_entity,
                             "life_event": _life_events([life_event])[0] if life_event else None},
    )  # fmt: skip
    bundle.entries.all().delete()
    BundleItem.objects.bulk_create(
        [BundleItem(bundle=bundle, item=items[c], order=i, after=items.get(after.get(c, "")))
         for i, c in enumerate(item_codes, start=1)]
    )  # fmt: skip
    catalog_changed()
    return bundle


@transaction.atomic
def load_demo(data) -> dict:
    """The demo catalog (catalog/data/demo_catalog.toml, read by catalog/demo.py): life events in
    their order, the items as published versions, then the bundles. Idempotent."""
    for order, name in enumerate(data.life_events, start=1):
        LifeEvent.objects.update_or_create(name=name, defaults={"order": order})
    import_items(data.items)
    departments = {d.code: d for d in Department.objects.all()}
    for b in data.bundles:
        if not Bundle.objects.filter(code=b["code"]).exists():
            save_bundle(code=b["code"], name=b["name"], lead_department=departments[b["lead_department"]],
                        promised_limit_days=b["promised_limit_days"], item_codes=b["items"],
                        description=b.get("description", ""), life_event=b.get("life_event"),
                        after=b.get("after"), for_new_entity=b.get("for_new_entity", False))  # fmt: skip
    _demo_draft()
    return {"items": ServiceItem.objects.count(), "bundles": Bundle.objects.count()}


def _demo_draft() -> None:
    """For the tour: a second version of 特种设备使用登记 (市场监管局) that compresses the promised
    limit to 2 working days, waiting for the department head to propose it."""
    item = ServiceItem.objects.filter(code="TZSB-XK-0001").first()
    admin = User.objects.filter(username="admin").first()
    if item is None or admin is None or item.versions.count() > 1:
        return
    draft = start_draft(item, by=admin)
    save_draft(draft, by=admin, elements={"promised_limit_days": 2}, steps=[
        {"name": "审查", "role": Role.REVIEWER, "days": 1}, {"name": "发证", "role": Role.DEPARTMENT_HEAD, "days": 1},
    ])  # fmt: skip
