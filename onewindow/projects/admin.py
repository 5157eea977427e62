"""Hall management configures the stages of its hall here (RULES.md: *stage limits
configurable*); projects are read here, and change only through the services (pages, API)."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from onewindow.projects.models import Project, SilentConsent, StageTemplate, StageTemplateReviewer
from onewindow.readonly_admin import ReadOnlyAdmin


class ReviewerFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        limit = self.instance.limit_days or 0
        lead = self.instance.lead_department_id
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            if data.get("limit_days") and data["limit_days"] > limit:
                raise forms.ValidationError(f"并联审查部门的意见时限不能超过阶段时限（{limit}个工作日）。")
            if data.get("department") and data["department"].pk == lead:
                raise forms.ValidationError("牵头部门不必再列为并联审查部门。")


class ReviewerInline(admin.TabularInline):
    model = StageTemplateReviewer
    formset = ReviewerFormSet
    extra = 0


@admin.register(StageTemplate)
class StageTemplateAdmin(admin.ModelAdmin):
    inlines = [ReviewerInline]
    list_display = ["hall", "path", "order", "name", "lead_department", "limit_days"]
    list_filter = ["hall", "path"]
    filter_horizontal = ["items"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "owner", "hall", "key_project", "status", "registered_at"]
    list_filter = ["status", "key_project", "approval_type", "hall"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request):
        return False  # a project gets its code only through registration (services.register_project)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SilentConsent)
class SilentConsentAdmin(ReadOnlyAdmin):
    list_display = ["department", "project", "stage", "due_on", "recorded_on"]
    list_filter = ["department", "recorded_on"]
