"""Plain SQL for hot paths: INSERT, UPDATE and row loading for ordinary models without the ORM's
query compilation, for the few statements that run on every request of a busy path (window
intake: bench/intake.py measured server CPU per intake request 8.6-10.2 -> 5.8-6.3 ms and
92-112 -> 148-163 cases/s when the case services moved their statements here). Only submit and
accept use it (cases/intake.py, cases/transitions.py with `fast=True`), and only while the
setting ONEWINDOW_FASTSQL is on: what each private-API use below buys is measured in decision 17.

Values are converted with Django's own per-field methods (pre_save, get_db_prep_save, the
backend's db converters) — except plain values (str, int, bool, None) of fields that pass them
through unchanged — so rows and instances are those the ORM would give. `run` sends several
writes in one round trip on PostgreSQL (decision 5), each as a prepared statement of the
connection, and `atomic` sends BEGIN and COMMIT with the block's statements (decision 12). The
SQL is plain and parameterized, valid on SQLite and PostgreSQL. `new` and `from_row` build
instances without Model.__init__ (decision 13). Signals are not sent (OneWindow uses none).
Everything else keeps using the ORM.
"""

import datetime as dt
import functools
import itertools
import json
import re
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from functools import lru_cache

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models, transaction
from django.db.models import Model
from django.db.models.base import ModelState


@lru_cache(maxsize=1)
def on_postgresql() -> bool:
    """One database per process, so asked once: each `connection.vendor` is a lookup in the
    connection handler's thread-local storage (2% of an intake's CPU, counted all together)."""
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


@lru_cache(maxsize=512)
def quote(name: str) -> str:
    return connection.ops.quote_name(name)  # one database per process: the same quoting throughout


@lru_cache(maxsize=32)
def select_list(model: type[Model], alias: str) -> str:
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def from_row(model: type[Model], row, start: int = 0) -> Model:
    """The instance for `row[start:]` in concrete-field order (as `select_list` reads it), with the
    converters the ORM's compiler would apply (SQLite dates, JSON …)."""
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: each proxy attribute costs a lookup
    attnames, convs = _load_plan(model)
    values = list(row[start : start + len(attnames)])
    for i, found, col in convs:
        for convert in found:
            values[i] = convert(values[i], col, db)
    # What Model.from_db gives, without Model.__init__'s per-field setattr and its signals.
    obj = model.__new__(model)
    state = obj._state = ModelState()
    state.adding, state.db = False, DEFAULT_DB_ALIAS
    obj.__dict__.update(zip(attnames, values, strict=True))
    return obj


@lru_cache(maxsize=64)
def _load_plan(model: type[Model]) -> tuple[tuple[str, ...], list]:
    """(attnames, [(index, converters, column), …]) of `model`'s rows, built once (one database
    per process, as `on_postgresql`)."""
    db = connections[DEFAULT_DB_ALIAS]
    convs = []
    for i, f in enumerate(model._meta.concrete_fields):
        col = f.get_col(model._meta.db_table)
        found = db.ops.get_db_converters(col) + col.get_db_converters(db)
        if found:
            convs.append((i, found, col))
    return tuple(f.attname for f in model._meta.concrete_fields), convs


@lru_cache(maxsize=64)
def _init_plan(model: type[Model]) -> tuple[tuple, frozenset]:
    """((attname, name of a ForeignKey or None, its target's attname, default), …) per stored
    field (a GeneratedField is the database's, as in Model.__init__), and the other names a
    keyword may set (properties such as pk, other relations by instance)."""
    meta = model._meta
    plan = tuple((f.attname, f.name if f.many_to_one else None, f.target_field.attname if f.many_to_one else None,
                  f.get_default) for f in meta.concrete_fields if not f.generated)  # fmt: skip
    others = frozenset(meta._property_names) | {f.name for f in meta.concrete_fields if f.is_relation}
    return plan, others


