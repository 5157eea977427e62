"""Operator tools of the bad-rating loop: the per-hall limits (*configurable*, RULES.md "Ratings":
callback 1, rectification and feedback 5 working days), and the rectifications and appeals
read-only (state changes only through ratings.rectification)."""

from django.contrib import admin

from onewindow.ratings.models import Appeal, RatingSettings, Rectification
from onewindow.readonly_admin import ReadOnlyAdmin


class RatingSettingsAdmin(admin.ModelAdmin):
    """Per hall: the callback and rectification limits of a bad rating, the SMS invitations."""

    list_display = ["hall", "callback_days", "rectify_days", "sms_invites"]


# The rating channels' admin may register the settings too (they hold the SMS switch): once.
if not admin.site.is_registered(RatingSettings):
    admin.site.register(RatingSettings, RatingSettingsAdmin)


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = [
        "rating",
        "hall",
        "department",
        "status",
        "callback_due_on",
        "rectify_due_on",
        "closed_at",
    ]
    list_filter = ["status", "finding"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["rating", "ground", "status", "filed_by", "filed_at", "decided_by", "decided_at"]
    list_filter = ["status", "ground"]
