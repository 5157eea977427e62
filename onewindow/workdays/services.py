"""Keeping the working-day calendar (RULES.md "Working days and deadlines").

- `seed_official()` loads the State Council's schedules shipped in `chinese-calendar`.
- `generate_provisional(year)` fills a year the package does not know from the statutory
  holiday rules in force since 2025, marked provisional, with no guessed 调休 days.
- `publish_official_year(year, …)` is hall management entering the schedule the State
  Council publishes each November; `set_day` is a manual correction of one date.
Every change recomputes the ordinals set-based and bumps the version row. The calendar knows
nothing of what is counted on it: the dated things of the modules above (cases, projects, bundles,
licenses) are recomputed by onewindow.web.calendar_changes, which calls publish_official_year or
set_day and then each module's recompute in the same transaction (docs/decisions/0015).
"""

import datetime as dt
from collections.abc import Iterable

import chinese_calendar
from django.db import connection, transaction
from django.db.models import F, Max
from lunar_python import Lunar

from onewindow import clock
from onewindow.errors import DomainError
from onewindow.workdays import calendar
from onewindow.workdays.models import CalendarState, Day

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def official_years() -> range:
    years = sorted({d.year for d in chinese_calendar.holidays})
    return range(years[0], years[-1] + 1)


def _year_dates(year: int) -> Iterable[dt.date]:
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


