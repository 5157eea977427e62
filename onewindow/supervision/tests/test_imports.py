"""The import of a department's own system's case records: validated rows, clear errors with row
numbers, all or nothing, idempotent (a re-import records nothing twice), CSV and JSON."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from onewindow import clock
from onewindow.cases.models import CaseEvent
from onewindow.conftest import client_for
from onewindow.errors import Conflict, DomainError
from onewindow.supervision import imports
from onewindow.supervision.models import ImportedRecord, Violation

pytestmark = pytest.mark.django_db
D = dt.date
NOW = dt.datetime(2026, 11, 3, 9, 0, tzinfo=clock.hall_tz())

CSV = """记录编号,办件编号,动作,发生时间,经办人,是否在大厅系统办理
R1,{number},受理,2026-11-02 09:10,王五,是
R2,{number},审查,2026-11-02 10:00,王五,否
"""


@pytest.fixture
def case(accept):
    return accept(D(2026, 11, 2))


def _import(world, content, fmt="csv"):
    with clock.frozen(NOW):
        return imports.import_records(world.dept_a, imports.parse(content, fmt))


def _nothing_written(case, events):
    case.refresh_from_db()
    assert not ImportedRecord.objects.exists() and case.event_count == events
    assert not CaseEvent.objects.filter(case=case, action="external_record").exists()


def test_a_csv_is_imported_into_the_case_trail_and_a_reimport_records_nothing_twice(world, case):
    result = _import(world, CSV.format(number=case.number))
    assert (result.imported, result.skipped, result.outside) == (2, 0, 1)
    records = list(ImportedRecord.objects.order_by("record_id"))
    assert [(r.record_id, r.action, r.in_hall_system, r.actor_name) for r in records] == [
        ("R1", "accept", True, "王五"), ("R2", "review", False, "王五")]  # fmt: skip
    assert records[1].at == dt.datetime(2026, 11, 2, 10, 0, tzinfo=clock.hall_tz())
    event = CaseEvent.objects.get(case=case, seq=records[1].event_seq)
    assert event.action == "external_record" and event.payload["record_id"] == "R2"
    assert "测试市场监管局自建系统记录R2：审查，2026-11-02 10:00，王五，未在大厅系统内办理" == event.reason
    case.refresh_from_db()
    count = case.event_count
    again = _import(world, CSV.format(number=case.number))
    assert (again.imported, again.skipped) == (0, 2)
    case.refresh_from_db()
    assert case.event_count == count and ImportedRecord.objects.count() == 2


def test_json_is_read_the_same_way(world, case):
    rows = [{"record_id": "J1", "case_number": case.number, "action": "decide", "at": "2026-11-02T16:00:00+08:00",
             "in_hall_system": False}]  # fmt: skip
    assert _import(world, json.dumps(rows), "json").outside == 1
    assert ImportedRecord.objects.get().action == "decide"


def test_bad_rows_are_named_by_line_and_nothing_is_written(world, case, accept):
    other = world.dept_b
    events = case.event_count
    content = CSV.format(number=case.number) + "\n".join([
        f",{case.number},审查,2026-11-02 10:00,,否",  # line 4: no record number
        "R5,NO-SUCH-CASE,审查,2026-11-02 10:00,,否",  # 5
        f"R6,{case.number},盖章,2026-11-02 10:00,,否",  # 6
        f"R7,{case.number},审查,昨天,,否",  # 7
        f"R8,{case.number},审查,2026-11-02 10:00,,也许",  # 8
        f"R1,{case.number},审查,2026-11-02 10:00,,否",  # 9: R1 twice in the file
        f"R10,{case.number},审查,2026-12-30 10:00,,否",  # 10: in the future
    ]) + "\n"  # fmt: skip
    with pytest.raises(DomainError) as refused:
        _import(world, content)
    assert refused.value.code == "supervision.import_invalid"
    errors = refused.value.details["errors"]
    assert [e.split("：")[0] for e in errors] == [f"第{n}行" for n in range(4, 11)]
    assert "记录编号不能为空" in errors[0] and "NO-SUCH-CASE" in errors[1] and "盖章" in errors[2]
    assert (
        "昨天" in errors[3]
        and "是”或“否" in errors[4]
        and "与第2行重复" in errors[5]
        and "晚于现在" in errors[6]
    )
    assert "未导入任何记录" in refused.value.message
    _nothing_written(case, events)
    with pytest.raises(DomainError, match="不是测试住建局的办件"):
        with clock.frozen(NOW):
            imports.import_records(other, imports.parse(CSV.format(number=case.number), "csv"))
    _nothing_written(case, events)


def test_a_missing_column_or_an_unreadable_file_is_refused(world, case):
    with pytest.raises(DomainError, match="缺少列 in_hall_system"):
        _import(world, "记录编号,办件编号,动作,发生时间\nR1,X,审查,2026-11-02 10:00\n")
    with pytest.raises(DomainError, match="JSON格式错误"):
        _import(world, "[{", "json")
    with pytest.raises(DomainError, match="CSV 或 JSON"):
        _import(world, "x", "xlsx")


def test_a_record_number_reimported_with_other_contents_is_refused_whole(world, case):
    _import(world, CSV.format(number=case.number))
    case.refresh_from_db()
    events = case.event_count
    changed = (
        CSV.format(number=case.number)
        .replace("R2,", "R3,")
        .replace("受理,2026-11-02 09:10", "受理,2026-11-02 09:20")
    )
    with pytest.raises(Conflict, match="记录编号R1已导入，内容不同"):
        _import(world, changed)
    case.refresh_from_db()
    assert case.event_count == events and ImportedRecord.objects.count() == 2


def test_the_command_imports_and_records_the_violation_at_once(world, case, tmp_path, capsys):
    path = tmp_path / "records.csv"
    path.write_text(CSV.format(number=case.number), encoding="utf-8")
    with clock.frozen(NOW):
        call_command("import_case_records", str(path), "--department", "T-A")
    assert "导入 2 条" in capsys.readouterr().out
    assert Violation.objects.get().kind == "outside_system"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "记录编号,办件编号,动作,发生时间,经办人,是否在大厅系统办理\nR1,X,审查,2026-11-02 10:00,,否\n",
        encoding="utf-8",
    )
    with clock.frozen(NOW), pytest.raises(CommandError, match="未导入任何记录"):
        call_command("import_case_records", str(bad), "--department", "T-A")
    with pytest.raises(CommandError, match="部门编码"):
        call_command("import_case_records", str(path), "--department", "NOPE")


def test_the_admin_lists_the_imported_records_and_the_violations(world, case):
    from django.contrib.auth import get_user_model

    _import(world, CSV.format(number=case.number))
    admin = get_user_model().objects.create_superuser("root", password="x")
    client = client_for(admin)
    for url in ("/admin/supervision/importedrecord/", "/admin/supervision/violation/"):
        assert client.get(url).status_code == 200, url
