"""Operator tools of complaints: the per-hall answer limit (*configurable*), and the complaints
and their events read-only (state changes only through the services)."""

from django.contrib import admin

from onewindow.ratings.models import Complaint, ComplaintEvent, ComplaintLimit
from onewindow.readonly_admin import ReadOnlyAdmin


@admin.register(ComplaintLimit)
class ComplaintLimitAdmin(admin.ModelAdmin):
    """Per hall: the working days a department has to answer a complaint (default 5)."""

    list_display = ["hall", "answer_days"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["number", "hall", "source", "subject", "department", "status", "due_on", "finding"]
    list_filter = ["status", "source", "finding"]
    search_fields = ["number", "source_ref"]


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "seq", "at", "actor", "action", "to_status"]
