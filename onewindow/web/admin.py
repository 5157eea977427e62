"""Admin pages whose actions reach across modules: registered here, in the shell, so that they
may call every module below (ARCHITECTURE.md "Layers")."""

from django.contrib import admin

from onewindow.web import calendar_changes
from onewindow.workdays.admin import DayAdmin
from onewindow.workdays.models import Day


@admin.register(Day)
class CalendarAdmin(DayAdmin):
    """工作日历: a change recomputes every dated thing (issue 13 rule 7)."""

    change_calendar = calendar_changes
