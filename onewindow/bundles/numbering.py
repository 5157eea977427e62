"""一件事 application numbers in the style of case numbers: YJS-371400-20261126-000012 (prefix,
region, day, serial). On PostgreSQL a SEQUENCE per region and day — no row lock, no duplicate
under any concurrency; on SQLite, where writers queue anyway, an upsert on a counter row in the
caller's transaction. The same scheme as cases/numbering.py, with its own sequences so case
numbers keep their own series."""

import datetime as dt

from django.db import connection, transaction
from django.db.utils import DatabaseError

PREFIX = "YJS"
_known_sequences: set[str] = set()


def _pg_next(region6: str, day: dt.date) -> int:
    name = f"bundle_no_{region6}_{day:%Y%m%d}"
    with connection.cursor() as cursor:
        if name not in _known_sequences:
            try:
                with transaction.atomic():  # a savepoint: another creating it at once is no error
                    cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}"')
            except DatabaseError:
                pass
            # Remembered only once committed: CREATE SEQUENCE rolls back with its transaction.
            transaction.on_commit(lambda: _known_sequences.add(name))
        cursor.execute("SELECT nextval(%s)", [name])
        return cursor.fetchone()[0]


def _sqlite_next(region6: str, day: dt.date) -> int:
    from onewindow.bundles.models import BundleCounter

    table = BundleCounter._meta.db_table
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
    return f"{PREFIX}-{region6}-{day:%Y%m%d}-{n:06d}"
