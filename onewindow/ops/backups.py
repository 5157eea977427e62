"""Backups (issue 21, "Faults"). `backup` writes one directory: the database (pg_dump's custom
format on PostgreSQL, SQLite's online backup API on SQLite), the uploads (MEDIA_ROOT as a tar) and
a manifest — when it was taken, the engine, the migrations applied, the rows of every table and the
head of every audit chain, all read from the very snapshot that was dumped. `restore` puts a backup
back and proves it: the same rows in every table, every chain whole (ops/chains.py, as
`manage.py verify_audit`) and ending where it ended when the backup was taken."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader

from onewindow import clock
from onewindow.errors import DomainError
from onewindow.ops import chains

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media.tar"
DATABASE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(DomainError):
    pass


@dataclass
class Restored:
    manifest: dict
    seconds: float
    # Migrations the code knows beyond the backup's: `manage.py migrate` brings the database up to them.
    pending: list[str] = field(default_factory=list)


def default_output() -> Path:
    return (
        Path(settings.VAR_DIR)
        / "backups"
        / f"onewindow-{clock.now().astimezone(clock.hall_tz()):%Y%m%d-%H%M%S}"
    )


def backup(output: Path) -> dict:
    """Writes a backup into the new directory `output` and returns its manifest. The directory is
    written as `<output>.partial` and renamed when complete: a directory with a manifest is whole."""
    output = Path(output)
    if output.exists():
        raise BackupError("backup.exists", f"备份目录已存在：{output}")
    engine = _engine()
    partial = output.with_name(output.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    started = time.monotonic()
    database = partial / DATABASE[engine]
    census = _dump_postgresql(database) if engine == "postgresql" else _dump_sqlite(database)
    # After the database's snapshot: an upload is written before the row that names it is committed,
    # so every file a row of the snapshot names is in the tar (files uploaded since are harmless).
    media = _tar_media(partial / MEDIA)
    manifest = {
        "format": FORMAT,
        "created_at": clock.now().isoformat(),
        "engine": engine,
        "django": django.get_version(),
        "database": _file_entry(database),
        "media": media,
        **census,
        "seconds": round(time.monotonic() - started, 3),
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    partial.rename(output)
    return manifest


def read_manifest(path: Path) -> dict:
    """The manifest of the backup in `path`, after checking that its files are those it names."""
    path = Path(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError("backup.no_manifest", f"{path} 不是完整的备份（缺少 {MANIFEST}）") from None
    if manifest.get("format") != FORMAT:
        raise BackupError("backup.format", f"备份格式 {manifest.get('format')} 不受支持（应为 {FORMAT}）")
    for entry in filter(None, (manifest["database"], manifest["media"])):
        file = path / entry["file"]
        if not file.exists() or _file_entry(file)["sha256"] != entry["sha256"]:
            raise BackupError("backup.corrupt", f"备份文件 {file} 缺失或已损坏（校验和不符）")
    return manifest


def check_restorable(manifest: dict, *, force: bool = False) -> list[str]:
    """Refuses a backup that this database or this code cannot take: another engine always; unless
    `force`, a database already migrated differently (restoring would mix two schemas' worth of
    assumptions) or a backup made by newer code. Returns the migrations to apply after it."""
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError("restore.engine", f"备份来自 {manifest['engine']}，当前数据库是 {engine}，无法恢复")
    taken = set(manifest["migrations"])
    with connection.cursor() as cursor:
        tables = _tables(cursor, engine)
        present = _migrations(cursor) if "django_migrations" in tables else set()
    known = {
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    if not force and tables and present != taken:
        raise BackupError(
            "restore.migrations_differ",
            f"当前数据库的迁移状态与备份不同（数据库多 {len(present - taken)} 个、少 {len(taken - present)} 个迁移）；"
            "确认要覆盖请加 --force",
            details={"only_database": sorted(present - taken), "only_backup": sorted(taken - present)},
        )
    if not force and not taken <= known:
        raise BackupError("restore.newer_backup", f"备份含本版本代码没有的迁移：{', '.join(sorted(taken - known))}；请用更新的版本恢复，或加 --force")  # fmt: skip
    return sorted(known - taken)


def restore(path: Path, *, force: bool = False) -> Restored:
    """Replaces the database (and MEDIA_ROOT) with the backup in `path`, then proves the result
    (`prove`); raises BackupError naming every difference."""
    path = Path(path)
    manifest = read_manifest(path)
    pending = check_restorable(manifest, force=force)
    started = time.monotonic()
    database = path / manifest["database"]["file"]
    connections.close_all()  # the restore replaces what an open connection would still hold
    if manifest["engine"] == "postgresql":
        _load_postgresql(database)
    else:
        _load_sqlite(database)
    if manifest["media"]:
        _untar_media(path / MEDIA)
    prove(manifest)
    return Restored(manifest=manifest, seconds=round(time.monotonic() - started, 3), pending=pending)


def prove(manifest: dict) -> None:
    """The database holds what the manifest says: every table its rows, every chain its head, and
    every chain verifies event by event."""
    with connection.cursor() as cursor:
        census = _census(cursor, _engine())
    problems = [f"表 {table}: 备份 {rows} 行，恢复后 {census['tables'].get(table, '无此表')} 行"
                for table, rows in manifest["tables"].items() if census["tables"].get(table) != rows]  # fmt: skip
    problems += [f"留痕链 {name}: 链头与备份时不符" for name, head in manifest["chains"].items()
                 if census["chains"].get(name) != head]  # fmt: skip
    problems += [f"留痕 {subject}: 第{seq}条事件起 {why}" for subject, seq, why in chains.broken()]
    if problems:
        raise BackupError(
            "restore.mismatch", f"恢复后核对失败（{len(problems)} 处）", details={"problems": problems}
        )


def _engine() -> str:
    if connection.vendor not in DATABASE:
        raise BackupError("backup.engine", f"不支持的数据库：{connection.vendor}")
    return connection.vendor


# --- PostgreSQL ----------------------------------------------------------------------------------


def _dump_postgresql(database: Path) -> dict:
    """pg_dump of the snapshot the census was counted in: one REPEATABLE READ transaction exports
    its snapshot and pg_dump reads that same one, so the manifest's counts are the dump's."""
    if connection.in_atomic_block:
        raise BackupError("backup.in_transaction", "备份须在事务之外运行")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        census = _census(cursor, "postgresql")
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={database}"])
    return census


# Before pg_restore's own drops: each partitioned table with its partitions (decision 50).
# pg_restore --clean drops a partition's inherited primary key before its table, which PostgreSQL
# refuses ("cannot drop inherited constraint") while the partition is attached; once the
# partitioned table is gone, those drops (IF EXISTS) have nothing left to do.
DROP_PARTITIONED = """DO $$ DECLARE t regclass; BEGIN
    FOR t IN SELECT oid::regclass FROM pg_class WHERE relkind = 'p' AND NOT relispartition
             AND relnamespace = current_schema()::regnamespace LOOP
        EXECUTE format('DROP TABLE %s CASCADE', t);
    END LOOP; END $$;
