"""Operator screens for the organisation: regions, halls, departments, windows, staff,
applicants and API tokens. Forms run the same rule checks as the services."""

from django import forms
from django.contrib import admin, messages

from onewindow.accounts import masking, services
from onewindow.accounts.models import (
    ApiToken,
    Applicant,
    Department,
    Hall,
    HallOpeningHours,
    PersonalDataRead,
    Region,
    SignupCode,
    Staff,
    User,
    Window,
)
from onewindow.errors import DomainError
from onewindow.readonly_admin import ReadOnlyAdmin


def _as_form_error(form: forms.ModelForm, exc: DomainError, field: str | None = None) -> None:
    form.add_error(field, f"{exc.message}（{exc.code}）")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["username", "display_name", "is_staff", "is_superuser", "is_active", "last_login"]
    search_fields = ["username", "display_name"]
    fields = ["username", "display_name", "is_active", "is_staff", "is_superuser", "groups", "last_login"]
    readonly_fields = ["last_login"]
    filter_horizontal = ["groups"]


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "parent"]

    def clean(self):
        data = super().clean()
        code = data.get("code") or (self.instance.code if self.instance.pk else "")
        try:
            self.instance.level = services.check_region(code, data.get("parent"))
        except DomainError as exc:
            _as_form_error(self, exc, "code" if "code" in exc.code else "parent")
        return data


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    readonly_fields = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "phone"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["region"]


class HallOpeningHoursInline(admin.TabularInline):
    """The kiosk issues tickets only inside these periods (statutory holidays closed, a 调休
    Saturday opens like a weekday: the queue applies the working-day calendar)."""

    model = HallOpeningHours
    extra = 0


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["departments"]
    inlines = [HallOpeningHoursInline]


class WindowForm(forms.ModelForm):
    class Meta:
        model = Window
        fields = ["hall", "number", "name", "kind", "departments", "is_active"]

    def clean(self):
        data = super().clean()
        if data.get("hall") and data.get("kind"):
            try:
                services.check_window(data["hall"], data["kind"], list(data.get("departments") or []))
            except DomainError as exc:
                _as_form_error(self, exc, "departments")
        return data


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    form = WindowForm
    list_display = ["hall", "number", "name", "kind", "is_active"]
    list_filter = ["hall", "kind", "is_active"]
    search_fields = ["number", "name"]
    filter_horizontal = ["departments"]


class StaffForm(forms.ModelForm):
    class Meta:
        model = Staff
        fields = ["user", "name", "role", "hall", "department", "windows", "phone", "photo", "is_active"]

    def clean(self):
        data = super().clean()
        if data.get("hall") and data.get("role"):
            try:
                services.check_staff(
                    data["role"], data["hall"], data.get("department"), list(data.get("windows") or [])
                )
            except DomainError as exc:
                field = {"accounts.window_not_in_hall": "windows", "accounts.role": "role"}.get(
                    exc.code, "department"
                )
                _as_form_error(self, exc, field)
        return data


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    form = StaffForm
    list_display = ["name", "role", "hall", "department", "window_numbers", "is_active"]
    list_filter = ["role", "hall", "department", "is_active"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["windows"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("windows")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The current window follows the assignment (services.assign_windows: kept if still
        # assigned; the only window of a person with one).
        services.assign_windows(form.instance, form.instance.windows.all())

    @admin.display(description="所在窗口")
    def window_numbers(self, obj):
        # A clerk calls tickets only at these windows (queueing: 叫号 at one's own window).
        return "、".join(w.number for w in obj.windows.all()) or "—"


class ApplicantForm(forms.ModelForm):
    class Meta:
        model = Applicant
        fields = [
            "kind",
            "name",
            "id_number",
            "credit_code",
            "legal_representative",
            "phone",
            "address",
            "region",
            "user",
        ]

    def clean(self):
        data = super().clean()
        try:
            data["id_number"], data["credit_code"] = services.validated_identifier(
                data.get("kind"), data.get("id_number", ""), data.get("credit_code", "")
            )
        except DomainError as exc:
            _as_form_error(self, exc, "credit_code" if "credit_code" in exc.code else "id_number")
        return data


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    form = ApplicantForm
    list_display = ["ref", "name", "kind", "masked_id", "masked_phone", "region"]
    list_filter = ["kind"]
    search_fields = ["ref", "name", "credit_code"]
    autocomplete_fields = ["region", "user"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The form shows the full ID number and phone: opening it is a read of personal data,
        recorded like any other (ARCHITECTURE.md "Personal data"; decision 18)."""
        obj = self.get_object(request, object_id) if request.method == "GET" else None
        if obj is not None and self.has_view_or_change_permission(request, obj):
            services.read_unmasked(obj, by=request.user, purpose="后台维护申请人资料")
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="证件号码")
    def masked_id(self, obj):
        return masking.identifier(obj)

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return masking.mask_phone(obj.phone)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["user", "name"] if obj else [])

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, secret = services.issue_token(obj.user, obj.name)
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = (
            token.pk,
            token.prefix,
            token.key_hash,
            token.created_at,
        )
        messages.warning(request, f"新令牌（只显示这一次，请妥善保存）：{secret}")

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        for token in queryset:
            services.revoke_token(token)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke, never delete: every use stays attributable


@admin.register(PersonalDataRead)
class PersonalDataReadAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "applicant", "fields", "purpose"]
    list_filter = ["purpose"]
    date_hierarchy = "at"


@admin.register(SignupCode)
class SignupCodeAdmin(ReadOnlyAdmin):
    """注册验证码 (decision 24): every code sent (or not sent) at sign-up, numbers masked; the
    count behind the daily limits. Never the code or the password (only their hashes exist)."""

    list_display = [
        "created_at",
        "route",
        "masked_id",
        "name",
        "masked_sent_to",
        "attempts",
        "used_at",
        "user",
        "ip",
    ]
    list_filter = ["route"]
    date_hierarchy = "created_at"
    fields = ["created_at", "route", "kind", "masked_id", "name", "masked_phone", "masked_sent_to", "region",
              "username", "applicant", "attempts", "expires_at", "used_at", "user", "ip"]  # fmt: skip
    readonly_fields = fields

    @admin.display(description="证件号码")
    def masked_id(self, obj):
        return masking.identifier(obj)

    @admin.display(description="填写的手机号码")
    def masked_phone(self, obj):
        return masking.mask_phone(obj.phone)

    @admin.display(description="验证码发往")
    def masked_sent_to(self, obj):
        return masking.mask_phone(obj.sent_to) if obj.sent_to else "—"
