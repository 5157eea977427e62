"""Operator screens of cases: the 查阅记录 of uploaded materials, read-only (issue 15)."""

from django.contrib import admin

from onewindow.cases.models import MaterialRead
from onewindow.readonly_admin import ReadOnlyAdmin


@admin.register(MaterialRead)
class MaterialReadAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "case", "material", "kind", "page", "result"]
    list_filter = ["result", "kind"]
    search_fields = ["case__number", "user__username"]
    list_select_related = ["user", "case", "material"]
    date_hierarchy = "at"
