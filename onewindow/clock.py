"""The one clock of OneWindow (ARCHITECTURE.md: never call date.today() directly).

Tests move time with `clock.frozen(...)`; everything else asks `now()` or `today()`.
"""

import contextlib
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

_frozen: dt.datetime | None = None


def hall_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def now() -> dt.datetime:
    """Aware UTC datetime."""
    return _frozen if _frozen is not None else timezone.now()


def today() -> dt.date:
    """The date in the hall's time zone (Asia/Shanghai): working days are local dates."""
    return now().astimezone(hall_tz()).date()


def in_hall(at: dt.datetime) -> dt.datetime:
    """A time given without an offset is the hall's time (API.md asks for one; forms never send one)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=hall_tz())


@contextlib.contextmanager
def frozen(at: dt.datetime | dt.date):
    """Freeze the clock (tests, demo data). A date means 09:00 in the hall's time zone."""
    global _frozen
    if not isinstance(at, dt.datetime):
        at = dt.datetime.combine(at, dt.time(9, 0), tzinfo=hall_tz())
    previous, _frozen = _frozen, at.astimezone(dt.UTC)
    try:
        yield _frozen
    finally:
        _frozen = previous
