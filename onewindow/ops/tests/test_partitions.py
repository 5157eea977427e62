"""The audit trail partitioned by the year of its case (decision 50): cases of three years are
converted in place — every row kept, every chain verifies, each case's events in its year's
partition, (case, seq) still unique, a notice number still needs its event; the year's turn
closes the open partition and opens the next while an old year's history is still read; a backup
of the partitioned table restores; on SQLite the command refuses and changes nothing.

The conversion is DDL inside the test's transaction (PostgreSQL rolls DDL back with it), except
the backup test, which commits (pg_dump reads from another connection) and converts back after."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from onewindow import clock
from onewindow.cases import intake
from onewindow.cases.models import Case, CaseEvent
from onewindow.documents.models import NoticeNumber
from onewindow.ops import backups, chains, partitions
from onewindow.ops.tests.test_backup_restore import counts, hall_day, media  # noqa: F401

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitioning is PostgreSQL only"
)


def partition_of(event: CaseEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute('SELECT tableoid::regclass::text FROM "cases_caseevent" WHERE id = %s', [event.pk])
        return cursor.fetchone()[0]


def convert(*options) -> str:
    # The cases were made in this very transaction: fire their deferred key checks now, as a
    # commit would have, since PostgreSQL alters no table with checks still pending.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    out = io.StringIO()
    call_command("partition_events", *options, stdout=out)
    return out.getvalue()


@pytest.fixture
def three_years(world, submitted):
    """A case a year, received in 2024, 2025 and 2026 (the last accepted), in id order."""
    made = []
    for year in (2024, 2025, 2026):
        with clock.frozen(dt.date(year, 6, 3)):
            made.append(submitted())
    with clock.frozen(dt.date(2026, 6, 4)):
        intake.accept(made[-1], by=world.clerk)
    return made


@postgresql_only
@pytest.mark.django_db
def test_it_converts_in_place_keeping_every_row_and_every_chain(three_years):
    # given
    before = CaseEvent.objects.count()
    plan = convert("--dry-run")
    assert "PARTITION BY RANGE (case_id)" in plan and "未作改动" in plan and not partitions.is_partitioned()
    # when
    out = convert()
    # then: one partition per year, the last one open, every row and chain as before
    assert "cases_caseevent_y2024, cases_caseevent_y2025, cases_caseevent_y2026" in out
    assert partitions.is_partitioned() and CaseEvent.objects.count() == before
    assert chains.broken() == []
    years = partitions.partitions()
    assert [(p.year, p.low, p.high) for p in years] == [
        (2024, None, three_years[1].pk), (2025, three_years[1].pk, three_years[2].pk), (2026, three_years[2].pk, None)
    ]  # fmt: skip
    for case, year in zip(three_years, (2024, 2025, 2026), strict=True):
        assert {partition_of(e) for e in case.events.all()} == {f"cases_caseevent_y{year}"}
    assert "cases_caseevent_y2026\t办件 id [" in convert("--list")
    with pytest.raises(CommandError, match="已按年分区"):
        convert()


@postgresql_only
@pytest.mark.django_db
def test_new_events_land_in_their_year_and_case_seq_stays_unique(world, three_years):
    convert()
    oldest = three_years[0]
    # when: the 2024 case is accepted in 2026; the next id comes from the one sequence
    with clock.frozen(dt.date(2026, 6, 5)):
        intake.accept(Case.objects.get(pk=oldest.pk), by=world.clerk)
    newest = CaseEvent.objects.filter(case=oldest).order_by("-seq").first()
    assert partition_of(newest) == "cases_caseevent_y2024" and newest.pk > max(
        CaseEvent.objects.exclude(pk=newest.pk).values_list("pk", flat=True)
    )
    assert chains.broken() == []
    # then: a second event with the same (case, seq) is refused by the partition's unique key
    duplicate = CaseEvent.objects.get(pk=newest.pk)
    duplicate.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    # and the ORM updates and deletes by id alone, as the tests' tampering does
    assert CaseEvent.objects.filter(pk=newest.pk).update(reason="改写") == 1
    assert [key for key, *_ in chains.broken()] == [oldest.number]


@postgresql_only
@pytest.mark.django_db
def test_a_notice_number_still_needs_its_event(three_years, world):
    convert()
    accepted = CaseEvent.objects.get(case=three_years[2], action="accept")
    number = dict(kind="acceptance", hall=world.hall, year=2026, serial=1, number="测试〔2026〕第1号",
                  assigned_at=clock.now())  # fmt: skip
    NoticeNumber.objects.create(event=accepted, **number)
    with pytest.raises(IntegrityError, match="violates foreign key"), transaction.atomic():
        NoticeNumber.objects.create(event_id=accepted.pk + 10_000, **{**number, "serial": 2})
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError, match="violates foreign key"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_caseevent WHERE id = %s", [accepted.pk])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@postgresql_only
@pytest.mark.django_db
def test_the_years_turn_closes_the_open_partition_and_opens_the_next(world, submitted, three_years):
    convert()
    with clock.frozen(dt.date(2026, 12, 31)):
        assert "无需滚动" in convert("--roll")
    # when: the operator rolls after New Year
    with clock.frozen(dt.date(2027, 1, 4)):
        out = convert("--roll")
        again = convert("--roll")
        fresh = submitted()
    # then: 2026 closed below the next case id, 2027 open from it, the new case's events there
    assert "已关闭 cases_caseevent_y2026" in out and "无需滚动" in again
    *_, closed, opened = partitions.partitions()
    assert closed.high == opened.low <= fresh.pk and opened.high is None and opened.year == 2027
    assert closed.low == three_years[2].pk
    assert {partition_of(e) for e in fresh.events.all()} == {"cases_caseevent_y2027"}
    # and an old year's history is still read, from its own partition, and verifies
    oldest = Case.objects.get(pk=three_years[0].pk)
    assert [e.seq for e in oldest.events.order_by("seq")] == list(range(1, oldest.event_count + 1))
    assert chains.broken() == []
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN SELECT * FROM cases_caseevent WHERE case_id = %s", [oldest.pk])
        plan = "\n".join(row for (row,) in cursor.fetchall())
    assert "cases_caseevent_y2024" in plan and "cases_caseevent_y2027" not in plan


@postgresql_only
@pytest.mark.django_db
def test_undo_returns_to_the_plain_table_with_its_keys(three_years):
    convert()
    before = list(CaseEvent.objects.order_by("pk").values_list("pk", "case_id", "seq", "hash"))
    convert("--undo")
    assert not partitions.is_partitioned()
    assert list(CaseEvent.objects.order_by("pk").values_list("pk", "case_id", "seq", "hash")) == before
    assert CaseEvent.objects.create(**{**CaseEvent.objects.values().get(pk=before[-1][0]), "id": None,
                                       "seq": 99}).pk > before[-1][0]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE confrelid = 'cases_caseevent'::regclass")
        assert cursor.fetchone()[0] == 1  # the notice numbers' foreign key is back


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_partitioned_table_is_backed_up_and_restored(hall_day, tmp_path):  # noqa: F811
    call_command("partition_events", stdout=io.StringIO())
    try:
        call_command("backup", "--output", str(tmp_path / "backup"), stdout=io.StringIO())
        manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
        assert manifest["tables"]["cases_caseevent"] == manifest["tables"]["cases_caseevent_y2026"] > 3
        CaseEvent.objects.filter(case=hall_day[0]).order_by("-seq").first().delete()
        CaseEvent.objects.filter(case=hall_day[1], seq=1).update(reason="改写的历史")
        assert len(chains.broken()) == 2
        call_command("restore", str(tmp_path / "backup"), "--yes", stdout=io.StringIO())
        assert counts() == manifest["tables"] and chains.broken() == []
        assert partitions.is_partitioned()
        with connection.cursor() as cursor:
            assert backups._census(cursor, connection.vendor)["chains"] == manifest["chains"]
    finally:
        call_command("partition_events", "--undo", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_dry_run_changes_nothing_and_sqlite_refuses_every_option(three_years):
    """On PostgreSQL --dry-run prints the conversion and runs none of it; on SQLite every option
    is refused. Either way the events and their chains are as they were (no skip on either)."""
    before = CaseEvent.objects.count()
    if connection.vendor == "postgresql":
        printed = convert("--dry-run")
        assert "PARTITION BY RANGE (case_id)" in printed
        assert not partitions.is_partitioned() and partitions.partitions() == []
    else:
        for options in ((), ("--dry-run",), ("--roll",), ("--list",), ("--undo",)):
            with pytest.raises(CommandError, match="仅适用于 PostgreSQL.*nothing was changed"):
                call_command("partition_events", *options, stdout=io.StringIO())
    assert CaseEvent.objects.count() == before and chains.broken() == []
