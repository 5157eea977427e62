from django.contrib import admin

from onewindow.cases import clock_rules
from onewindow.cases.models import SupervisionSettings
from onewindow.readonly_admin import ReadOnlyAdmin
from onewindow.supervision.models import CardClearance, Urge, Violation


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
    list_display = ["case", "kind", "department", "window", "officer", "status", "found_on", "decided_by"]
    list_filter = ["kind", "status", "department"]


@admin.register(CardClearance)
class CardClearanceAdmin(ReadOnlyAdmin):
    list_display = ["officer", "window", "at", "by", "reason"]