def new(model: type[Model], **values) -> Model:
    """model(**values) for the rows a hot path builds (intake builds 13 per case): the same new
    instance without Model.__init__'s per-field lookups (7 µs a row; decision 13). A
    ForeignKey given by instance is cached on the row as its descriptor would cache it; pk,
    properties and other relations are set through their descriptors."""
    plan, others = _init_plan(model)
    obj = model.__new__(model)
    state = obj._state = ModelState()
    d = obj.__dict__
    for attname, fk, target, default in plan:
        if fk is not None and fk in values:
            parent = values.pop(fk)
            d[attname] = None if parent is None else getattr(parent, target)
            state.fields_cache[fk] = parent
        elif attname in values:
            d[attname] = values.pop(attname)
        else:
            d[attname] = default()
    for name, value in values.items():
        if name not in others:
            raise TypeError(f"{model.__name__}() got an unexpected keyword argument {name!r}")
        setattr(obj, name, value)
    return obj


@lru_cache(maxsize=64)
def _insert_sql(model: type[Model], rows: int, with_pk: bool, skip_conflicting: str | None = None
                ) -> tuple[list, str]:  # fmt: skip
    """(columns, SQL) of an INSERT of `rows` rows of `model`, built once (quoting showed in the profile)."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_pk or f is not meta.pk]
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    conflict = f" ON CONFLICT ({quote(skip_conflicting)}) DO NOTHING" if skip_conflicting else ""
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES {', '.join([one] * rows)}{conflict} RETURNING {quote(meta.pk.column)}")  # fmt: skip
    return _columns(fields), sql


@lru_cache(maxsize=64)
def _insert_json_sql(model: type[Model], with_pk: bool) -> tuple[list, str]:
    """(columns, SQL) of a PostgreSQL INSERT of the rows of one JSON array (json_populate_recordset
    reads it with the table's own row type, so each value is converted as its column requires;
    rows come back in the array's order, as Django's bulk_create relies on for VALUES)."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_pk or f is not meta.pk]
    table, columns = quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
    sql = (f"INSERT INTO {table} ({columns}) SELECT {columns} FROM json_populate_recordset(NULL::{table}, %s) "
           f"RETURNING {quote(meta.pk.column)}")  # fmt: skip
    return _columns(fields), sql


@lru_cache(maxsize=128)
def _update_sql(model: type[Model], names: tuple[str, ...]) -> tuple[list, str]:
    """(columns, SQL) of an UPDATE of the fields `names` of one row by its pk."""
    meta = model._meta
    fields = [meta.get_field(n) for n in names]
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    return _columns(fields), f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s"


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


def _plain_types(field) -> tuple[type, ...]:
    """The value types `field` passes through unchanged (none for fields that compute on save)."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return ()
    if isinstance(target, models.AutoField | models.BigAutoField | models.SmallAutoField):
        return (int,)
    types = _PLAIN.get(type(target), ())
    return (*types, type(None)) if types and field.null else types


def _columns(fields: list) -> list[tuple]:
    """(field, attname, plain types, is a relation) per field, computed once with its statement:
    a Field's own __hash__ is Python code, which a cache lookup per column per row ran."""
    return [(f, f.attname, _plain_types(f), f.is_relation) for f in fields]