"""


def _load_postgresql(database: Path) -> None:
    """pg_restore writes the script (--clean --if-exists: drop each object before re-creating it;
    --no-owner: the restoring role owns what it creates) and psql runs it in one transaction after
    DROP_PARTITIONED. COMMIT is sent only when pg_restore read the whole dump: a failed restore
    leaves the database as it was."""
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as load_err:
        try:
            load = subprocess.Popen(["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=load_err, env=_pg_environment())  # fmt: skip
            restore = subprocess.Popen(["pg_restore", "--clean", "--if-exists", "--exit-on-error", "--no-owner",
                                        "--file=-", str(database)], stdout=subprocess.PIPE, stderr=restore_err,
                                       env=_pg_environment())  # fmt: skip
        except FileNotFoundError as missing:
            raise BackupError(
                "backup.no_client",
                f"找不到 {missing.filename}：请安装 PostgreSQL 客户端（postgresql-client）",
            ) from None
        try:
            load.stdin.write(b"BEGIN;\n" + DROP_PARTITIONED.encode())
            shutil.copyfileobj(restore.stdout, load.stdin)
            if restore.wait() == 0:
                load.stdin.write(b"COMMIT;\n")
        except BrokenPipeError:
            pass  # psql stopped at an error (ON_ERROR_STOP): its session ends, the transaction rolls back
        finally:
            restore.stdout.close()
            if restore.poll() is None:
                restore.kill()  # psql stopped first: pg_restore's output has nowhere to go
            try:
                load.stdin.close()
            except BrokenPipeError:
                pass
        for name, process, errors in (("pg_restore", restore, restore_err), ("psql", load, load_err)):
            if process.wait() != 0:
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip()
                raise BackupError(
                    "backup.pg_failed", f"{name} 失败（退出码 {process.returncode}）：{message}"
                )


def _run(command: list[str]) -> None:
    """pg_dump/pg_restore against settings.DATABASES["default"]: the connection in PG* variables,
    the password in PGPASSWORD, never on a command line (where `ps` shows it to every user)."""
    try:
        done = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(
            "backup.no_client", f"找不到 {command[0]}：请安装 PostgreSQL 客户端（postgresql-client）"
        ) from None
    if done.returncode != 0:
        raise BackupError(
            "backup.pg_failed", f"{command[0]} 失败（退出码 {done.returncode}）：{done.stderr.strip()}"
        )


def _pg_environment() -> dict[str, str]:
    db = connection.settings_dict
    _, extra = connection.client.settings_to_cmd_args_env(db, [])  # PGPASSWORD, PGSSLMODE, PGSERVICE, …
    environment = {**os.environ, **(extra or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGDATABASE", "NAME")):
        if db.get(key):
            environment[variable] = str(db[key])
    return environment


# --- SQLite --------------------------------------------------------------------------------------


def _dump_sqlite(database: Path) -> dict:
    """The online backup API copies a consistent image while the hall keeps writing; the census is
    then counted in the copy itself."""
    source = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
    copy = sqlite3.connect(database)
    try:
        source.backup(copy)
        return _census(copy.cursor(), "sqlite")
    finally:
        copy.close()
        source.close()


def _load_sqlite(database: Path) -> None:
    source = sqlite3.connect(database)
    target = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
    try:
        source.backup(target)  # takes the target's write lock and replaces every page
    finally:
        target.close()
        source.close()


# --- What a backup holds -------------------------------------------------------------------------


def _census(cursor, engine: str) -> dict:
    """The migrations applied, the rows of every table and every chain's head, read through `cursor`
    (a DB-API cursor: Django's, or sqlite3's on the copy)."""
    tables = {}
    for table in sorted(_tables(cursor, engine)):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        tables[table] = cursor.fetchone()[0]
    return {"migrations": sorted(_migrations(cursor)), "tables": tables, "chains": _chain_heads(cursor)}


def _tables(cursor, engine: str) -> set[str]:
    if engine == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) != 'sqlite_'"
        )
    return {name for (name,) in cursor.fetchall()}


def _migrations(cursor) -> set[str]:
    cursor.execute('SELECT "app", "name" FROM "django_migrations"')
    return {f"{app}.{name}" for app, name in cursor.fetchall()}


def _chain_heads(cursor) -> dict[str, dict]:
    """Per chain: its subjects, their events and one digest over every subject's (key, event count,
    last hash). A chain that verifies can still have lost whole subjects with all their events, or
    its newest events with the head rewound; the digest tells."""
    heads = {}
    for chain in chains.CHAINS:
        digest, subjects, events = hashlib.sha256(), 0, 0
        for model in chain.subjects:
            meta = model._meta
            count, last = meta.get_field("event_count").column, meta.get_field("last_hash").column
            cursor.execute(
                f'SELECT "{meta.pk.column}", "{count}", "{last}" FROM "{meta.db_table}" ORDER BY 1'
            )
            while rows := cursor.fetchmany(10_000):
                for pk, event_count, last_hash in rows:
                    digest.update(f"{meta.label}:{pk}:{event_count}:{last_hash}\n".encode())
                    subjects, events = subjects + 1, events + event_count
        heads[chain.name] = {"subjects": subjects, "events": events, "head": digest.hexdigest()}
    return heads


def _file_entry(file: Path) -> dict:
    digest = hashlib.sha256()
    with file.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return {"file": file.name, "bytes": file.stat().st_size, "sha256": digest.hexdigest()}


def _tar_media(archive: Path) -> dict | None:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return None
    with tarfile.open(archive, "w") as tar:
        tar.add(root, arcname="media")
        files = sum(1 for member in tar.getmembers() if member.isfile())
    return {**_file_entry(archive), "files": files}


def _untar_media(archive: Path) -> None:
    """MEDIA_ROOT becomes the archive's; what was there is kept beside it, renamed, for the operator
    to remove (an upload made after the backup is not lost by a restore)."""
    root = Path(settings.MEDIA_ROOT)
    unpacked = root.with_name(root.name + ".restoring")
    shutil.rmtree(unpacked, ignore_errors=True)
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")  # "data": no absolute paths, links out or devices
    if root.exists():
        root.rename(root.with_name(f"{root.name}.before-restore-{clock.now():%Y%m%d%H%M%S}"))
    (unpacked / "media").rename(root)
    unpacked.rmdir()
