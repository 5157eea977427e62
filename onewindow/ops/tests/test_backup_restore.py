"""Backup and restore (issue 21, "Faults"): a hall's day — cases with their events, a 12345 work
order, a trading project opened with its bids, an upload — is backed up; then rows are lost, an
event is rewritten, a case is added and an upload deleted; the restore brings back every table's
rows as the manifest counted them, every audit chain whole and ending where it ended, and the
uploads. A backup that does not fit this database, or is damaged, is refused before anything changes.

Transactional tests: the data is committed, so pg_dump (another connection) and SQLite's backup
API see it."""

import io
import json
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from onewindow.cases import intake
from onewindow.cases.models import Case, CaseEvent
from onewindow.hotline.models import WorkOrderEvent
from onewindow.ops import backups, chains
from onewindow.trading.models import ProjectEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = settings.MEDIA_ROOT / "materials" / "营业执照.pdf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"%PDF-1.4 licence")
    return upload


@pytest.fixture
def hall_day(world, submitted, receive, opened, media):
    """Three cases (one accepted), a work order and an opened trading project, committed."""
    opened()
    made = [submitted() for _ in range(3)]
    intake.accept(made[0], by=world.clerk)
    receive()
    return made


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return backups._census(cursor, connection.vendor)["tables"]


def test_it_restores_every_row_every_chain_and_the_uploads(hall_day, media, tmp_path):
    # given: a backup of the hall's day
    started = time.monotonic()
    call_command("backup", "--output", str(tmp_path / "backup"), stdout=io.StringIO())
    backed_up = time.monotonic() - started
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["engine"] == connection.vendor and manifest["tables"] == counts()
    assert manifest["tables"]["cases_case"] == 3 and manifest["chains"]["cases"]["subjects"] == 3
    assert manifest["chains"]["cases"]["events"] == manifest["tables"]["cases_caseevent"] > 3
    assert manifest["chains"]["work_orders"]["subjects"] == 1 and manifest["chains"]["trading"]["events"] > 1
    assert "cases.0001_initial" in manifest["migrations"] and manifest["media"]["files"] == 1

    # when: rows are lost, an event is rewritten, a case is added and an upload is deleted
    WorkOrderEvent.objects.all().delete()
    newest = CaseEvent.objects.filter(case=hall_day[0]).order_by("-seq").first()
    newest.delete()
    ProjectEvent.objects.filter(seq=1).update(reason="改写的历史")
    Case.objects.filter(pk=hall_day[1].pk).update(event_count=9)
    media.unlink()
    assert len(chains.broken()) >= 4 and counts() != manifest["tables"]
    started = time.monotonic()
    out = io.StringIO()
    call_command("restore", str(tmp_path / "backup"), "--yes", stdout=out)
    restored = time.monotonic() - started

    # then: the manifest's rows in every table, every chain whole and at its head, the upload back
    assert counts() == manifest["tables"]
    assert chains.broken() == []
    with connection.cursor() as cursor:
        assert backups._census(cursor, connection.vendor)["chains"] == manifest["chains"]
    assert media.read_bytes() == b"%PDF-1.4 licence"
    assert "恢复完成并已核对" in out.getvalue()
    print(
        f"\n{connection.vendor}: {sum(manifest['tables'].values())} rows; backup {backed_up:.2f} s, restore {restored:.2f} s"
    )


def test_a_restore_that_does_not_match_its_manifest_fails_loudly(hall_day, tmp_path):
    # given: a manifest that counts one case more than its dump holds, and a chain head it never had
    backups.backup(tmp_path / "backup")
    manifest_file = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["tables"]["cases_case"] += 1
    manifest["chains"]["trading"]["head"] = "0" * 64
    manifest_file.write_text(json.dumps(manifest))
    # when / then
    err = io.StringIO()
    with pytest.raises(CommandError, match="恢复后核对失败（2 处）"):
        call_command("restore", str(tmp_path / "backup"), "--yes", stderr=err, stdout=io.StringIO())
    assert "表 cases_case: 备份 4 行，恢复后 3 行" in err.getvalue()
    assert "留痕链 trading: 链头与备份时不符" in err.getvalue()


def test_a_restore_whose_chain_no_longer_verifies_fails_loudly(hall_day, tmp_path):
    # given: a backup taken after an event was rewritten (the dump itself carries the damage)
    ProjectEvent.objects.filter(seq=1).update(reason="改写的历史")
    backups.backup(tmp_path / "backup")
    # when / then: the counts and heads match, the chain does not verify
    with pytest.raises(backups.BackupError) as raised:
        backups.restore(tmp_path / "backup")
    assert any("交易项目" in p and "记录被修改" in p for p in raised.value.details["problems"])


def test_a_database_migrated_differently_is_refused_unless_forced(hall_day, tmp_path):
    backups.backup(tmp_path / "backup")
    manifest_file = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["migrations"].remove("cases.0001_initial")
    manifest_file.write_text(json.dumps(manifest))
    Case.objects.filter(pk=hall_day[2].pk).update(
        event_count=7
    )  # a change the refused restore must leave alone

    with pytest.raises(CommandError, match="迁移状态与备份不同.*--force"):
        call_command("restore", str(tmp_path / "backup"), "--yes", stdout=io.StringIO())
    assert Case.objects.get(pk=hall_day[2].pk).event_count == 7

    call_command("restore", str(tmp_path / "backup"), "--yes", "--force", stdout=io.StringIO())
    assert Case.objects.get(pk=hall_day[2].pk).event_count != 7


def test_a_damaged_backup_or_an_unconfirmed_restore_changes_nothing(hall_day, tmp_path, monkeypatch):
    backups.backup(tmp_path / "backup")
    before = counts()
    Case.objects.filter(pk=hall_day[2].pk).update(event_count=7)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="未确认"):
        call_command("restore", str(tmp_path / "backup"), stdout=io.StringIO())

    dump = tmp_path / "backup" / backups.DATABASE[connection.vendor]
    dump.write_bytes(dump.read_bytes()[:-100])
    with pytest.raises(CommandError, match="已损坏"):
        call_command("restore", str(tmp_path / "backup"), "--yes", stdout=io.StringIO())
    assert Case.objects.get(pk=hall_day[2].pk).event_count == 7 and counts() == before


def test_a_backup_never_overwrites_and_a_partial_one_is_no_backup(hall_day, tmp_path):
    backups.backup(tmp_path / "backup")
    with pytest.raises(CommandError, match="备份目录已存在"):
        call_command("backup", "--output", str(tmp_path / "backup"), stdout=io.StringIO())
    (tmp_path / "half").mkdir()  # what a backup killed midway leaves: no manifest
    with pytest.raises(CommandError, match="不是完整的备份"):
        call_command("restore", str(tmp_path / "half"), "--yes", stdout=io.StringIO())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump runs on PostgreSQL only")
def test_the_password_goes_to_pg_dump_in_its_environment_never_on_its_command_line(monkeypatch, settings):
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "s3cret-口令")
    seen = {}

    def run(command, env, **kwargs):
        seen.update(command=command, env=env)
        raise FileNotFoundError

    monkeypatch.setattr(backups.subprocess, "run", run)
    with pytest.raises(backups.BackupError, match="找不到 pg_dump"):
        backups._run(["pg_dump", "--format=custom"])
    assert (
        seen["env"]["PGPASSWORD"] == "s3cret-口令"
        and seen["env"]["PGDATABASE"] == connection.settings_dict["NAME"]
    )
    assert not any("s3cret" in part for part in seen["command"])
