"""Catalog API: items, bundles and guided search (GET /api/v1/items, /bundles, /guide)."""

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from onewindow.accounts.permissions import public
from onewindow.accounts.queries import staff_of
from onewindow.catalog import queries, search, unmatched
from onewindow.catalog.models import UnmatchedQuestion
from onewindow.errors import DomainError
from onewindow.paging import Paged
from onewindow.ratelimit import client_address

TAG = ["catalog"]


class ItemSummaryOut(Schema):
    code: str
    version: int = Field(..., alias="number")
    name: str
    type: str
    type_display: str
    department: str
    department_name: str
    legal_limit_days: int
    promised_limit_days: int
    on_the_spot: bool
    fee_fen: int
    currency: str = "CNY"

    @staticmethod
    def resolve_code(obj):
        return obj.item.code

    @staticmethod
    def resolve_type_display(obj):
        return obj.get_type_display()

    @staticmethod
    def resolve_department(obj):
        return obj.item.department.code

    @staticmethod
    def resolve_department_name(obj):
        return obj.item.department.name


class CatalogMaterialOut(Schema):
    name: str
    form: str
    form_display: str
    copies: int
    required: bool
    condition: str
    key: bool
    tolerable: bool
    source: str
    shared_by: str | None

    @staticmethod
    def resolve_form_display(obj):
        return obj.get_form_display()

    @staticmethod
    def resolve_shared_by(obj):
        return obj.shared_by.code if obj.shared_by_id else None


class CatalogStepOut(Schema):
    name: str
    role: str
    days: int


class ItemOut(ItemSummaryOut):
    state: str
    level: str
    basis: str
    basis_citation: str
    conditions: str
    commitment_approval: bool
    visits: int
    online_depth: int
    fee_basis: str
    location: str
    hours: str
    consult_phone: str
    complaint_phone: str
    result_type: str
    license_type: str
    delivery: list[str]
    keywords: list[str]
    common_names: list[str]
    life_events: list[str]
    materials: list[CatalogMaterialOut]
    steps: list[CatalogStepOut]
    published_at: dt.datetime | None

    @staticmethod
    def resolve_delivery(obj):
        return [d for d, on in (("pickup", obj.delivery_pickup), ("post", obj.delivery_post)) if on]

    @staticmethod
    def resolve_keywords(obj):
        return obj.keyword_list()

    @staticmethod
    def resolve_common_names(obj):
        return obj.common_name_list()

    @staticmethod
    def resolve_life_events(obj):
        return [e.name for e in obj.life_events.all()]

    @staticmethod
    def resolve_materials(obj):
        return list(obj.materials.all())

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class BundleItemOut(Schema):
    code: str
    name: str
    department: str
    promised_limit_days: int


class BundleOut(Schema):
    code: str
    name: str
    description: str
    lead_department: str
    promised_limit_days: int
    life_event: str | None
    items: list[BundleItemOut]

    @staticmethod
    def resolve_lead_department(obj):
        return obj.lead_department.code

    @staticmethod
    def resolve_life_event(obj):
        return obj.life_event.name if obj.life_event_id else None

    @staticmethod
    def resolve_items(obj):
        return [
            {"code": e.item.code, "name": e.item.current.name if e.item.current_id else e.item.code,
             "department": e.item.department.code,
             "promised_limit_days": e.item.current.promised_limit_days if e.item.current_id else 0}
            for e in obj.entries.all()
        ]  # fmt: skip


class HitOut(Schema):
    kind: str = Field(..., description="item 事项 / bundle 一件事")
    code: str
    name: str
    department: str
    promised_limit_days: int
    score: float
    relevance: float = Field(..., description="问题中被该事项覆盖的比重（0–1）；低于阈值的不返回")
    url: str


class ItemFilters(Schema):
    q: str | None = Field(None, max_length=100, description="关键词（按相关度排序）")
    department: str | None = None
    type: str | None = None
    life_event: str | None = None


items = Router(tags=TAG)
bundles = Router(tags=TAG)
guide = Router(tags=TAG)


@items.get("", response=list[ItemSummaryOut], auth=None, operation_id="catalog_list_items")
@paginate(Paged)
@public
def list_items(request, filters: ItemFilters = Query(...)):
    qs = queries.published_versions(
        department=filters.department, type=filters.type, life_event=filters.life_event
    )
    if not filters.q:
        return qs
    ranked = [h.code for h in search.current().search(filters.q, limit=200, kinds=("item",))]
    found = {v.item.code: v for v in qs.filter(item__code__in=ranked)}
    return [found[c] for c in ranked if c in found]


@items.get("/{code}", response=ItemOut, auth=None, operation_id="catalog_get_item")
@public
def get_item(request, code: str, version: str | None = None):
    return queries.item_version(code, queries.parse_version_number(version))


@bundles.get("", response=list[BundleOut], auth=None, operation_id="catalog_list_bundles")
@paginate(Paged)
@public
def list_bundles(request):
    return queries.bundles()


@bundles.get("/{code}", response=BundleOut, auth=None, operation_id="catalog_get_bundle")
@public
def get_bundle(request, code: str):
    return queries.bundle(code)


@guide.get("", response=list[HitOut], auth=None, operation_id="catalog_guide")
@public
def guided_search(
    request,
    q: str = Query(..., max_length=100, description="用自己的话说想办什么事"),
    hall: str | None = Query(None, max_length=40, description="提问所在政务服务中心编码（默认市级中心）"),
):
    """An empty list is the honest answer: no item fits; the question is logged (未找到事项的提问)."""
    if not q.strip():
        raise DomainError("catalog.empty_query", "请说一说您想办什么事，例如“我想开一家饭店”。")
    hits = search.guide(q, limit=10)
    if not hits and staff_of(request.user) is None:  # an empty list is the honest answer
        where = queries.guide_hall(hall)
        unmatched.record(q, hall=where, channel=UnmatchedQuestion.Channel.API, client=client_address(request))
    return [
        {**hit.__dict__, "url": f"/{'items' if hit.kind == 'item' else 'bundles'}/{hit.code}/"}
        for hit in hits
    ]


routers = [("/items", items), ("/bundles", bundles), ("/guide", guide)]