def _db_values(objs: list[Model], columns: list[tuple], add: bool) -> list:
    conn = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: each proxy attribute costs a lookup
    params = []
    for obj in objs:
        for f, attname, plain, relation in columns:
            value = getattr(obj, attname)
            if value is None and relation and f.is_cached(obj):
                # The parent was saved after this row was built (as Model.save() re-reads it).
                parent = f.get_cached_value(obj)
                value = None if parent is None else parent.pk
                setattr(obj, attname, value)
            if type(value) in plain:
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
        if len(objs) > 1 and on_postgresql():
            # Many rows as ONE JSON parameter: psycopg re-parses (does not cache) a query of more
            # than 50 parameters, which cost more than the round trip a batch saves.
            columns, sql = _insert_json_sql(type(objs[0]), with_pk)
            values = _db_values(objs, columns, True)
            n = len(columns)
            rows = [{c[0].column: _json_value(v) for c, v in zip(columns, values[i : i + n], strict=True)}
                    for i in range(0, len(values), n)]  # fmt: skip
            return sql, [json.dumps(rows, ensure_ascii=False)]
        columns, sql = _insert_sql(type(objs[0]), len(objs), with_pk, self.skip_conflicting)
        return sql, _db_values(objs, columns, True)

    def done(self, rows: list, rowcount: int) -> None:
        if self.skip_conflicting and not rows:
            return  # the row was there already
        for obj, (pk,) in zip(self.objs, rows, strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS


class Update:
    """save(update_fields=names): UPDATE … WHERE id = %s, and the same error if no row matched."""

    def __init__(self, obj: Model, names: Iterable[str]):
        self.obj, self.names = obj, names

    def statement(self) -> tuple[str, list]:
        obj = self.obj
        columns, sql = _update_sql(type(obj), tuple(dict.fromkeys(self.names)))
        return sql, [*_db_values([obj], columns, False), obj.pk]

    def done(self, rows: list, rowcount: int) -> None:
        if rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")


class Read:
    """A query that goes with the writes of `run`: inside an `atomic` block on PostgreSQL it waits
    for the block's next statement (submit's look-up of shared licenses rides with the case
    number's round trip: no round trip of its own); elsewhere it runs at once. `result()` gives
    its rows, sending the block's pending statements first if they have not gone yet."""

    def __init__(self, sql: str, params: list):
        self.sql, self.params, self.rows = sql, params, None

    def statement(self) -> tuple[str, list]:
        return self.sql, self.params

    def done(self, rows: list, rowcount: int) -> None:
        self.rows = rows

    def result(self) -> list[tuple]:
        if self.rows is None:
            _block().flush()
        return self.rows


def _waits_for_parent(write: Insert | Update | Read) -> bool:
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


def run(*writes: Insert | Update | Read | None) -> None:
    """The writes (and reads) in order. On PostgreSQL in ONE round trip when every row's parent key is known
    beforehand (`_send`); inside an `atomic` block they wait to go with the block's next
    statement or its COMMIT. Elsewhere, or when a parent is inserted in the same run without a pk
    yet, one statement after the other. Empty inserts and None are skipped."""
    writes = [w for w in writes if w is not None and not (isinstance(w, Insert) and not w.objs)]
    together = on_postgresql() and not any(_waits_for_parent(w) for w in writes)
    block = _block()
    if together and block is not None:
        block.pending.extend(writes)  # sent with the block's next statement or its COMMIT
        return
    if block is not None:
        block.flush()
    if together:
        for w, (rows, rowcount) in zip(writes, _send([w.statement() for w in writes]), strict=True):
            w.done(rows, rowcount)
        return
    with connection.cursor() as cursor:
        for w in writes:
            sql, params = w.statement()
            cursor.execute(sql, params)
            w.done(cursor.fetchall() if cursor.description else [], cursor.rowcount)


def fetch(sql: str, params: list) -> list[tuple]:
    """The rows of one query. On PostgreSQL as a prepared statement (`_send`); inside an `atomic`
    block sent with its BEGIN or its pending writes."""
    if not on_postgresql():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    block = _block()
    if block is not None:
        return block.send(after=(sql, params))
    ((rows, _),) = _send([(sql, params)])
    return rows


def _send(statements: list[tuple[str, list]], *, begin: bool = False, commit: bool = False) -> list[tuple]:
    """Sends the statements, with BEGIN and COMMIT if asked, as ONE query (Django's cursor binds
    the parameters on the client; PostgreSQL runs the statements in order, each answering in its
    own result set); returns (rows, rowcount) per statement. Each statement runs as a prepared
    statement of the connection — PREPARE on first use, EXECUTE after — so PostgreSQL parses and
    plans it once per connection, not per request (bench/intake.py: its CPU per case 1.7 -> 0.9
    ms, decision 12). DB_PREPARED_STATEMENTS=false sends the statements as they are."""
    db = connections[DEFAULT_DB_ALIAS]
    cursor = _cursor(db)
    prepared = _prepared(db) if settings.DB_PREPARED_STATEMENTS else None
    # (SQL, whether its result is a statement's answer), in order; each part answers in a result set.
    parts, params, made = [("BEGIN", False)] if begin else [], [], []
    for sql, values in statements:
        if prepared is None:
            parts.append((sql, True))
        else:
            name = prepared.get(sql)
            if name is None:
                name = prepared[sql] = f"fastsql_{next(_names)}"
                made.append(sql)
                parts.append((f"PREPARE {name} AS {_numbered(sql)}", False))
            parts.append(
                (f"EXECUTE {name}({', '.join(['%s'] * len(values))})" if values else f"EXECUTE {name}", True)
            )
        params.extend(values)
    if commit:
        parts.append(("COMMIT", False))
    results = []
    try:
        cursor.execute(";\n".join(sql for sql, _ in parts), params)
        # The results are read from psycopg's cursor itself: execute() has received them all
        # (an error of any statement raised there, as Django's error), and each method of
        # Django's wrapper is wrapped anew on every access (3% of an intake's CPU, bench).
        raw = cursor.cursor
        for i, (_, answer) in enumerate(parts):
            if i:
                raw.nextset()
            if answer:
                # pgresult.nfields, not description: psycopg builds description's Column objects
                # for every column of the result on each access (65 per case at intake).
                results.append((raw.fetchall() if raw.pgresult.nfields else [], raw.rowcount))
    except BaseException:
        for sql in made:  # perhaps not prepared: a new name next time (no clash either way)
            prepared.pop(sql, None)
        raise
    return results


_names = itertools.count(1)


def _cursor(db):
    """The connection's cursor for fastsql's queries, made once per connection (and again when
    query logging is switched on or off): a cursor of its own per query cost 3% of an intake's
    CPU (bench/intake.py). A psycopg cursor may execute again after an error."""
    db.close_if_health_check_failed()
    db.ensure_connection()
    logged = db.queries_logged
    found = getattr(db, "_fastsql_cursor", None)
    if found is None or found[0] is not db.connection or found[1] != logged:
        found = db._fastsql_cursor = (db.connection, logged, db.cursor())
    return found[2]


def _prepared(db) -> dict[str, str]:
    """SQL → name of its prepared statement on the current database connection (prepared
    statements live as long as the connection; rollback does not undo them)."""
    raw = db.connection
    found = getattr(db, "_fastsql_prepared", None)
    if found is None or found[0] is not raw:
        found = db._fastsql_prepared = (raw, {})
    return found[1]


@lru_cache(maxsize=256)
def _numbered(sql: str) -> str:
    """Django's %s placeholders as PREPARE's $1, $2, … A literal %% stays as it is: the PREPARE
    goes through the cursor's parameter binding with the rest of the query."""
    numbers = itertools.count(1)
    return re.sub(r"%%|%s", lambda m: m.group() if m.group() == "%%" else f"${next(numbers)}", sql)


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
        if not statements and self.begin == commit:
            return []  # nothing to send, or a COMMIT of a transaction that never began
        self.sending = True
        try:
            results = _send(statements, begin=self.begin, commit=commit)
        finally:
            self.sending = False
        self.begin = False
        for w, (rows, rowcount) in zip(writes, results, strict=False):
            w.done(rows, rowcount)
        return results[-1][0] if after else []

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
    transaction: BEGIN goes with the first statement and COMMIT with the last writes, in one query
    each, and the writes of `run` wait for the next statement. Elsewhere, and when
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


def copy_rows(model: type[Model], rows: list[dict], batch_size: int = 5000) -> None:
    """Many new rows of `model`, given by attribute name (the others take their field's default):
    PostgreSQL's COPY while ONEWINDOW_FASTSQL is on, else the ORM's bulk insert. For the few
    set-based writes of many rows: the generated history (foresight.history: 72,000 cases with
    their steps and events, 105 s by bulk insert, 15 s by COPY) and the forecast's scores of every
    open case (foresight.services.score: 87,564 rows with their reasons, 10.1 s → see decision 51)."""
    if not rows:
        return
    if not (settings.ONEWINDOW_FASTSQL and on_postgresql()):
        model.objects.bulk_create([model(**r) for r in rows], batch_size=batch_size)
        return
    fields = [
        f for f in model._meta.concrete_fields if f is not model._meta.auto_field or f.attname in rows[0]
    ]
    names = [f.attname for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for r in rows:
            copy.write_row(
                [json.dumps(r.get(n, defaults[n]), ensure_ascii=False) if n in json_fields else r.get(n, defaults[n])
                 for n in names]
            )  # fmt: skip
