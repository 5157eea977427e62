"""The weekly / monthly category report (分类周报 / 月报; issue 18 item 5): how many orders each
category received in the period against its average over the periods before, per category and
per lead department, with the rising categories flagged — what the Jinan centre reads each week
to find the typical and the emerging problems. Set-based: one grouped query over the period and
its baseline (the index order_day_category), tables derived from its few rows.

The rising rule (docs/decisions/0042-hotline-figures.md): a category (or a department's
category) is rising when this period's count is at least RISING_FACTOR × the baseline average
and at least RISING_MIN — the floor keeps a quiet category that went from 1 to 2 off the list;
a category new this period (average 0) is rising once it reaches the floor. Merged duplicates
are not counted (the order kept counts once)."""

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from openpyxl import Workbook
from openpyxl.styles import Font

from onewindow import inputs
from onewindow.accounts.models import Department
from onewindow.errors import DomainError
from onewindow.hotline.figures import NO_DEPARTMENT
from onewindow.hotline.models import Category, OrderStatus, WorkOrder

BASELINE_WEEKS = 8  # this week vs the average of the 8 weeks before it (issue 18)
BASELINE_MONTHS = 6  # this month vs the average of the 6 months before it
RISING_FACTOR = 2
RISING_MIN = 5


@dataclass(frozen=True)
class Period:
    kind: str  # "week" or "month"
    start: dt.date  # first day
    end: dt.date  # last day (inclusive)
    baseline_start: dt.date  # first day of the baseline (it ends the day before `start`)
    baseline_n: int  # how many periods the baseline spans

    @property
    def label(self) -> str:
        if self.kind == "week":
            return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"
        return f"{self.start:%Y年%m月}"


def week(day: dt.date) -> Period:
    """The week (Monday to Sunday) holding `day`."""
    start = day - dt.timedelta(days=day.weekday())
    return Period("week", start, start + dt.timedelta(days=6), start - dt.timedelta(weeks=BASELINE_WEEKS),
                  BASELINE_WEEKS)  # fmt: skip


