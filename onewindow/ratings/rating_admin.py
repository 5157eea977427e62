"""Operator tools of 好差评 (issue 17 item 1): the tags and each hall's settings (editable), the
window devices (the key shown once, with the pairing link, when a device is added), and the
ratings, their events and the SMS invitations read-only — a rating is never deleted (RULES.md
"Ratings": a mistaken one goes through appeal review, not deletion)."""

from django.contrib import admin, messages
from django.urls import reverse

from onewindow.links import public_url
from onewindow.ratings import devices
from onewindow.ratings.models import (
    Rating,
    RatingDevice,
    RatingEvent,
    RatingInvite,
    RatingSettings,
    RatingTag,
)
from onewindow.readonly_admin import ReadOnlyAdmin


@admin.register(RatingTag)
class RatingTagAdmin(admin.ModelAdmin):
    list_display = ["text", "for_bad", "mode", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["for_bad", "mode", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False  # ratings keep the tag's text; deactivate instead


@admin.register(RatingSettings)
class RatingSettingsAdmin(admin.ModelAdmin):
    """Per hall: the callback and rectification limits of a bad rating, and the SMS invitation."""

    list_display = ["hall", "callback_days", "rectify_days", "sms_invites"]


@admin.register(RatingDevice)
class RatingDeviceAdmin(admin.ModelAdmin):
    """The key is made when the device is added and shown once, with the pairing link."""

    list_display = ["name", "window", "key_prefix", "created_at", "last_seen_at", "is_active"]
    list_filter = ["is_active", "window__hall"]
    fields = ["window", "name", "is_active", "key_prefix", "created_at", "last_seen_at"]
    readonly_fields = ["key_prefix", "created_at", "last_seen_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "window"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        device, key = devices.add_device(obj.window, obj.name)
        obj.pk, obj.key_prefix, obj.key_hash, obj.created_at = (
            device.pk,
            device.key_prefix,
            device.key_hash,
            device.created_at,
        )
        if not obj.is_active:
            RatingDevice.objects.filter(pk=device.pk).update(is_active=False)
        link = public_url(reverse("ratings:pair", args=[key]))
        messages.warning(request, f"评价器配对链接（只显示这一次，请在该窗口的平板上打开一次）：{link} ；"
                                  f"接口密钥（X-Device-Key）：{key}")  # fmt: skip

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the tablet is unpaired at once


class RatingEventInline(admin.TabularInline):
    model = RatingEvent
    fields = ["seq", "at", "actor", "action", "reason", "payload"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["rated_at", "hall", "channel", "level", "case", "ticket", "window", "department", "officer",
                    "excluded"]  # fmt: skip
    list_filter = ["channel", "mode", "level", "kind", "excluded", "hall"]
    search_fields = ["case__number", "hotline_ref"]
    date_hierarchy = "rated_on"
    inlines = [RatingEventInline]
    exclude = ["rater_phone"]  # personal data: the callback desk reads it through its own page


@admin.register(RatingEvent)
class RatingEventAdmin(ReadOnlyAdmin):
    list_display = ["rating", "seq", "at", "actor", "action"]
    list_filter = ["action"]


@admin.register(RatingInvite)
class RatingInviteAdmin(ReadOnlyAdmin):
    list_display = ["case", "sent_at", "expires_at", "used_at", "rating"]
    search_fields = ["case__number"]
    exclude = ["token_hash"]
