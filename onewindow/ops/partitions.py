"""The audit trail partitioned by the year of its case (decision 50): `cases_caseevent` becomes a
table PARTITION BY RANGE (case_id), one partition per year. Case ids are issued in time order, so
the first case id of a year is that year's lower bound; every event of a case lies in one
partition, the unique (case, seq) keeps holding (it contains the partition key), a case's history
is read from one partition, and an old year can be moved or detached on its own.

PostgreSQL only and opt-in (`manage.py partition_events`): the model and the ORM are unchanged.
What changes in the database, and why:
- the primary key is (id, case_id) — PostgreSQL requires every unique key of a partitioned table
  to contain the partition key; `id` alone stays unique in practice (one sequence issues it);
- `id` takes its default from a sequence OWNED BY the column (PostgreSQL 15 refuses identity
  columns on a partitioned table); Django resets it through pg_get_serial_sequence as before;
- a foreign key *to* an event (documents' notice numbers) cannot reference `id` alone any more:
  it becomes a deferred constraint trigger doing the same check (REFERENCED), and deleting a
  referenced event is refused by another (events are append-only anyway: ARCHITECTURE.md "Audit
  trail"; the ORM still cascades in Python as before).

`convert` and `undo` run in one transaction under an ACCESS EXCLUSIVE lock on the events; `roll`
closes the open-ended current partition at the year's turn and opens the next year's."""

import re
from dataclasses import dataclass

from django.db import connection, transaction

from onewindow import clock
from onewindow.cases.models import Case, CaseEvent
from onewindow.errors import DomainError

EVENTS = CaseEvent._meta.db_table
CASES = Case._meta.db_table
OLD = f"{EVENTS}_unpartitioned"
# The trigger function checking a reference to an event, and the trigger refusing to delete one.
REFERENCED = f"{EVENTS}_referenced"
STILL_REFERENCED = f"{EVENTS}_still_referenced"
PARTITION = re.compile(rf"^{EVENTS}_y(\d{{4}})$")


class PartitionError(DomainError):
    pass


@dataclass(frozen=True)
class Partition:
    name: str
    year: int
    low: int | None  # None: MINVALUE
    high: int | None  # None: MAXVALUE — the open partition of the current year


@dataclass(frozen=True)
class Plan:
    statements: list[str]
    partitions: list[Partition]


def available() -> None:
    if connection.vendor != "postgresql":
        raise PartitionError(
            "partition.postgresql_only",
            "按年分区仅适用于 PostgreSQL，当前数据库未作任何改动。"
            "(Partitioning by year is for PostgreSQL only; nothing was changed.)",
        )


def is_partitioned() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [EVENTS])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def partitions() -> list[Partition]:
    """The partitions in bound order (the open one last)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i
               JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)""",
            [EVENTS],
        )
        rows = cursor.fetchall()
    found = []
    for name, bound in rows:
        low, high = re.match(r"FOR VALUES FROM \((\S+)\) TO \((\S+)\)", bound).groups()
        year = PARTITION.match(name)
        found.append(Partition(name, int(year.group(1)) if year else 0, _value(low), _value(high)))
    return sorted(found, key=lambda p: (p.low is not None, p.low or 0))


def _value(bound: str) -> int | None:
    return None if bound in ("MINVALUE", "MAXVALUE") else int(bound.strip("'"))  # bigint bounds print quoted


def _bound(value: int | None, infinite: str) -> str:
    return infinite if value is None else str(int(value))


def _partition_sql(p: Partition) -> str:
    return (f'CREATE TABLE "{p.name}" PARTITION OF "{EVENTS}" '
            f"FOR VALUES FROM ({_bound(p.low, 'MINVALUE')}) TO ({_bound(p.high, 'MAXVALUE')})")  # fmt: skip


def year_bounds() -> list[Partition]:
    """One partition per year that has cases (by their received_at in the hall's zone): year Y
    starts at the smallest id among cases of year Y or later, so the bounds only grow even where a
    back-dated case breaks the time order of ids. The first starts at MINVALUE, the last is open."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT y, min(first) OVER (ORDER BY y DESC) FROM (
                    SELECT extract(year FROM received_at AT TIME ZONE %s)::int AS y, min(id) AS first
                    FROM "{CASES}" GROUP BY 1) years ORDER BY y""",
            [str(clock.hall_tz())],
        )
        years = cursor.fetchall()
    if not years:
        return [Partition(f"{EVENTS}_y{clock.today().year}", clock.today().year, None, None)]
    kept = []
    for year, low in years:
        if kept and kept[-1][1] == low:
            kept.pop()  # every case of that year lies before a later year's first: an empty year
        kept.append((year, low))
    return [Partition(f"{EVENTS}_y{year}", year, None if i == 0 else low,
                      kept[i + 1][1] if i + 1 < len(kept) else None)
            for i, (year, low) in enumerate(kept)]  # fmt: skip


def _columns() -> str:
    return ", ".join(f'"{f.column}"' for f in CaseEvent._meta.concrete_fields)


