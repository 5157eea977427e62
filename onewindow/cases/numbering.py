"""Case numbers: region + date + sequence, e.g. 371400-20261126-000123 (unique, readable,
printed on every notice). On PostgreSQL each region and day has its own SEQUENCE (no row
lock, no duplicates under any concurrency); on SQLite, where writers queue anyway, an upsert
on a counter row in the same transaction."""

import datetime as dt

from django.db import connection, transaction
from django.db.utils import DatabaseError

_known_sequences: set[str] = set()


def _remember(name: str) -> None:
    # Only once committed: CREATE SEQUENCE rolls back with a failed transaction.
    transaction.on_commit(lambda: _known_sequences.add(name))


def _pg_next(region6: str, day: dt.date) -> int:
    name = f"case_no_{region6}_{day:%Y%m%d}"
    with connection.cursor() as cursor:
        if name in _known_sequences:  # one round trip on the hot path
            cursor.execute("SELECT nextval(%s)", [name])
            return cursor.fetchone()[0]
        try:
            with transaction.atomic():  # a savepoint: a missing sequence must not abort the caller
                cursor.execute("SELECT nextval(%s)", [name])
                _remember(name)
                return cursor.fetchone()[0]
        except DatabaseError:
            pass
        try:
            with transaction.atomic():
                cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}"')
        except DatabaseError:
            pass  # another transaction created it at the same moment
        cursor.execute("SELECT nextval(%s)", [name])
        _remember(name)
        return cursor.fetchone()[0]


def _sqlite_next(region6: str, day: dt.date) -> int:
    from onewindow.cases.models import CaseCounter

    table = CaseCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (region, day, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (region, day) DO UPDATE SET last = last + 1 RETURNING last",
            [region6, day.isoformat()],
        )
        return cursor.fetchone()[0]


def next_number(region_code: str, day: dt.date) -> str:
    region6 = region_code[:6]
    n = _pg_next(region6, day) if connection.vendor == "postgresql" else _sqlite_next(region6, day)
    return f"{region6}-{day:%Y%m%d}-{n:06d}"
