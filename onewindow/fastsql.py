"""Plain SQL for hot paths: INSERT, UPDATE and row loading for ordinary models without the ORM's
query compilation, for the few statements that run on every request of a busy path (window
intake: bench/intake.py measured server CPU per intake request 8.6-10.2 -> 5.8-6.3 ms and
92-112 -> 148-163 cases/s when cases/services.py moved its statements here).

Values are converted with Django's own per-field methods (pre_save, get_db_prep_save, the
backend's db converters) — except plain values (str, int, bool, None) of fields that pass them
through unchanged — so rows and instances are those the ORM would give. `run` sends several
writes in one round trip on PostgreSQL (decision 5). The SQL is plain and parameterized, valid
on SQLite and PostgreSQL. Signals are not sent (OneWindow uses none). Everything else keeps
using the ORM.
"""

import datetime as dt
import json
from collections.abc import Iterable
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models
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
def _insert_sql(model: type[Model], rows: int, vendor: str, with_pk: bool, skip_conflicting: str | None = None
                ) -> tuple[list, str]:  # fmt: skip
    """(fields, SQL) of an INSERT of `rows` rows of `model`, built once (quoting showed in the profile)."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_pk or f is not meta.pk]
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    conflict = f" ON CONFLICT ({quote(skip_conflicting)}) DO NOTHING" if skip_conflicting else ""
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES {', '.join([one] * rows)}{conflict} RETURNING {quote(meta.pk.column)}")  # fmt: skip
    return fields, sql


@lru_cache(maxsize=64)
def _insert_json_sql(model: type[Model], with_pk: bool) -> tuple[list, str]:
    """(fields, SQL) of a PostgreSQL INSERT of the rows of one JSON array (json_populate_recordset
    reads it with the table's own row type, so each value is converted as its column requires;
    rows come back in the array's order, as Django's bulk_create relies on for VALUES)."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_pk or f is not meta.pk]
    table, columns = quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
    sql = (f"INSERT INTO {table} ({columns}) SELECT {columns} FROM json_populate_recordset(NULL::{table}, %s) "
           f"RETURNING {quote(meta.pk.column)}")  # fmt: skip
    return fields, sql


def _json_value(value):
    if isinstance(value, dt.date):  # dates and aware datetimes as ISO text, which PostgreSQL reads
        return value.isoformat()
    if hasattr(value, "obj"):  # psycopg's Json/Jsonb wrapper of a JSONField's value
        return value.obj
    return value


# Field classes whose get_db_prep_save returns a value of these types unchanged (their
# get_prep_value only coerces other types): such values skip Django's per-field conversion, which
# with the connection proxy's lookups was a tenth of an intake request's CPU (bench/intake.py).
_PLAIN: dict[type, tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.IntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.BigIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.BooleanField: (bool,),
}


