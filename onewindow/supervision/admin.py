from django.contrib import admin

from onewindow.cases import clock_rules
from onewindow.cases.models import SupervisionSettings
from onewindow.readonly_admin import ReadOnlyAdmin
from onewindow.supervision.models import CardClearance, ImportedRecord, Urge, Violation


@admin.register(SupervisionSettings)
class SupervisionSettingsAdmin(admin.ModelAdmin):
    """Per hall: the yellow light's share and minimum, urging and escalation on or off."""

    list_display = ["hall", "yellow_percent", "yellow_min_days", "urge", "escalate"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        clock_rules.forget_thresholds()  # this process at once; the others within THRESHOLDS_TTL_S

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        clock_rules.forget_thresholds()


@admin.register(Urge)
class UrgeAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "light", "at", "recipients"]
    list_filter = ["kind"]


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "project",
        "kind",
        "department",
        "window",
        "officer",
        "status",
        "found_on",
        "decided_by",
    ]
    list_filter = ["kind", "status", "department"]


@admin.register(CardClearance)
class CardClearanceAdmin(ReadOnlyAdmin):
    list_display = ["officer", "window", "at", "by", "reason"]


@admin.register(ImportedRecord)
class ImportedRecordAdmin(ReadOnlyAdmin):
    """外部系统办件记录: what a department's own system reported (supervision.imports)."""

    list_display = ["department", "record_id", "case", "action", "at", "in_hall_system", "imported_at"]
    list_filter = ["in_hall_system", "action", "department"]
