"""一件事 application numbers in the style of case numbers: YJS-371400-20261126-000012 (prefix,
region, day, serial) — a series per region and day (onewindow/serials: a SEQUENCE on
PostgreSQL, a counter row on SQLite), apart from the case numbers' own."""

import datetime as dt

from onewindow.serials import next_serial

PREFIX = "YJS"


def next_number(region_code: str, day: dt.date) -> str:
    region6 = region_code[:6]
    n = next_serial(f"bundle_no_{region6}_{day:%Y%m%d}")
    return f"{PREFIX}-{region6}-{day:%Y%m%d}-{n:06d}"
