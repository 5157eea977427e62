"""Operator tools of the market (中介超市): the service types with their caps (收费上限、服务时限),
fee relief by owner type, the market's settings (one row: selection list sizes, grade weights and
thresholds). Agencies are read here: their status moves only through market.agencies (the
admission page), so every change is an event of the agency's chain; grades and misconduct are
read-only lists here (their steps live in their own pages)."""

from django.contrib import admin

from onewindow.accounts.masking import mask_phone
from onewindow.market.models import (
    Agency,
    AgencyEvent,
    AgencyStaff,
    FeeRelief,
    MarketSettings,
    Misconduct,
    Qualification,
    ServiceType,
    YearGrade,
)
from onewindow.readonly_admin import ReadOnlyAdmin


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    """收费上限 in fen (分) and 服务时限 in working days; an offer stays inside both."""

    list_display = ["code", "name", "fee_cap_yuan", "time_cap_days", "fee_basis", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]

    @admin.display(description="收费上限（元）", ordering="fee_cap_fen")
    def fee_cap_yuan(self, obj):
        return f"{obj.fee_cap_fen / 100:,.2f}"

    def has_delete_permission(self, request, obj=None):
        return False  # purchases and qualifications refer to it: switch it off (启用) instead


@admin.register(FeeRelief)
class FeeReliefAdmin(admin.ModelAdmin):
    """A row without a service type is the owner type's default; a row with one overrides it."""

    list_display = ["owner_type", "service_type", "max_percent", "note"]
    list_filter = ["owner_type"]
    list_select_related = ["service_type"]


@admin.register(MarketSettings)
class MarketSettingsAdmin(admin.ModelAdmin):
    """One row (the defaults apply while there is none)."""

    list_display = [
        "__str__",
        "long_list_size",
        "short_list_size",
        "grade_a_min",
        "grade_b_min",
        "grade_c_min",
    ]

    def has_add_permission(self, request):
        return not MarketSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0
    can_delete = False
    fields = ["service_type", "certificate_no", "level", "valid_from", "valid_until"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class StaffInline(admin.TabularInline):
    model = AgencyStaff
    extra = 0
    can_delete = False
    fields = ["name", "title", "certificate_no"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    """Read here; admitted, refused and expelled on 中介机构入驻审核 (/staff/market/agencies/)."""

    list_display = ["ref", "name", "credit_code", "status", "grade", "grade_year", "applied_at"]
    list_filter = ["status", "grade"]
    search_fields = ["ref", "name", "credit_code"]
    exclude = ["phone", "last_hash"]
    readonly_fields = ["masked_phone"]
    inlines = [QualificationInline, StaffInline]

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AgencyEvent)
class AgencyEventAdmin(ReadOnlyAdmin):
    list_display = ["agency", "seq", "at", "action", "from_status", "to_status", "actor"]
    list_filter = ["action"]
    search_fields = ["agency__ref", "agency__name"]
    list_select_related = ["agency", "actor"]


@admin.register(YearGrade)
class YearGradeAdmin(ReadOnlyAdmin):
    list_display = ["agency", "year", "grade", "points", "status", "adjusted"]
    list_filter = ["year", "grade", "status"]
    search_fields = ["agency__name", "agency__credit_code"]
    list_select_related = ["agency"]


@admin.register(Misconduct)
class MisconductAdmin(ReadOnlyAdmin):
    list_display = ["agency", "kind", "occurred_on", "purchase", "recorded_by"]
    list_filter = ["kind"]
    search_fields = ["agency__name", "detail"]
    list_select_related = ["agency", "purchase", "recorded_by"]
