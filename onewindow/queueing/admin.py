"""Hall management configures the queue: categories, which windows call them, appointment slots."""

from django.contrib import admin

from onewindow.queueing.models import Appointment, Category, SlotRule, Ticket, WindowCategory


class WindowCategoryInline(admin.TabularInline):
    model = WindowCategory
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["letter", "name", "hall", "order", "is_active"]
    list_filter = ["hall", "is_active"]
    inlines = [WindowCategoryInline]


@admin.register(SlotRule)
class SlotRuleAdmin(admin.ModelAdmin):
    list_display = ["hall", "category", "weekday", "start", "end", "capacity", "on_non_working_days"]
    list_filter = ["hall", "category", "weekday"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["number", "day", "category", "priority", "status", "window", "issued_at", "called_at"]
    list_filter = ["hall", "day", "status", "category"]
    search_fields = ["number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["code", "day", "start", "category", "user", "status"]
    list_filter = ["hall", "day", "status"]
    search_fields = ["code"]

    def has_change_permission(self, request, obj=None):
        return False