def _add_months(first: dt.date, n: int) -> dt.date:
    months = first.year * 12 + first.month - 1 + n
    return dt.date(months // 12, months % 12 + 1, 1)


def month(day: dt.date) -> Period:
    start = day.replace(day=1)
    return Period("month", start, _add_months(start, 1) - dt.timedelta(days=1),
                  _add_months(start, -BASELINE_MONTHS), BASELINE_MONTHS)  # fmt: skip


def period_of(week_text: str | None, month_text: str | None, today: dt.date) -> Period:
    """The page's ?week=YYYY-MM-DD (any day of the week) or ?month=YYYY-MM; default: this week."""
    try:
        if month_text:
            return month(dt.datetime.strptime(month_text, "%Y-%m").date())
        if week_text:
            day = dt.date.fromisoformat(week_text)
            if not inputs.YEARS[0] <= day.year <= inputs.YEARS[1]:
                raise ValueError(week_text)
            return week(day)
    except ValueError:
        raise DomainError(
            "hotline.invalid_period", "日期格式不正确，周报请用YYYY-MM-DD，月报请用YYYY-MM。"
        ) from None
    return week(today)


def is_rising(count: int, before: int, periods: int) -> bool:
    """count ≥ RISING_MIN and count ≥ RISING_FACTOR × (before / periods), in integers (a
    rounded average must not decide a borderline week)."""
    return count >= RISING_MIN and count * periods >= RISING_FACTOR * before


@dataclass
class Line:
    category_id: int
    code: str
    name: str  # "城乡建设 › 供暖"
    count: int
    before: int  # the baseline's orders (all its periods)
    periods: int  # how many periods the baseline spans
    department: str = ""

    @property
    def average(self) -> Decimal:
        """The baseline's average per period (shown rounded; the rule uses the exact counts)."""
        return (Decimal(self.before) / self.periods).quantize(Decimal("0.01"))

    @property
    def rising(self) -> bool:
        return is_rising(self.count, self.before, self.periods)

    @property
    def change(self) -> Decimal | None:
        """This period against the average, as a share (+1.5 = 150 % more); None when new."""
        if not self.before:
            return None
        return ((Decimal(self.count * self.periods) - self.before) / self.before).quantize(Decimal("0.01"))


@dataclass
class Report:
    period: Period
    categories: list[Line] = field(default_factory=list)  # per category, most orders first
    departments: list[Line] = field(default_factory=list)  # per lead department and category

    @property
    def rising(self) -> list[Line]:
        return [line for line in self.categories if line.rising]

    @property
    def total(self) -> int:
        return sum(line.count for line in self.categories)


def category_report(period: Period, department_id: int | None = None) -> Report:
    """The report of `period`; `department_id`: that lead department's orders only."""
    orders = WorkOrder.objects.filter(
        received_on__gte=period.baseline_start, received_on__lte=period.end
    ).exclude(status=OrderStatus.MERGED)
    if department_id is not None:
        orders = orders.filter(lead_department_id=department_id)
    now = Q(received_on__gte=period.start)
    rows = list(
        orders.values("category_id", "lead_department_id")
        .annotate(count=Count("pk", filter=now), before=Count("pk", filter=~now))
        .order_by()
    )
    categories = {
        c.pk: c
        for c in Category.objects.select_related("parent").filter(pk__in={r["category_id"] for r in rows})
    }
    departments = dict(
        Department.objects.filter(pk__in={r["lead_department_id"] for r in rows} - {None}).values_list(
            "pk", "name"
        )
    )

    def line(category_id, count, before, department=""):
        c = categories[category_id]
        name = f"{c.parent.name} › {c.name}" if c.parent_id else c.name
        return Line(category_id, c.code, name, count, before, period.baseline_n, department)

    per_category: dict[int, list[int]] = {}
    for r in rows:  # a row per (category, department): a few hundred at most
        sums = per_category.setdefault(r["category_id"], [0, 0])
        sums[0] += r["count"]
        sums[1] += r["before"]

    def order(x: Line) -> tuple:  # rising first, then the largest
        return (not x.rising, -x.count, x.code, x.department)

    report = Report(period)
    report.categories = sorted((line(k, c, b) for k, (c, b) in per_category.items() if c or b), key=order)
    report.departments = sorted(
        (line(r["category_id"], r["count"], r["before"], departments.get(r["lead_department_id"], NO_DEPARTMENT))
         for r in rows if r["count"]),
        key=lambda x: (x.department, *order(x)),
    )  # fmt: skip
    return report


def _percent(value: Decimal | None):
    return float(value) if value is not None else None


def workbook(report: Report, figures: tuple | None = None) -> bytes:
    """The report as an Excel workbook (as stats.excel: bold Chinese headers, one sheet per
    table): categories, departments × categories, and the period's figures when given."""
    book = Workbook()
    sheets = [
        ("分类统计", ["分类编码", "分类", "本期件数", "前期平均", "变化", "上升"],
         [[x.code, x.name, x.count, float(x.average), _percent(x.change), "是" if x.rising else ""]
          for x in report.categories]),
        ("部门分类统计", ["承办部门", "分类编码", "分类", "本期件数", "前期平均", "上升"],
         [[x.department, x.code, x.name, x.count, float(x.average), "是" if x.rising else ""]
          for x in report.departments]),
    ]  # fmt: skip
    if figures is not None:
        rows, total = figures
        sheets.append(
            ("办理指标", ["承办部门", "工单数", "按期答复率", "直接答复率", "办结率", "过程满意率", "结果满意率"],
             [[r.department, r.orders, _percent(r.on_time_rate), _percent(r.direct_answer_rate),
               _percent(r.close_rate), _percent(r.process_satisfaction_rate), _percent(r.result_satisfaction_rate)]
              for r in [*rows, total]])
        )  # fmt: skip
    for n, (title, headers, data) in enumerate(sheets):
        sheet = book.active if n == 0 else book.create_sheet()
        sheet.title = title
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in data:
            sheet.append(row)
        for column, header in zip(sheet.columns, headers, strict=True):
            sheet.column_dimensions[column[0].column_letter].width = max(10, len(header) * 2 + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
