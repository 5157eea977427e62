from django import forms
from django.contrib import admin, messages

from onewindow.assessment import attendance, criteria
from onewindow.assessment.models import (
    AttendanceDevice,
    Award,
    CheckIn,
    Criterion,
    HallSettings,
    MonthlyScore,
    Run,
    ScoreLine,
    StaffNumber,
)
from onewindow.readonly_admin import ReadOnlyAdmin


@admin.register(HallSettings)
class HallSettingsAdmin(admin.ModelAdmin):
    list_display = ["hall", "morning_in", "morning_out", "afternoon_in", "afternoon_out", "grace_minutes",
                    "red_flag_windows", "service_stars"]  # fmt: skip


@admin.register(StaffNumber)
class StaffNumberAdmin(admin.ModelAdmin):
    list_display = ["number", "staff"]
    search_fields = ["number", "staff__name", "staff__user__username"]
    autocomplete_fields = ["staff"]


@admin.register(AttendanceDevice)
class AttendanceDeviceAdmin(admin.ModelAdmin):
    """The key is made when the device is added and shown once, in the message after saving."""

    list_display = ["name", "hall", "prefix", "created_at", "last_seen_at", "is_active"]
    list_filter = ["hall", "is_active"]
    fields = ["hall", "name", "is_active", "prefix", "created_at", "last_seen_at"]
    readonly_fields = ["prefix", "created_at", "last_seen_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        device, key = attendance.add_device(obj.hall, obj.name)
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = (
            device.pk,
            device.prefix,
            device.key_hash,
            device.created_at,
        )
        if not obj.is_active:
            AttendanceDevice.objects.filter(pk=device.pk).update(is_active=False)
        messages.warning(request, f"设备密钥（只显示这一次，请配置到考勤机的 X-Device-Key）：{key}")

    def has_delete_permission(self, request, obj=None):
        return False  # its check-ins refer to it: deactivate instead


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    list_display = ["staff", "at", "day", "slot", "device", "event_id"]
    list_filter = ["slot", "device"]
    search_fields = ["staff__name", "staff__user__username", "event_id"]
    date_hierarchy = "day"


class CriterionForm(forms.ModelForm):
    code = forms.ChoiceField(
        label="指标代码", choices=[(code, f"{code}（{d.name}）") for code, d in criteria.REGISTRY.items()]
    )

    class Meta:
        model = Criterion
        fields = [
            "code",
            "name",
            "for_windows",
            "for_officers",
            "points",
            "cap",
            "threshold",
            "is_bonus",
            "enabled",
            "order",
            "reason",
        ]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    """The weights of the 1000-point score; a change applies at the next compute of a month."""

    form = CriterionForm
    list_display = ["name", "code", "points", "cap", "threshold", "is_bonus", "for_windows", "for_officers",
                    "enabled", "order"]  # fmt: skip
    list_editable = ["points", "cap", "threshold", "enabled"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def changelist_view(self, request, extra_context=None):
        criteria.ensure_defaults()
        return super().changelist_view(request, extra_context)


class ScoreLineInline(admin.TabularInline):
    model = ScoreLine
    fields = ["name", "measured", "units", "points"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MonthlyScore)
class MonthlyScoreAdmin(ReadOnlyAdmin):
    list_display = ["month", "hall", "subject", "name", "score", "rank"]
    list_filter = ["hall", "subject", "month"]
    inlines = [ScoreLineInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["month", "hall", "kind", "name", "score", "rank", "confirmed_by", "confirmed_at"]
    list_filter = ["hall", "kind", "month"]


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ["month", "hall", "computed_at", "by"]