@lru_cache(maxsize=256)
def _plain_types(field) -> tuple[type, ...]:
    """The value types `field` passes through unchanged (none for fields that compute on save)."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return ()
    if isinstance(target, models.AutoField | models.BigAutoField | models.SmallAutoField):
        return (int,)
    types = _PLAIN.get(type(target), ())
    return (*types, type(None)) if types and field.null else types


def _db_values(objs: list[Model], fields: list, add: bool) -> list:
    conn = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: each proxy attribute costs a lookup
    params = []
    for obj in objs:
        for f in fields:
            value = getattr(obj, f.attname)
            if value is None and f.is_relation and f.is_cached(obj):
                # The parent was saved after this row was built (as Model.save() re-reads it).
                parent = f.get_cached_value(obj)
                value = None if parent is None else parent.pk
                setattr(obj, f.attname, value)
            if type(value) in _plain_types(f):
                params.append(value)
            else:
                params.append(f.get_db_prep_save(f.pre_save(obj, add), conn))
    return params


class Insert:
    """save() of new rows / bulk_create: INSERT … VALUES (…), … RETURNING id; sets the pks. Rows
    whose pk is already set (taken from the table's sequence beforehand) are inserted with it."""

    def __init__(self, objs: list[Model], *, skip_conflicting: str | None = None):
        """`skip_conflicting`: a uniquely constrained column; a row whose value is there already is
        not inserted (ON CONFLICT (…) DO NOTHING) and keeps pk None. Single rows only."""
        assert skip_conflicting is None or len(objs) == 1
        self.objs, self.skip_conflicting = objs, skip_conflicting

    def statement(self) -> tuple[str, list]:
        objs = self.objs
        with_pk = objs[0].pk is not None
        if len(objs) > 1 and connection.vendor == "postgresql":
            # Many rows as ONE JSON parameter: psycopg re-parses (does not cache) a query of more
            # than 50 parameters, which cost more than the round trip a batch saves.
            fields, sql = _insert_json_sql(type(objs[0]), with_pk)
            values = _db_values(objs, fields, True)
            n = len(fields)
            rows = [{f.column: _json_value(v) for f, v in zip(fields, values[i : i + n], strict=True)}
                    for i in range(0, len(values), n)]  # fmt: skip
            return sql, [json.dumps(rows, ensure_ascii=False)]
        fields, sql = _insert_sql(type(objs[0]), len(objs), connection.vendor, with_pk, self.skip_conflicting)
        return sql, _db_values(objs, fields, True)

    def done(self, rows: list, rowcount: int) -> None:
        if self.skip_conflicting and not rows:
            return  # the row was there already
        for obj, (pk,) in zip(self.objs, rows, strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, connection.alias


class Update:
    """save(update_fields=names): UPDATE … WHERE id = %s, and the same error if no row matched."""

    def __init__(self, obj: Model, names: Iterable[str]):
        self.obj, self.names = obj, names

    def statement(self) -> tuple[str, list]:
        obj = self.obj
        fields = [obj._meta.get_field(n) for n in dict.fromkeys(self.names)]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        sql = f"UPDATE {quote(obj._meta.db_table)} SET {sets} WHERE {quote(obj._meta.pk.column)} = %s"
        return sql, [*_db_values([obj], fields, False), obj.pk]

    def done(self, rows: list, rowcount: int) -> None:
        if rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")


def _waits_for_parent(write: Insert | Update) -> bool:
    """Whether a row of `write` points to a parent without a pk yet (it gets one in this run)."""
    if not isinstance(write, Insert):
        return False
    obj = write.objs[0]
    return any(
        f.is_cached(obj)
        and getattr(obj, f.attname) is None
        and getattr(f.get_cached_value(obj), "pk", 0) is None
        for f in obj._meta.concrete_fields
        if f.is_relation
    )


def run(*writes: Insert | Update | None) -> None:
    """The writes in order. On PostgreSQL in ONE round trip when every row's parent key is known
    beforehand: the statements go as one query (psycopg's client-side binding cursor, which
    Django uses, sends several statements with their parameters together; each answers in its
    own result set). Elsewhere, or when a parent is inserted in the same run without a pk yet, one
    statement after the other. Empty inserts and None are skipped."""
    writes = [w for w in writes if w is not None and not (isinstance(w, Insert) and not w.objs)]
    together = connection.vendor == "postgresql" and not any(_waits_for_parent(w) for w in writes)
    with connection.cursor() as cursor:
        if together and len(writes) > 1:
            statements = [w.statement() for w in writes]
            cursor.execute(";\n".join(sql for sql, _ in statements), [p for _, ps in statements for p in ps])
            for i, w in enumerate(writes):
                if i:
                    cursor.nextset()
                w.done(cursor.fetchall() if cursor.description else [], cursor.rowcount)
            return
        for w in writes:
            sql, params = w.statement()
            cursor.execute(sql, params)
            w.done(cursor.fetchall() if cursor.description else [], cursor.rowcount)


def insert(objs: list[Model]) -> None:
    run(Insert(objs))


def update(obj: Model, names: Iterable[str]) -> None:
    run(Update(obj, names))