def _references() -> list[tuple[str, str, str]]:
    """(table, column, constraint) of every foreign key to an event, read from the catalog."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT conrelid::regclass::text, a.attname, conname FROM pg_constraint c
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
               WHERE c.contype = 'f' AND c.confrelid = to_regclass(%s) ORDER BY 1, 2""",
            [EVENTS],
        )
        return cursor.fetchall()


def _one(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def plan() -> Plan:
    """The statements converting the plain table (read from the catalog, nothing changed)."""
    available()
    if is_partitioned():
        raise PartitionError("partition.already", f"{EVENTS} 已按年分区。(Already partitioned.)")
    parts = year_bounds()
    references = _references()
    sequence = _one("SELECT pg_get_serial_sequence(%s, 'id')", [EVENTS])[0]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = to_regclass(%s) AND contype = 'f' ORDER BY conname""",
            [EVENTS],
        )
        own_keys = cursor.fetchall()
        cursor.execute(
            """SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = to_regclass(%s) ORDER BY 1""",
            [EVENTS],
        )
        indexes = [name for (name,) in cursor.fetchall()]
    cols = _columns()
    s = [f'LOCK TABLE "{EVENTS}" IN ACCESS EXCLUSIVE MODE']
    s += [f'ALTER TABLE {table} DROP CONSTRAINT "{name}"' for table, _, name in references]
    s += [f'ALTER TABLE "{EVENTS}" RENAME TO "{OLD}"']
    s += [f'ALTER INDEX "{name}" RENAME TO "{name}_old"' for name in indexes]
    s += [f"ALTER SEQUENCE {sequence} RENAME TO {EVENTS}_id_seq_old"]
    s += [
        f'CREATE TABLE "{EVENTS}" (LIKE "{OLD}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS) '
        "PARTITION BY RANGE (case_id)",
        f'CREATE SEQUENCE "{EVENTS}_id_seq" AS bigint OWNED BY "{EVENTS}"."id"',
        f"SELECT setval('\"{EVENTS}_id_seq\"', last_value, is_called) FROM {EVENTS}_id_seq_old",
        f"""ALTER TABLE "{EVENTS}" ALTER COLUMN "id" SET DEFAULT nextval('"{EVENTS}_id_seq"')""",
    ]
    s += [_partition_sql(p) for p in parts]
    # Rows first, keys after: one index build per partition instead of row-by-row maintenance.
    s += [f'INSERT INTO "{EVENTS}" ({cols}) SELECT {cols} FROM "{OLD}"']
    s += [
        f'ALTER TABLE "{EVENTS}" ADD CONSTRAINT "{EVENTS}_pkey" PRIMARY KEY ("id", "case_id")',
        f'ALTER TABLE "{EVENTS}" ADD CONSTRAINT "case_event_seq_unique" UNIQUE ("case_id", "seq")',
    ]
    s += [f'ALTER TABLE "{EVENTS}" ADD CONSTRAINT "{name}" {definition}' for name, definition in own_keys]
    s += [f'DROP TABLE "{OLD}"']
    if references:
        s += _reference_triggers(references)
    return Plan(s, parts)


def _reference_triggers(references) -> list[str]:
    """The foreign keys to an event, as triggers: an event's id is still issued once by one
    sequence, but no unique index on `id` alone can exist across partitions for a key to point at."""
    s = [
        f"""CREATE FUNCTION "{REFERENCED}"() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE found boolean; target bigint;
            BEGIN
                EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) INTO target USING NEW;
                IF target IS NULL THEN RETURN NULL; END IF;
                SELECT EXISTS (SELECT 1 FROM "{EVENTS}" WHERE id = target) INTO found;
                IF NOT found THEN
                    RAISE EXCEPTION 'insert or update on table "%" violates foreign key "%"', TG_TABLE_NAME, TG_NAME
                        USING ERRCODE = 'foreign_key_violation';
                END IF;
                RETURN NULL;
            END $$""",
        f"""CREATE FUNCTION "{STILL_REFERENCED}"() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE i int := 0; found boolean;
            BEGIN
                WHILE i < TG_NARGS LOOP
                    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I = $1)', TG_ARGV[i], TG_ARGV[i + 1])
                        INTO found USING OLD.id;
                    IF found THEN
                        RAISE EXCEPTION 'delete on table "{EVENTS}" violates foreign key from "%"', TG_ARGV[i]
                            USING ERRCODE = 'foreign_key_violation';
                    END IF;
                    i := i + 2;
                END LOOP;
                RETURN NULL;
            END $$""",
    ]
    s += [
        f'CREATE CONSTRAINT TRIGGER "{name}" AFTER INSERT OR UPDATE ON {table} DEFERRABLE INITIALLY DEFERRED '
        f"FOR EACH ROW EXECUTE FUNCTION \"{REFERENCED}\"('{column}')"
        for table, column, name in references
    ]
    args = ", ".join(f"'{table}', '{column}'" for table, column, _ in references)
    s += [
        f'CREATE CONSTRAINT TRIGGER "{STILL_REFERENCED}" AFTER DELETE ON "{EVENTS}" DEFERRABLE INITIALLY DEFERRED '
        f'FOR EACH ROW EXECUTE FUNCTION "{STILL_REFERENCED}"({args})'
    ]
    return s


def convert() -> list[Partition]:
    """Converts the plain events table in place, in one transaction; returns the partitions."""
    with transaction.atomic():
        done = plan()
        with connection.cursor() as cursor:
            for statement in done.statements:
                cursor.execute(statement)
    return done.partitions


def undo() -> None:
    """Back to the plain table the migrations made (one transaction): the model's own DDL, the rows
    moved back, the id sequence continued and the foreign keys to events restored."""
    available()
    with transaction.atomic():
        if not is_partitioned():
            raise PartitionError("partition.not_partitioned", f"{EVENTS} 未分区。(Not partitioned.)")
        cols = _columns()
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{EVENTS}" IN ACCESS EXCLUSIVE MODE')
            cursor.execute(
                """SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgfoid = to_regproc(%s)""",
                [f'"{REFERENCED}"'],
            )
            for table, name in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}" ON {table}')
            cursor.execute(f'DROP TRIGGER IF EXISTS "{STILL_REFERENCED}" ON "{EVENTS}"')
            cursor.execute(f'DROP FUNCTION IF EXISTS "{REFERENCED}"(), "{STILL_REFERENCED}"()')
            cursor.execute(
                f'SELECT last_value + (CASE WHEN is_called THEN 1 ELSE 0 END) FROM "{EVENTS}_id_seq"'
            )
            restart = cursor.fetchone()[0]
            cursor.execute(f'ALTER TABLE "{EVENTS}" RENAME TO "{EVENTS}_partitioned"')
            cursor.execute(f'ALTER SEQUENCE "{EVENTS}_id_seq" RENAME TO "{EVENTS}_id_seq_old"')
            for name in (f"{EVENTS}_pkey", "case_event_seq_unique"):
                cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{name}_old"')
        with connection.schema_editor() as editor:
            editor.create_model(CaseEvent)
        with connection.cursor() as cursor:
            # Before the rows: their deferred foreign-key checks would forbid any ALTER after them.
            cursor.execute(f'ALTER TABLE "{EVENTS}" ALTER COLUMN "id" RESTART WITH {int(restart)}')
            cursor.execute(f'INSERT INTO "{EVENTS}" ({cols}) SELECT {cols} FROM "{EVENTS}_partitioned"')
            cursor.execute(f'DROP TABLE "{EVENTS}_partitioned"')
        with connection.schema_editor() as editor:
            # include_hidden: a notice number's key has related_name="+".
            for relation in CaseEvent._meta.get_fields(include_hidden=True):
                if (
                    relation.auto_created
                    and not relation.concrete
                    and (relation.one_to_many or relation.one_to_one)
                ):
                    editor.execute(editor._create_fk_sql(relation.related_model, relation.field,
                                                         "_fk_%(to_table)s_%(to_column)s"))  # fmt: skip


@dataclass(frozen=True)
class Rolled:
    closed: Partition
    opened: Partition


def roll() -> Rolled | None:
    """The year's turn (operator's guide "Partitioning"): the open partition of a past year is
    closed at the next case id and the current year's opens from there. None when the current
    year's is already open. The bound is taken from the cases' sequence (nextval) while the events
    are locked: every case issued before has a smaller id, every later one a greater, and no event
    can be written meanwhile, so no row of the closed partition can lie beyond it.

    PostgreSQL 15 cannot move a partition's bound: the open partition is detached, given a CHECK
    constraint of its new bound (validated: one scan of the year's events, under the lock) so that
    ATTACH PARTITION skips its own scan, re-attached with the bound, and the CHECK dropped."""
    available()
    with transaction.atomic():
        if not is_partitioned():
            raise PartitionError("partition.not_partitioned", f"{EVENTS} 未分区。(Not partitioned.)")
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{EVENTS}" IN ACCESS EXCLUSIVE MODE')
        current = partitions()[-1]
        year = clock.today().year
        if current.high is not None or current.year >= year:
            return None
        bound = _one("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [CASES])[0]
        closed = Partition(current.name, current.year, current.low, bound)
        opened = Partition(f"{EVENTS}_y{year}", year, bound, None)
        check = f"{current.name}_bound"
        low = "" if current.low is None else f'"case_id" >= {int(current.low)} AND '
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE "{EVENTS}" DETACH PARTITION "{current.name}"')
            cursor.execute(
                f'ALTER TABLE "{current.name}" ADD CONSTRAINT "{check}" CHECK ({low}"case_id" < {int(bound)})'
            )
            cursor.execute(
                f'ALTER TABLE "{EVENTS}" ATTACH PARTITION "{current.name}" '
                f"FOR VALUES FROM ({_bound(current.low, 'MINVALUE')}) TO ({int(bound)})"
            )
            cursor.execute(f'ALTER TABLE "{current.name}" DROP CONSTRAINT "{check}"')
            cursor.execute(_partition_sql(opened))
    return Rolled(closed, opened)


def rows_estimate() -> dict[str, int]:
    """pg_class's estimate of each partition's rows (exact counts would read 25 million events)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, greatest(c.reltuples, 0)::bigint FROM pg_inherits i
               JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)""",
            [EVENTS],
        )
        return dict(cursor.fetchall())
