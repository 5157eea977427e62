"""Plain SQL for hot paths: INSERT, UPDATE and row loading for ordinary models without the ORM's
query compilation, for the few statements that run on every request of a busy path (window
intake: bench/intake.py measured server CPU per intake request 8.6-10.2 -> 5.8-6.3 ms and
92-112 -> 148-163 cases/s when cases/services.py moved its statements here).

Values are converted with Django's own per-field methods (pre_save, get_db_prep_save, the
backend's db converters), so rows and instances are those the ORM would give. The SQL is plain
and parameterized, valid on SQLite and PostgreSQL. Signals are not sent (OneWindow uses none).
Everything else keeps using the ORM.
"""

from collections.abc import Iterable
from functools import lru_cache

from django.db import DatabaseError, connection
from django.db.models import Model

_converters: dict[tuple[type[Model], str], list] = {}


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


@lru_cache(maxsize=32)
def select_list(model: type[Model], alias: str) -> str:
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def from_row(model: type[Model], row, start: int = 0) -> Model:
    """The instance for `row[start:]` in concrete-field order (as `select_list` reads it), with the
    converters the ORM's compiler would apply (SQLite dates, JSON …), built once per model."""
    key = (model, connection.vendor)
    convs = _converters.get(key)
    if convs is None:
        convs = []
        for i, f in enumerate(model._meta.concrete_fields):
            col = f.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                convs.append((i, found, col))
        _converters[key] = convs
    values = list(row[start : start + len(model._meta.concrete_fields)])
    for i, found, col in convs:
        for convert in found:
            values[i] = convert(values[i], col, connection)
    return model.from_db(connection.alias, None, values)


@lru_cache(maxsize=64)
def _insert_sql(model: type[Model], rows: int, vendor: str) -> tuple[list, str]:
    """(fields, SQL) of an INSERT of `rows` rows of `model`, built once (quoting showed in the profile)."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES {', '.join([one] * rows)} RETURNING {quote(meta.pk.column)}")  # fmt: skip
    return fields, sql


def insert(objs: list[Model]) -> None:
    """save() of new rows / bulk_create: one INSERT … VALUES (…), … RETURNING id; sets the pks."""
    if not objs:
        return
    fields, sql = _insert_sql(type(objs[0]), len(objs), connection.vendor)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = cursor.fetchall()
    for obj, (pk,) in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias


def update(obj: Model, names: Iterable[str]) -> None:
    """save(update_fields=names): one UPDATE … WHERE id = %s, and the same error if no row matched."""
    fields = [obj._meta.get_field(n) for n in dict.fromkeys(names)]
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(obj._meta.db_table)} SET {sets} WHERE {quote(obj._meta.pk.column)} = %s",
                       [*params, obj.pk])  # fmt: skip
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")
