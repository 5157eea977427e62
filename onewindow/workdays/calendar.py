"""Working-day arithmetic on ordinals (ARCHITECTURE.md "The case clock").

The whole table is loaded once per process into two arrays:
- `seq_by_date[d]`: the working-day ordinal of date d (a dict: hashing a date is cheaper
  than computing its offset);
- `date_by_seq[k]`: the date of the k-th working day.
so `add_workdays` is two look-ups (bench/workdays.py measures it). A process reloads when the calendar's version
row changes (checked at most every ONEWINDOW_CALENDAR_CHECK_SECONDS), and at once in the
process that made the change.
"""

import datetime as dt
import threading
import time

from django.conf import settings

from onewindow.errors import DomainError


class CalendarData:
    __slots__ = (
        "first",
        "seq_by_offset",
        "seq_by_date",
        "date_by_seq",
        "limit",
        "workday",
        "provisional",
        "version",
        "last",
        "_provisional_years",
    )

    def __init__(self, rows: list[tuple[dt.date, bool, bool]], version: int):
        if not rows:
            raise DomainError(
                "workdays.calendar_empty", "工作日历为空，请管理员先导入日历（manage.py seed_calendar）。"
            )
        self.version = version
        self.first = rows[0][0].toordinal()
        self.last = rows[-1][0]
        seq = 0
        self.seq_by_offset: list[int] = []
        self.seq_by_date: dict[dt.date, int] = {}
        self.date_by_seq: list[dt.date | None] = [None]  # ordinal 0: before the first working day
        self.workday = bytearray()
        self.provisional = bytearray()
        self._provisional_years: set[int] = set()
        expected = self.first
        for day, is_workday, provisional in rows:
            if day.toordinal() != expected:
                raise DomainError(
                    "workdays.calendar_gap",
                    f"工作日历在 {dt.date.fromordinal(expected)} 处有缺口，请管理员补齐。",
                )
            expected += 1
            if is_workday:
                seq += 1
                self.date_by_seq.append(day)
            self.seq_by_offset.append(seq)
            self.seq_by_date[day] = seq
            self.workday.append(is_workday)
            self.provisional.append(provisional)
            if provisional:
                self._provisional_years.add(day.year)
        self.limit = len(self.date_by_seq)

    def _offset(self, day: dt.date) -> int:
        offset = day.toordinal() - self.first
        if offset < 0 or offset >= len(self.seq_by_offset):
            raise out_of_range(day)
        return offset

    def seq(self, day: dt.date) -> int:
        try:
            return self.seq_by_date[day]
        except KeyError:
            raise out_of_range(day) from None

    def date_of_seq(self, k: int) -> dt.date:
        if 1 <= k < len(self.date_by_seq):
            return self.date_by_seq[k]
        raise DomainError(
            "workdays.date_out_of_range",
            f"日期超出工作日历范围（{dt.date.fromordinal(self.first)} 至 {self.last}），请管理员维护下一年度日历。",
        )

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        try:
            k = self.seq_by_date[day] + n
        except KeyError:
            raise out_of_range(day) from None
        if 0 < k < self.limit:
            return self.date_by_seq[k]
        return self.date_of_seq(k)

    def is_workday(self, day: dt.date) -> bool:
        return bool(self.workday[self._offset(day)])

    def is_provisional(self, day: dt.date) -> bool:
        return bool(self.provisional[self._offset(day)])

    def provisional_years(self) -> list[int]:
        return sorted(self._provisional_years)

    def any_provisional(self, start: dt.date, end: dt.date) -> bool:
        a, b = sorted((self._offset(start), self._offset(end)))
        return any(self.provisional[a : b + 1])


def out_of_range(day: dt.date) -> DomainError:
    # RULES.md: a date in a year the calendar does not know is an error for hall management
    # to fix — never a silent guess.
    return DomainError(
        "workdays.date_out_of_range",
        f"工作日历中没有 {day.year} 年的数据（{day}），请大厅管理员先维护该年度日历。",
        details={"date": day.isoformat()},
    )


_monotonic = time.monotonic
_lock = threading.Lock()
_data: CalendarData | None = None
_next_check = 0.0  # monotonic time after which the version row is asked again


def _load() -> CalendarData:
    from onewindow.workdays.models import CalendarState, Day

    version = CalendarState.objects.filter(pk=1).values_list("version", flat=True).first() or 0
    rows = list(
        Day.objects.order_by("date").values_list("date", "is_workday", "source").iterator(chunk_size=5000)
    )
    return CalendarData([(d, w, s == Day.Source.PROVISIONAL) for d, w, s in rows], version)


def _refresh() -> CalendarData:
    global _data, _next_check
    from onewindow.workdays.models import CalendarState

    with _lock:
        version = CalendarState.objects.filter(pk=1).values_list("version", flat=True).first() or 0
        if _data is None or _data.version != version:
            _data = _load()
        # Read the setting here, not on every call: a settings look-up costs more than the
        # arithmetic itself.
        _next_check = _monotonic() + settings.ONEWINDOW_CALENDAR_CHECK_SECONDS
        return _data


def current() -> CalendarData:
    """The calendar of this process, reloaded when another process changed it."""
    data = _data
    if data is None or _monotonic() >= _next_check:
        data = _refresh()
    return data


def invalidate() -> None:
    global _data
    _data = None


def seq(day: dt.date) -> int:
    """Working days from the start of the table up to and including `day`."""
    return current().seq(day)


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The working day n working days after `day` (the day itself not counted; art. 82).
    On a non-working day, counting starts from the next working day."""
    data = _data
    if data is None or _monotonic() >= _next_check:
        data = _refresh()
    return data.add_workdays(day, n)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative if end < start)."""
    data = current()
    return data.seq(end) - data.seq(start)


def is_workday(day: dt.date) -> bool:
    return current().is_workday(day)


def date_of_seq(k: int) -> dt.date:
    return current().date_of_seq(k)


# ---- telling a date as provisional (issue 13 rule 6) -------------------------------------------
PROVISIONAL_WORD = "暂定"


def is_provisional(day: dt.date | None) -> bool:
    """The one rule for 暂定: `day` lies where the State Council's schedule is not yet entered
    (Day.source provisional), so a date counted to it may still move (RULES.md "Working days").
    A date past the end of the table is not known officially either; one before it is history."""
    if day is None:
        return False
    data = current()
    offset = day.toordinal() - data.first
    if offset < 0:
        return False
    if offset >= len(data.provisional):
        return True
    return bool(data.provisional[offset])


def provisional_note(day: dt.date | None, *, told_provisional: bool = False) -> str:
    """The words that follow a provisional date wherever a person reads it: pages and notices
    (the `provisional` template filter) and SMS texts use this one presenter, API answers
    `is_provisional`. `told_provisional`: the date was provisional when a document told it."""
    return f"（{PROVISIONAL_WORD}）" if day is not None and (told_provisional or is_provisional(day)) else ""


PROVISIONAL_EXPLAINED = (
    "该年度国务院放假安排尚未公布，期限按法定节假日规则推算，公布后可能调整，届时短信告知。"
)
