from django.contrib import admin

from onewindow.bundles.models import BundleApplication, FormField
from onewindow.readonly_admin import ReadOnlyAdmin


@admin.register(FormField)
class FormFieldAdmin(admin.ModelAdmin):
    """申请表字段 of the items; a key shared by several items is asked once in a bundle."""

    list_display = ["item", "order", "key", "label", "kind", "required"]
    list_filter = ["kind", "required"]
    search_fields = ["key", "label", "item__code"]
    autocomplete_fields = ["item"]
    ordering = ["item__code", "order"]


@admin.register(BundleApplication)
class BundleApplicationAdmin(ReadOnlyAdmin):
    """Read only: an application changes through its services (the window, the API)."""

    list_display = [
        "number",
        "bundle",
        "applicant",
        "hall",
        "received_at",
        "accepted_on",
        "due_on",
        "closed_on",
    ]
    list_filter = ["bundle", "hall", "channel"]
    search_fields = ["number"]
