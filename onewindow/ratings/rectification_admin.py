"""Operator tools of the bad-rating loop: the rectifications and appeals read-only (state changes
only through ratings.rectification). The per-hall limits (RatingSettings: callback 1,
rectification and feedback 5 working days, *configurable*, RULES.md "Ratings") are registered
with the ratings' admin (rating_admin)."""

from django.contrib import admin

from onewindow.ratings.models import Appeal, Rectification
from onewindow.readonly_admin import ReadOnlyAdmin


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
