"""Case numbers: region + date + sequence, e.g. 371400-20261126-000123 (unique, readable,
printed on every notice). On PostgreSQL each region and day has its own SEQUENCE (no row
lock, no duplicates under any concurrency); on SQLite, where writers queue anyway, an upsert
on a counter row in the same transaction."""

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.utils import DatabaseError

from onewindow import fastsql

_known_sequences: set[str] = set()


def _remember(name: str) -> None:
    # Only once committed: CREATE SEQUENCE rolls back with a failed transaction.
    transaction.on_commit(lambda: _known_sequences.add(name))


# The next number and, in the same round trip, the case's id from its table's own sequence (the
# id column is an identity column): the case, its first event and its materials can then be
# written together (fastsql.run).
_NEXT = "SELECT nextval(%s), nextval(pg_get_serial_sequence('cases_case', 'id'))"


def _pg_next(region6: str, day: dt.date, fast: bool) -> tuple[int, int]:
    name = f"case_no_{region6}_{day:%Y%m%d}"
    if name in _known_sequences and fast:  # one round trip on the hot path (with the transaction's BEGIN)
        return fastsql.fetch(_NEXT, [name])[0]
    with connection.cursor() as cursor:
        if name in _known_sequences:
            cursor.execute(_NEXT, [name])
            return cursor.fetchone()
        try:
            with transaction.atomic():  # a savepoint: a missing sequence must not abort the caller
                cursor.execute(_NEXT, [name])
                _remember(name)
                return cursor.fetchone()
        except DatabaseError:
            pass  # not there yet
        try:
            with transaction.atomic():
                cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}"')
        except DatabaseError:
            pass  # another transaction created it at the same moment
        cursor.execute(_NEXT, [name])
        _remember(name)
        return cursor.fetchone()


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


def allocate(region_code: str, day: dt.date) -> tuple[str, int | None]:
    """(case number, the new case's id on PostgreSQL — None on SQLite, where the insert gives it).
    Asked by submit alone (intake's hot path): with fastsql on, by fastsql.fetch, which sends it
    with the transaction's BEGIN."""
    region6 = region_code[:6]
    if fastsql.on_postgresql():
        n, case_id = _pg_next(region6, day, settings.ONEWINDOW_FASTSQL)
    else:
        n, case_id = _sqlite_next(region6, day), None
    return f"{region6}-{day:%Y%m%d}-{n:06d}", case_id


def next_number(region_code: str, day: dt.date) -> str:
    return allocate(region_code, day)[0]
