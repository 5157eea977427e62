"""Operator views of licenses and deliveries: read-only — licenses change only through the
services (issue, revoke), so the audit trail and the case stay in step."""

from django.contrib import admin

from onewindow.licenses.models import Delivery, LateDelivery, License
from onewindow.readonly_admin import ReadOnlyAdmin


@admin.register(License)
class LicenseAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "holder_name", "department", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["department"]
    search_fields = ["number", "case__number"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["case", "method", "delivered_at", "due_on", "on_time"]
    list_filter = ["method", "on_time"]


@admin.register(LateDelivery)
class LateDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["case", "department", "due_on", "found_at", "delivered_at"]
    list_filter = ["department"]
