"""Read side of the catalog for the portal, the API and the other modules."""

from django.db.models import Prefetch, QuerySet

from onewindow.catalog.models import Bundle, BundleItem, ItemVersion, LifeEvent, ServiceItem
from onewindow.errors import DomainError, NotFound


def published_versions(*, department: str | None = None, type: str | None = None,
                       life_event: str | None = None) -> QuerySet[ItemVersion]:  # fmt: skip
    """Current versions of the items citizens can apply for now."""
    qs = ItemVersion.objects.filter(state=ItemVersion.State.PUBLISHED, item__withdrawn_at__isnull=True)
    if department:
        qs = qs.filter(item__department__code=department)
    if type:
        qs = qs.filter(type=type)
    if life_event:
        qs = qs.filter(life_events__name=life_event)
    return qs.select_related("item__department").order_by("item__code")


def item_version(code: str, number: int | None = None) -> ItemVersion:
    """The current version of an item, or the given version number (old cases keep theirs;
    withdrawn items stay readable)."""
    item = ServiceItem.objects.filter(code=code).select_related("department").first()
    if item is None:
        raise NotFound("catalog.item_not_found", f"未找到事项“{code}”。")
    if number is None:
        if item.current_id is None:
            raise NotFound("catalog.item_not_found", f"事项“{code}”尚未发布。")
        number = ItemVersion.objects.filter(pk=item.current_id).values_list("number", flat=True).get()
    visible = [ItemVersion.State.PUBLISHED, ItemVersion.State.SUPERSEDED, ItemVersion.State.WITHDRAWN]
    version = (
        ItemVersion.objects.filter(item=item, number=number, state__in=visible)
        .select_related("item__department")
        .prefetch_related("life_events", "steps", "materials__shared_by")
        .first()
    )
    if version is None:
        raise NotFound("catalog.version_not_found", f"事项“{code}”没有第{number}版。")
    return version


def parse_version_number(raw: str | None) -> int | None:
    if raw in (None, ""):
        return None
    if not str(raw).isdigit():
        raise DomainError("catalog.version_format", "版本号应为正整数。")
    return int(raw)


def bundles() -> QuerySet[Bundle]:
    entries = BundleItem.objects.select_related("item__current", "item__department").order_by("order")
    return (
        Bundle.objects.filter(is_active=True)
        .select_related("lead_department", "life_event")
        .prefetch_related(Prefetch("entries", queryset=entries))
    )


def bundle(code: str) -> Bundle:
    found = bundles().filter(code=code).first()
    if found is None:
        raise NotFound("catalog.bundle_not_found", f"未找到“一件事”：{code}。")
    return found


def life_events() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.all()


def guide_hall(code: str | None = None):
    """The hall a guided-search question is asked of: the one named (a county hall's kiosk or
    page passes its code), else the city's main hall, which the portal belongs to."""
    from onewindow.accounts.models import Hall

    halls = Hall.objects.order_by("code")
    hall = halls.filter(code=code).first() if code else None
    return hall or halls.filter(kind=Hall.Kind.CITY).first() or halls.first()
