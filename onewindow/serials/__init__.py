"""Serial numbers of a named series (payment notices per region and year, licenses per
department and year, 一件事 applications per region and day, project codes per region and
year), unique under any concurrency — the scheme of cases/numbering.py, which keeps its own
because it also takes the new case's id in the same round trip (intake's hot path). On
PostgreSQL a SEQUENCE per series: no row lock, so concurrent issuers never wait on each other;
on SQLite, where writers queue anyway, an upsert on a counter row in the caller's transaction.
A rolled-back transaction may leave a gap in the series; it never repeats a number."""

import hashlib
import re

from django.db import connection, transaction
from django.db.utils import DatabaseError

_known: set[str] = set()


def _sequence_name(key: str) -> str:
    # Any key (department codes are free text) gives a safe, distinct identifier ≤ 63 bytes.
    plain = re.sub(r"[^a-z0-9]+", "_", key.lower())[:40]
    return f"ow_serial_{plain}_{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def _pg_next(key: str) -> int:
    name = _sequence_name(key)
    with connection.cursor() as cursor:
        if name not in _known:
            try:
                with transaction.atomic():  # a savepoint: another creating it at once is no error
                    cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}"')
            except DatabaseError:
                pass
            # Remembered only once committed: CREATE SEQUENCE rolls back with its transaction.
            transaction.on_commit(lambda: _known.add(name))
        cursor.execute("SELECT nextval(%s)", [name])
        return cursor.fetchone()[0]


def _sqlite_next(key: str) -> int:
    from onewindow.serials.models import Serial

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Serial._meta.db_table} (key, last) VALUES (%s, 1) "
            "ON CONFLICT (key) DO UPDATE SET last = last + 1 RETURNING last",
            [key],
        )
        return cursor.fetchone()[0]


def next_serial(key: str) -> int:
    return _pg_next(key) if connection.vendor == "postgresql" else _sqlite_next(key)


def next_gapless(key: str) -> int:
    """The next number of a series that must have no gap (文书编号: an official register counts
    every number it gave): a counter row, incremented in the caller's transaction on every
    database — a rolled-back transaction takes its number back with it, and a concurrent one
    waits on the row until this one ends (so keep the transaction short). Only inside one."""
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("next_gapless() belongs inside the caller's transaction")
    from onewindow.serials.models import Serial

    table = Serial._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, last) VALUES (%s, 1) "
            f"ON CONFLICT (key) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [f"gapless:{key}"],
        )
        return cursor.fetchone()[0]
