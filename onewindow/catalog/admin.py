"""Catalog upkeep for hall management. Drafts are edited here; a published version is read-only
and changes only through a new draft. Forms and inlines run the same rule checks as the
services, so the admin refuses what the API refuses."""

from django import forms
from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet

from onewindow.catalog import services, unmatched
from onewindow.catalog.models import (
    Bundle,
    BundleItem,
    ItemType,
    ItemVersion,
    LifeEvent,
    Material,
    ServiceItem,
    Step,
    UnmatchedQuestion,
)
from onewindow.errors import DomainError
from onewindow.readonly_admin import ReadOnlyAdmin


def _live_forms(formset):
    return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class MaterialFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [{f: form.cleaned_data.get(f) for f in services.MATERIAL_FIELDS} for form in _live_forms(self)]
        try:
            services.check_materials(rows)
        except DomainError as exc:
            raise forms.ValidationError(f"{exc.message}（{exc.code}）") from None


class StepFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [{f: form.cleaned_data.get(f) for f in services.STEP_FIELDS} for form in _live_forms(self)]
        try:
            # The parent form has already been applied to self.instance (the new promised limit).
            services.check_steps(rows, self.instance.promised_limit_days)
        except DomainError as exc:
            raise forms.ValidationError(f"{exc.message}（{exc.code}）") from None


class MaterialInline(admin.TabularInline):
    model = Material
    formset = MaterialFormSet
    extra = 0
    fields = ["order", "name", "form", "copies", "required", "condition", "key", "tolerable", "source", "shared_by",
              "blank_form", "sample"]  # fmt: skip


class StepInline(admin.TabularInline):
    model = Step
    formset = StepFormSet
    extra = 0
    max_num = services.MAX_STEPS
    fields = ["order", "name", "role", "days"]


class ItemVersionForm(forms.ModelForm):
    class Meta:
        model = ItemVersion
        fields = [*services.ELEMENT_FIELDS, "life_events"]

    def clean(self):
        data = super().clean()
        try:
            services.check_elements({f: data.get(f) for f in services.ELEMENT_FIELDS})
        except DomainError as exc:
            field = {"catalog.promised_exceeds_legal": "promised_limit_days", "catalog.fee_basis_required": "fee_basis",
                     "catalog.license_type_required": "license_type", "catalog.on_the_spot_limit": "on_the_spot",
                     }.get(exc.code)  # fmt: skip
            self.add_error(field, f"{exc.message}（{exc.code}）")
        return data


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin):
    form = ItemVersionForm
    inlines = [MaterialInline, StepInline]
    list_display = [
        "name",
        "item",
        "number",
        "state",
        "promised_limit_days",
        "legal_limit_days",
        "published_at",
    ]
    list_filter = ["state", "type", "item__department"]
    search_fields = ["name", "item__code", "keywords", "common_names"]
    filter_horizontal = ["life_events"]
    readonly_fields = ["change_note"]
    actions = ["propose", "publish"]

    def has_add_permission(self, request):
        return False  # a version is created with its item, or as a new draft of one

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.state == ItemVersion.State.DRAFT)

    def has_delete_permission(self, request, obj=None):
        return False

    def _run(self, request, queryset, action, done):
        for version in queryset:
            try:
                action(version, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{version}：{exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{version}：{done}", messages.SUCCESS)

    @admin.action(description="提交发布")
    def propose(self, request, queryset):
        self._run(request, queryset, services.propose, "已提交，等待另一位管理员发布")

    @admin.action(description="发布（须与提交人不同）")
    def publish(self, request, queryset):
        self._run(request, queryset, services.publish, "已发布")


class NewItemForm(forms.ModelForm):
    """Adding an item asks for the elements its first draft needs."""

    name = forms.CharField(label="事项名称", max_length=100)
    type = forms.ChoiceField(label="事项类型", choices=ItemType.choices)
    legal_limit_days = forms.IntegerField(label="法定办结时限（工作日）", min_value=0)
    promised_limit_days = forms.IntegerField(label="承诺办结时限（工作日）", min_value=0)
    on_the_spot = forms.BooleanField(label="即办件", required=False)

    class Meta:
        model = ServiceItem
        fields = ["code", "department"]

    def clean(self):
        data = super().clean()
        elements = {
            f: data.get(f) for f in ("name", "type", "legal_limit_days", "promised_limit_days", "on_the_spot")
        }
        try:
            services.check_elements(elements | {"result_type": "none"})
        except DomainError as exc:
            self.add_error(None, f"{exc.message}（{exc.code}）")
        return data


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "current", "department", "withdrawn_at"]
    list_filter = ["department", "withdrawn_at"]
    search_fields = ["code", "current__name"]
    readonly_fields = ["current", "withdrawn_at"]
    actions = ["start_draft", "withdraw"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = NewItemForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["code", "department", "name", "type", "legal_limit_days", "promised_limit_days", "on_the_spot"] \
            if obj is None else ["code", "department", "current", "withdrawn_at"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return ["code", "department", "current", "withdrawn_at"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        version = services.create_item(
            code=data["code"], department=data["department"], by=request.user, elements={
                "name": data["name"], "type": data["type"], "legal_limit_days": data["legal_limit_days"],
                "promised_limit_days": data["promised_limit_days"], "on_the_spot": data["on_the_spot"],
            },
        )  # fmt: skip
        obj.pk = version.item.pk
        messages.info(request, "已创建第1版草稿，请在“事项版本”中补全要素、材料和环节后提交发布。")

    @admin.action(description="新建草稿（复制现行版本）")
    def start_draft(self, request, queryset):
        for item in queryset:
            try:
                services.start_draft(item, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{item.code}：{exc.message}", messages.ERROR)

    @admin.action(description="停用事项")
    def withdraw(self, request, queryset):
        for item in queryset:
            try:
                services.withdraw(item, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{item.code}：{exc.message}", messages.ERROR)


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]


class BundleItemFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        items = [form.cleaned_data["item"] for form in _live_forms(self) if form.cleaned_data.get("item")]
        try:
            services.check_bundle(items, self.instance.promised_limit_days or 0)
        except DomainError as exc:
            raise forms.ValidationError(f"{exc.message}（{exc.code}）") from None


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    formset = BundleItemFormSet
    extra = 0
    autocomplete_fields = ["item"]


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    inlines = [BundleItemInline]
    list_display = ["code", "name", "lead_department", "promised_limit_days", "is_active"]
    search_fields = ["code", "name"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.catalog_changed()


@admin.register(UnmatchedQuestion)
class UnmatchedQuestionAdmin(ReadOnlyAdmin):
    """未找到事项的提问: listed by frequency; the only change is marking them handled (the same
    service as the staff page, which checks the hall)."""

    list_display = ["text", "count", "hall", "channel", "last_asked_at", "handled_at"]
    list_filter = ["hall", "channel", ("handled_at", admin.EmptyFieldListFilter)]
    search_fields = ["text"]
    ordering = ["-count", "-last_asked_at"]
    actions = ["mark_handled"]

    @admin.action(description="标记为已处理")
    def mark_handled(self, request, queryset):
        done = 0
        for question in queryset.filter(handled_at__isnull=True):
            try:
                unmatched.mark_handled(question.pk, by=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"“{question.text}”：{exc.message}", messages.WARNING)
        self.message_user(request, f"已标记 {done} 条提问为已处理。")
