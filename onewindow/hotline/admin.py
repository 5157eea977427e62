"""Operator tools of the 12345 hotline (docs/operators-guide.md "12345热线"): the category tree,
the handling limits by type (*configurable*), the reply templates and the knowledge base; the
work orders and their events read-only (state changes only through hotline.flow), the caller's
phone masked (decision 18)."""

from django.contrib import admin

from onewindow.accounts.masking import mask_phone
from onewindow.hotline.models import (
    Category,
    KnowledgeEntry,
    ReplyTemplate,
    TypeLimit,
    WorkOrder,
    WorkOrderEvent,
)
from onewindow.readonly_admin import ReadOnlyAdmin


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The tree: each category names its parent; the default department is the dispatch suggestion."""

    list_display = ["code", "name", "parent", "department", "order", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["code", "name"]
    list_select_related = ["parent", "department"]


@admin.register(TypeLimit)
class TypeLimitAdmin(admin.ModelAdmin):
    """Handling and callback limits by order type, in working days (no row: the defaults of RULES.md)."""

    list_display = ["type", "handle_days", "callback_days"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["title", "text"]


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(admin.ModelAdmin):
    list_display = ["question", "category", "department", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["question", "keywords"]


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "type", "category", "title", "lead_department", "status", "due_on"]
    list_filter = ["status", "type", "channel"]
    search_fields = ["number"]
    exclude = ["caller_phone"]
    readonly_fields = ["masked_phone"]

    @admin.display(description="来电号码")
    def masked_phone(self, obj):
        return mask_phone(obj.caller_phone)


@admin.register(WorkOrderEvent)
class WorkOrderEventAdmin(ReadOnlyAdmin):
    list_display = ["order", "seq", "at", "actor", "action", "to_status"]