def _official_rows(year: int) -> list[Day]:
    rows = []
    for day in _year_dates(year):
        if day in chinese_calendar.workdays:  # a weekend day declared a working day (调休)
            rows.append(
                Day(
                    date=day,
                    is_workday=True,
                    kind=Day.Kind.ADJUSTED_WORKDAY,
                    holiday_name=HOLIDAY_NAMES.get(chinese_calendar.workdays[day], ""),
                    source=Day.Source.OFFICIAL,
                )
            )
        elif day in chinese_calendar.holidays:
            rows.append(
                Day(
                    date=day,
                    is_workday=False,
                    kind=Day.Kind.HOLIDAY,
                    holiday_name=HOLIDAY_NAMES.get(chinese_calendar.holidays[day], ""),
                    source=Day.Source.OFFICIAL,
                )
            )
        else:
            rows.append(
                Day(date=day, is_workday=day.weekday() < 5, kind=Day.Kind.NORMAL, source=Day.Source.OFFICIAL)
            )
    return rows


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The public holidays of a year by the rules in force since 2025 (国务院《全国年节及
    纪念日放假办法》2024 revision): New Year 1 day; Spring Festival 4 days from New Year's
    Eve; Qingming 1; Labour Day 2; Dragon Boat 1; Mid-Autumn 1; National Day 3. Lunar dates
    and the Qingming solar term come from lunar-python."""
    spring = Lunar.fromYmd(year, 1, 1).getSolar()
    new_years_eve = dt.date(spring.getYear(), spring.getMonth(), spring.getDay()) - dt.timedelta(days=1)
    qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    dragon = Lunar.fromYmd(year, 5, 5).getSolar()
    moon = Lunar.fromYmd(year, 8, 15).getSolar()
    days = {dt.date(year, 1, 1): "元旦"}
    for i in range(4):
        days[new_years_eve + dt.timedelta(days=i)] = "春节"
    days[dt.date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "清明节"
    days[dt.date(year, 5, 1)] = days[dt.date(year, 5, 2)] = "劳动节"
    days[dt.date(dragon.getYear(), dragon.getMonth(), dragon.getDay())] = "端午节"
    days[dt.date(moon.getYear(), moon.getMonth(), moon.getDay())] = "中秋节"
    for i in range(1, 4):
        days[dt.date(year, 10, i)] = "国庆节"
    return days


def _provisional_rows(year: int) -> list[Day]:
    holidays = statutory_holidays(year)
    rows = []
    for day in _year_dates(year):
        if day in holidays:
            rows.append(
                Day(
                    date=day,
                    is_workday=False,
                    kind=Day.Kind.HOLIDAY,
                    holiday_name=holidays[day],
                    source=Day.Source.PROVISIONAL,
                )
            )
        else:
            rows.append(
                Day(
                    date=day,
                    is_workday=day.weekday() < 5,
                    kind=Day.Kind.NORMAL,
                    source=Day.Source.PROVISIONAL,
                )
            )
    return rows


def recompute_seq() -> None:
    """Ordinals for the whole table in one statement (a window function; no Python loop)."""
    table = Day._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET seq = s.seq FROM ("
            f" SELECT date, SUM(CASE WHEN is_workday THEN 1 ELSE 0 END) OVER (ORDER BY date) AS seq FROM {table}"
            f") AS s WHERE {table}.date = s.date AND {table}.seq <> s.seq"
        )


def _changed() -> None:
    recompute_seq()
    CalendarState.objects.get_or_create(pk=1)
    CalendarState.objects.filter(pk=1).update(version=F("version") + 1, changed_at=clock.now())
    transaction.on_commit(calendar.invalidate)
    calendar.invalidate()


def _check_contiguous(years: list[int]) -> None:
    """The table must stay gap-free: a new year must touch the years already there."""
    wanted = sorted({d.year for d in Day.objects.dates("date", "year")} | set(years))
    if wanted != list(range(wanted[0], wanted[-1] + 1)):
        raise DomainError(
            "workdays.year_gap", f"日历年份必须连续（现有及新增：{wanted}），请先补齐中间年份。"
        )


@transaction.atomic
def seed_official() -> int:
    """Loads every official year of chinese-calendar not yet in the table. Idempotent; never
    overwrites a year already present (an admin's entries win)."""
    present = {d.year for d in Day.objects.dates("date", "year")}
    years = [y for y in official_years() if y not in present]
    if not years:
        return 0
    _check_contiguous(years)
    rows = [row for y in years for row in _official_rows(y)]
    Day.objects.bulk_create(rows, batch_size=2000)
    _changed()
    return len(years)


@transaction.atomic
def generate_provisional(year: int) -> bool:
    """Fills a year not yet in the table with a provisional calendar; False if present."""
    if Day.objects.filter(date__year=year).exists():
        return False
    _check_contiguous([year])
    Day.objects.bulk_create(_provisional_rows(year), batch_size=2000)
    _changed()
    return True


# RULES.md: the calendar never runs out — at least this many years past today, whatever the setting.
MIN_YEARS_AHEAD = 2


def last_year_needed(today: dt.date | None = None) -> int:
    from django.conf import settings

    today = today or clock.today()
    return today.year + max(MIN_YEARS_AHEAD, settings.ONEWINDOW_PROVISIONAL_YEARS_AHEAD)


def ensure_calendar(today: dt.date | None = None) -> int:
    """Official years, then provisional years through ONEWINDOW_PROVISIONAL_YEARS_AHEAD (at least
    two) years past today, so that a deadline counted from today always lands inside the table.
    Idempotent; returns how many years it added. Run by migrate/seed paths and daily by the
    worker (onewindow.ops.periodic), so the table extends as time passes."""
    added = seed_official()
    present = Day.objects.aggregate(last=Max("date"))["last"]
    start = (present.year if present else official_years()[-1]) + 1
    for year in range(start, last_year_needed(today) + 1):
        added += generate_provisional(year)
    return added


def _parse_dates(lines: Iterable[str], year: int) -> dict[dt.date, str]:
    """Lines like '2027-02-05~2027-02-11 春节' or '2027-01-01 元旦' → {date: name}."""
    out: dict[dt.date, str] = {}
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        span, _, name = line.replace("～", "~").partition(" ")
        start_s, _, end_s = span.partition("~")
        try:
            start = dt.date.fromisoformat(start_s.strip())
            end = dt.date.fromisoformat(end_s.strip()) if end_s else start
        except ValueError:
            raise DomainError(
                "workdays.bad_date",
                f"无法识别的日期：“{line}”，格式应为 2027-02-05 或 2027-02-05~2027-02-11。",
            ) from None
        if end < start or start.year != year or end.year != year:
            raise DomainError("workdays.bad_range", f"“{line}”不在 {year} 年内或起止颠倒。")
        day = start
        while day <= end:
            out[day] = name.strip()
            day += dt.timedelta(days=1)
    return out


@transaction.atomic
def publish_official_year(
    year: int, *, holidays: Iterable[str], adjusted_workdays: Iterable[str], by
) -> list[dt.date]:
    """Hall management enters the State Council's schedule of a year. The year becomes
    official; the dates whose working status changed are returned. Call it through
    onewindow.web.calendar_changes, which then recomputes every deadline that depends on them."""
    off = _parse_dates(holidays, year)
    on = _parse_dates(adjusted_workdays, year)
    both = sorted(set(off) & set(on))
    if both:
        raise DomainError("workdays.conflict", f"{both[0]} 不能既是假日又是调休上班日。")
    weekday_on = [d for d in on if d.weekday() < 5]
    if weekday_on:
        raise DomainError("workdays.adjusted_not_weekend", f"{weekday_on[0]} 是工作日，调休上班日应为周末。")
    if not off:
        raise DomainError("workdays.no_holidays", "请至少录入一个法定节假日。")
    existing = {d.date: d for d in Day.objects.select_for_update().filter(date__year=year)}
    if not existing:
        _check_contiguous([year])
    changed, rows = [], []
    for day in _year_dates(year):
        if day in on:
            row = Day(date=day, is_workday=True, kind=Day.Kind.ADJUSTED_WORKDAY, holiday_name=on[day])
        elif day in off:
            row = Day(date=day, is_workday=False, kind=Day.Kind.HOLIDAY, holiday_name=off[day])
        else:
            row = Day(date=day, is_workday=day.weekday() < 5, kind=Day.Kind.NORMAL)
        row.source = Day.Source.OFFICIAL
        old = existing.get(day)
        if old is None or old.is_workday != row.is_workday:
            changed.append(day)
        rows.append(row)
    Day.objects.filter(date__year=year).delete()
    Day.objects.bulk_create(rows, batch_size=2000)
    _changed()
    return changed


@transaction.atomic
def set_day(day: dt.date, *, is_workday: bool, kind: str, holiday_name: str = "", by) -> bool:
    """A manual correction of one date already in the calendar; True if its status changed."""
    row = Day.objects.select_for_update().filter(date=day).first()
    if row is None:
        raise calendar.out_of_range(day)
    if kind == Day.Kind.ADJUSTED_WORKDAY and not is_workday or kind == Day.Kind.HOLIDAY and is_workday:
        raise DomainError("workdays.kind_mismatch", "“法定节假日”应为休息日，“调休上班”应为工作日。")
    status_changed = row.is_workday != is_workday
    Day.objects.filter(date=day).update(
        is_workday=is_workday, kind=kind, holiday_name=holiday_name, source=Day.Source.MANUAL
    )
    _changed()
    return status_changed
