"""Calendar upkeep for hall management: correct a day, or enter the year's official
schedule when the State Council publishes it (each November). The admin class is registered by
the shell (onewindow/web/admin.py) with `change_calendar` set to onewindow.web.calendar_changes:
a change of the calendar must recompute the deadlines of the modules above this one, which the
calendar cannot call (docs/decisions/0015-calendar-changes.md)."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path

from onewindow import clock
from onewindow.errors import DomainError
from onewindow.workdays.models import Day

WEEKDAYS = "一二三四五六日"
# The parameter of 「全部日期」: every year, not the current one the bare list opens at.
ALL_DATES = "all"


class DayForm(forms.ModelForm):
    class Meta:
        model = Day
        fields = ["is_workday", "kind", "holiday_name"]

    def clean(self):
        data = super().clean()
        kind, is_workday = data.get("kind"), data.get("is_workday")
        if kind == Day.Kind.HOLIDAY and is_workday or kind == Day.Kind.ADJUSTED_WORKDAY and not is_workday:
            raise forms.ValidationError("“法定节假日”应为休息日，“调休上班”应为工作日。")
        return data


class PublishYearForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2004, max_value=2100)
    holidays = forms.CharField(
        label="放假日期",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一段：2027-01-01 元旦，或 2027-02-05~2027-02-12 春节（含周末）",
    )
    adjusted_workdays = forms.CharField(
        label="调休上班日期",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="每行一个周末上班日：2027-02-14 春节",
    )


class DayAdmin(admin.ModelAdmin):
    # The module whose publish_official_year / set_day change the calendar *and* what is counted
    # on it, returning an object whose summary() tells what moved (set by the shell).
    change_calendar = None

    form = DayForm
    list_display = ["date", "weekday", "is_workday", "day_type", "holiday_name", "source"]
    list_filter = ["source", "kind", "is_workday"]
    date_hierarchy = "date"
    search_fields = ["holiday_name"]
    readonly_fields = ["date", "source", "seq"]
    change_list_template = "admin/workdays/day/change_list.html"

    @admin.display(description="星期")
    def weekday(self, obj):
        return "周" + WEEKDAYS[obj.date.weekday()]

    @admin.display(description="类型", ordering="kind")
    def day_type(self, obj):
        # Kind.NORMAL covers both a weekday at work and a weekend day off (models.Day.Kind);
        # shown bare it read 「正常」 on a Saturday, so the weekend is named as such.
        if obj.kind == Day.Kind.NORMAL:
            return "工作日" if obj.is_workday else "周末休息日"
        return obj.get_kind_display()

    def changelist_view(self, request, extra_context=None):
        # Opened bare, the list began at the first seeded year (2004); open at the hall's
        # current year instead (the clock is read only from onewindow.clock). 「全部日期」 asks
        # for every year explicitly (?all=1, admin/workdays/day/date_hierarchy.html): Django's
        # own link drops every parameter, which read as "opened bare" and came back to this year.
        if ALL_DATES in request.GET:
            request.GET = request.GET.copy()
            del request.GET[ALL_DATES]
        elif not request.GET:
            return redirect(f"{request.path}?date__year={clock.today().year}")
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False  # years are added whole: seed_calendar or the official schedule form

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            moved = self.change_calendar.set_day(
                obj.date,
                is_workday=obj.is_workday,
                kind=obj.kind,
                holiday_name=obj.holiday_name,
                by=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return
        if moved.dates:
            messages.warning(request, f"{obj.date} 的工作日状态已改变，相关期限已重新计算：{moved.summary()}")

    def get_urls(self):
        extra = [path("publish/", self.admin_site.admin_view(self.publish_view), name="workdays_day_publish")]
        return extra + super().get_urls()

    def publish_view(self, request):
        if not self.has_change_permission(request):
            messages.error(request, "您无权修改工作日历。")
            return redirect("admin:index")
        form = PublishYearForm(request.POST or None, initial={"year": clock.today().year + 1})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                moved = self.change_calendar.publish_official_year(
                    data["year"],
                    holidays=data["holidays"].splitlines(),
                    adjusted_workdays=data["adjusted_workdays"].splitlines(),
                    by=request.user,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    f"{data['year']} 年官方放假安排已录入：{moved.summary()}受影响的申请人已短信告知。",
                )
                return redirect("admin:workdays_day_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "录入官方年度放假安排",
            "opts": self.model._meta,
        }
        return render(request, "admin/workdays/day/publish.html", context)
