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
import functools
import json
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from functools import lru_cache

import psycopg
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models, transaction
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
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
    beforehand: the statements go together in psycopg's pipeline mode, each as a prepared
    statement (see `fetch`); inside an `atomic` block they wait to go with the block's next
    statement or its COMMIT. Elsewhere, or when a parent is inserted in the same run without a pk
    yet, one statement after the other. Empty inserts and None are skipped."""
    writes = [w for w in writes if w is not None and not (isinstance(w, Insert) and not w.objs)]
    together = connection.vendor == "postgresql" and not any(_waits_for_parent(w) for w in writes)
    block = _block()
    if together and block is not None:
        block.pending.extend(writes)  # sent with the block's next statement or its COMMIT
        return
    if block is not None:
        block.flush()
    if together:
        cursors = _pipeline([w.statement() for w in writes])
        for w, cursor in zip(writes, cursors, strict=True):
            w.done(cursor.fetchall() if cursor.description else [], cursor.rowcount)
            cursor.close()
        return
    with connection.cursor() as cursor:
        for w in writes:
            sql, params = w.statement()
            cursor.execute(sql, params)
            w.done(cursor.fetchall() if cursor.description else [], cursor.rowcount)


def fetch(sql: str, params: list) -> list[tuple]:
    """The rows of one query. On PostgreSQL as a prepared statement, parsed and planned once per
    connection (bench/intake.py: the server's CPU per case 1.7 -> 1.1 ms, decision 12); inside an
    `atomic` block sent with its BEGIN or its pending writes."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    block = _block()
    if block is not None:
        return block.send(after=(sql, params))
    (cursor,) = _pipeline([(sql, params)])
    rows = cursor.fetchall()
    cursor.close()
    return rows


def _pipeline(statements: list[tuple[str, list]], *, begin: bool = False, commit: bool = False) -> list:
    """Sends the statements on server-binding cursors, which psycopg prepares (settings: OPTIONS
    prepare_threshold) — several, or with BEGIN / COMMIT, in one round trip (psycopg's pipeline
    mode); returns one cursor per statement, with its result. Django's cursor wrappers keep query
    logging, execute wrappers and error translation."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    db = connections[DEFAULT_DB_ALIAS]
    db.validate_thread_sharing()
    db.ensure_connection()
    raw = db.connection
    wrapper = _LoggedCursor if db.queries_logged else CursorWrapper
    cursors = [wrapper(ServerBindingCursor(raw), db) for _ in statements]
    if len(statements) == 1 and not begin and not commit:  # a pipeline would only cost CPU
        cursors[0].execute(*statements[0])
        return cursors
    with db.wrap_database_errors, raw.pipeline():
        if begin:
            raw.cursor().execute("BEGIN", prepare=False)
        for cursor, (sql, params) in zip(cursors, statements, strict=True):
            cursor.execute(sql, params)
        if commit:
            raw.cursor().execute("COMMIT", prepare=False)
    return cursors


class _LoggedCursor(CursorDebugWrapper):
    """Django's debug wrapper (DEBUG, CaptureQueriesContext), logging the statement composed with
    its parameters: psycopg keeps no text of an executed prepared statement, which Django would
    otherwise log (as None)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


# ---- transactions of few round trips -------------------------------------------------------


class _Block:
    """The state of one `atomic` block on PostgreSQL: whether BEGIN is still to be sent and the
    writes of `run` not sent yet."""

    def __init__(self):
        self.begin, self.pending, self.sending = True, [], False

    def send(self, after: tuple[str, list] | None = None, commit: bool = False) -> list[tuple]:
        """BEGIN if not sent, the pending writes, `after` and COMMIT, in one round trip; the
        writes learn their results; returns the rows of `after`."""
        writes, self.pending = self.pending, []
        statements = [w.statement() for w in writes] + ([after] if after else [])
        if not statements and not self.begin and not commit:
            return []
        self.sending = True
        try:
            cursors = _pipeline(statements, begin=self.begin, commit=commit)
        finally:
            self.sending = False
        self.begin = False
        for w, cursor in zip(writes, cursors, strict=False):
            w.done(cursor.fetchall() if cursor.description else [], cursor.rowcount)
        rows = cursors[-1].fetchall() if after else []
        for cursor in cursors:
            cursor.close()
        return rows

    def flush(self) -> None:
        if self.begin or self.pending:
            self.send()


def _block() -> _Block | None:
    block = getattr(connections[DEFAULT_DB_ALIAS], "_fastsql_block", None)
    return None if block is None or block.sending else block


def _flush_first(execute, sql, params, many, context):
    """Execute wrapper inside an `atomic` block: any other statement (the ORM's, a cursor's) runs
    after BEGIN and the pending writes, in order."""
    block = _block()
    if block is not None:
        block.flush()
    return execute(sql, params, many, context)


def atomic(fn):
    """transaction.atomic for a hot service, of fewer round trips on PostgreSQL when it starts the
    transaction: BEGIN goes with the first statement and COMMIT with the last writes (psycopg's
    pipeline mode), and the writes of `run` wait for the next statement. Elsewhere, and when
    already inside a transaction, plain transaction.atomic. Rows written by `run` get their pk
    when their statement is sent: at the next statement or at COMMIT (decision 12)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        db = connections[DEFAULT_DB_ALIAS]
        if db.vendor != "postgresql" or db.in_atomic_block:
            with transaction.atomic():
                return fn(*args, **kwargs)
        with transaction.atomic():
            db.ensure_connection()
            raw = db.connection
            # psycopg would send its own BEGIN, in a round trip of its own: here BEGIN and COMMIT
            # are sent with the block's statements. Django's atomic still frames the block (its
            # savepoints, on_commit hooks, select_for_update checks); at its exit the server is
            # idle and its COMMIT or ROLLBACK has nothing left to do.
            raw.autocommit = True
            db._fastsql_block = block = _Block()
            try:
                with db.execute_wrapper(_flush_first):
                    result = fn(*args, **kwargs)
                    block.send(commit=True)
            except BaseException:
                _rollback(raw)
                raise
            finally:
                db._fastsql_block = None
                _restore(raw)
            return result

    return wrapper


def _rollback(raw) -> None:
    if not raw.closed and raw.pgconn.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        try:
            raw.execute("ROLLBACK")
        except psycopg.Error:
            raw.close()  # Django's atomic then closes its side of the connection


def _restore(raw) -> None:
    if raw.closed:
        return
    try:
        raw.autocommit = False
    except psycopg.Error:
        raw.close()


def insert(objs: list[Model]) -> None:
    run(Insert(objs))


def update(obj: Model, names: Iterable[str]) -> None:
    run(Update(obj, names))


# ---- measuring -----------------------------------------------------------------------------


class RoundTrips:
    count = 0


@contextmanager
def round_trips():
    """Counts the round trips to the database inside the block (tests, bench/intake.py): on
    PostgreSQL from libpq's trace of the protocol, one per run of messages sent before an answer
    is read; elsewhere one per statement."""
    trips = RoundTrips()
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(db) as queries:
            yield trips
        trips.count = len(queries)
        return
    db.ensure_connection()
    pgconn = db.connection.pgconn
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE)
        try:
            yield trips
        finally:
            pgconn.untrace()
        trace.seek(0)
        sent = False
        for line in trace:
            if line.startswith("F"):
                sent = True
            elif line.startswith("B") and sent:
                trips.count += 1
                sent = False
