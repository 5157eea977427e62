"""Admin pages of records nobody edits by hand (audit-like rows: reads of personal data, licenses,
callbacks, silent consents …): listed and searchable, never added, changed or deleted."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
