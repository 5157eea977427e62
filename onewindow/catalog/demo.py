"""The demo catalog of 德州市, read from data/demo_catalog.toml (items, life events, bundles).

Every item is checked on load against the catalog's rules (services.check_item: promised limit
within the legal one, at most four steps within the promised days, no tolerable key material …),
so a broken entry stops `seed_demo` with a message naming the item, before anything is written.
A material in the file lists only what differs from the Material model's defaults; the loader
fills in the rest, so `services.import_items` gets complete dictionaries."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from onewindow.catalog import services
from onewindow.catalog.models import Material
from onewindow.errors import DomainError

PATH = Path(__file__).parent / "data" / "demo_catalog.toml"

# The keys an entry may have (a misspelt key would otherwise fall back to a default unseen).
ITEM_KEYS = (set(services.ELEMENT_FIELDS) - {"delivery_pickup", "delivery_post"}) | {
    "code", "department", "delivery", "life_events", "materials", "steps",
}  # fmt: skip
BUNDLE_KEYS = {"code", "name", "lead_department", "promised_limit_days", "life_event", "description", "items",
               "after", "for_new_entity"}  # fmt: skip


class DemoCatalogError(ValueError):
    """The demo file breaks a catalog rule or names something it does not define."""


@dataclass(frozen=True)
class DemoCatalog:
    life_events: list[str]
    items: list[dict]  # as services.import_items takes them
    bundles: list[dict]


def material_defaults() -> dict:
    defaults = {f: Material._meta.get_field(f).get_default() for f in services.MATERIAL_FIELDS}
    return defaults | {"name": "", "shared_by": ""}  # shared_by: a department code in the lists


def _unknown_keys(where: str, data: dict, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise DemoCatalogError(f"{where}：未知字段 {'、'.join(unknown)}。")


def _item(data: dict, defaults: dict, life_events: list[str]) -> dict:
    where = f"事项 {data.get('code', '?')}（{data.get('name', '?')}）"
    _unknown_keys(where, data, ITEM_KEYS)
    unknown = [e for e in data.get("life_events", []) if e not in life_events]
    if unknown:
        raise DemoCatalogError(f"{where}：人生事件 {'、'.join(unknown)} 不在 life_events 中。")
    for m in data.get("materials", []):
        _unknown_keys(f"{where} 的材料“{m.get('name', '?')}”", m, set(defaults))
    for s in data.get("steps", []):
        _unknown_keys(f"{where} 的环节“{s.get('name', '?')}”", s, set(services.STEP_FIELDS))
    item = data | {"materials": [defaults | m for m in data.get("materials", [])]}
    try:
        services.check_item(item)
    except DomainError as exc:
        raise DemoCatalogError(f"{where}：{exc.message}（{exc.code}）") from exc
    return item


def _check_bundle(data: dict, codes: set[str], life_events: list[str]) -> None:
    where = f"一件事 {data.get('code', '?')}（{data.get('name', '?')}）"
    _unknown_keys(where, data, BUNDLE_KEYS)
    missing = [c for c in data.get("items", []) if c not in codes]
    if missing:
        raise DemoCatalogError(f"{where}：事项 {'、'.join(missing)} 不在演示目录中。")
    if data.get("life_event") and data["life_event"] not in life_events:
        raise DemoCatalogError(f"{where}：人生事件“{data['life_event']}”不在 life_events 中。")


def parse(text: str, *, source: str = "demo_catalog.toml") -> DemoCatalog:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DemoCatalogError(f"{source}：{exc}") from exc
    defaults = material_defaults()
    life_events = raw.get("life_events", [])
    items = [_item(data, defaults, life_events) for data in raw.get("items", [])]
    codes = [i["code"] for i in items]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise DemoCatalogError(f"{source}：事项编码重复：{'、'.join(duplicates)}。")
    for bundle in raw.get("bundles", []):
        _check_bundle(bundle, set(codes), life_events)
    return DemoCatalog(life_events=life_events, items=items, bundles=raw.get("bundles", []))


@cache
def load() -> DemoCatalog:
    """The demo catalog, read and checked once per process (callers copy before changing it)."""
    return parse(PATH.read_text(encoding="utf-8"), source=str(PATH))


# 未找到事项的提问 the demo hall has already collected, so the hall admin's list can be walked:
# questions the catalog has no item for, and one it has but does not recognize (a keyword fixes it).
DEMO_QUESTIONS = [("公司要申请专利", 5), ("怎么申请商标", 3), ("新公司要刻一套公章", 2), ("孩子打疫苗去哪", 2),
                  ("路灯坏了找谁修", 1)]  # fmt: skip


def seed_questions(hall_code: str = "371400-zwfw") -> int:
    """Once: a second run leaves the counts as they are."""
    from onewindow.accounts.models import Hall
    from onewindow.catalog import unmatched
    from onewindow.catalog.models import UnmatchedQuestion

    hall = Hall.objects.filter(code=hall_code).first()
    if hall is None or UnmatchedQuestion.objects.filter(hall=hall).exists():
        return 0
    for question, times in DEMO_QUESTIONS:
        for _ in range(times):
            unmatched.record(question, hall=hall, channel=UnmatchedQuestion.Channel.PORTAL)
    return len(DEMO_QUESTIONS)
