"""Import of case records from a department's own system (部门自建系统办件记录回流): a CSV or JSON
file of events, each marked whether it happened in the hall's system. A record marked outside
is the evidence of 体外循环 (supervision.detectors), a decision recorded there while a step was
open of 未按流程办理.

Columns (CSV header, either name; JSON: a list of objects with the English keys):
  record_id / 记录编号         the department system's own number of the record (≤ 64)
  case_number / 办件编号       a case of that department
  action / 动作                受理, 审查, 决定, 制证, 送达, 其他 (or accept, review, decide, issue, deliver, other)
  at / 发生时间                ISO 8601, e.g. 2026-11-05 10:30 (hall time unless an offset is given)
  actor / 经办人               optional, ≤ 40
  in_hall_system / 是否在大厅系统办理   是/否 (yes/no, true/false, 1/0)

All or nothing: every row is checked first, and one bad row (named by its line: the CSV's line
number, the JSON's position) refuses the whole file with nothing written. Then, in one
transaction, the cases are locked in id order (two imports at once queue case by case and never
deadlock) and each new record becomes an event of its case's audit trail (cases.external) and
an ImportedRecord row. Once per department and record number: a re-import skips the records
already there; a record number already imported with other contents is refused."""

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils.dateparse import parse_datetime

from onewindow import clock
from onewindow.accounts.models import Department
from onewindow.cases import external
from onewindow.cases.models import Case
from onewindow.errors import Conflict, DomainError
from onewindow.supervision.models import ImportedRecord

A = ImportedRecord.Action
HEADERS = {"记录编号": "record_id", "办件编号": "case_number", "动作": "action", "发生时间": "at",
           "经办人": "actor", "是否在大厅系统办理": "in_hall_system"}  # fmt: skip
REQUIRED = ("record_id", "case_number", "action", "at", "in_hall_system")
ACTIONS = {**{a.value: a.value for a in A}, **{a.label: a.value for a in A}}
YES, NO = {"是", "yes", "true", "1", "y"}, {"否", "no", "false", "0", "n"}
MAX_ROWS = 5000
MAX_ERRORS_SHOWN = 20


@dataclass(frozen=True)
class Record:
    line: int
    record_id: str
    case_number: str
    action: str
    at: dt.datetime
    actor: str
    in_hall_system: bool


@dataclass(frozen=True)
class Result:
    imported: int
    skipped: int  # already imported (the same contents)
    outside: int  # of the imported, marked outside the hall's system


def _invalid(errors: list[str]) -> DomainError:
    shown = "；".join(errors[:MAX_ERRORS_SHOWN]) + ("；……" if len(errors) > MAX_ERRORS_SHOWN else "")
    return DomainError(
        "supervision.import_invalid", f"导入文件有误，未导入任何记录。{shown}", details={"errors": errors}
    )


def parse(content: str, fmt: str) -> list[tuple[int, dict]]:
    """(line, row) pairs of the file; `fmt` csv or json. A file that cannot be read at all is refused."""
    if fmt == "json":
        try:
            data = json.loads(content)
        except ValueError as error:
            raise _invalid([f"JSON格式错误（第{getattr(error, 'lineno', '?')}行）"]) from None
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise _invalid(["JSON应为记录对象的列表"])
        rows = list(enumerate(data, start=1))
    elif fmt == "csv":
        reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
        header = [HEADERS.get((h or "").strip(), (h or "").strip()) for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise _invalid([f"第1行：缺少列 {'、'.join(missing)}"])
        reader.fieldnames = header
        rows = [(reader.line_num, row) for row in reader]
    else:
        raise DomainError("supervision.import_format", "导入文件须为 CSV 或 JSON。")
    if not rows:
        raise _invalid(["文件中没有记录"])
    if len(rows) > MAX_ROWS:
        raise _invalid([f"一次最多导入{MAX_ROWS}条记录，本文件{len(rows)}条"])
    return rows


def _text(row: dict, key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _when(text: str) -> dt.datetime | None:
    try:
        at = parse_datetime(text)
    except ValueError:
        return None
    return clock.in_hall(at) if at is not None else None


def _flag(value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    return True if text in YES else False if text in NO else None


def validate(department: Department, rows: list[tuple[int, dict]]) -> tuple[list[Record], dict[str, Case]]:
    """The records of the rows and their cases; every bad row named (with its line) in one error."""
    numbers = {_text(r, "case_number") for _, r in rows}
    cases = {c.number: c for c in Case.objects.filter(number__in=numbers - {""})}
    now, errors, records, ids = clock.now(), [], [], {}
    for line, row in rows:
        wrong = []
        record_id, number, action = _text(row, "record_id"), _text(row, "case_number"), _text(row, "action")
        at, actor, flag = _when(_text(row, "at")), _text(row, "actor"), _flag(row.get("in_hall_system"))
        case = cases.get(number)
        if not record_id or len(record_id) > 64:
            wrong.append("记录编号不能为空且不超过64字")
        elif record_id in ids:
            wrong.append(f"记录编号{record_id}与第{ids[record_id]}行重复")
        if case is None:
            wrong.append(f"办件编号“{number}”不存在" if number else "办件编号不能为空")
        elif case.department_id != department.pk:
            wrong.append(f"办件{number}不是{department.name}的办件")
        if action not in ACTIONS:
            wrong.append(f"动作“{action}”应为受理、审查、决定、制证、送达或其他")
        if at is None:
            wrong.append(f"发生时间“{_text(row, 'at')}”应为日期时间，如 2026-11-05 10:30")
        elif at > now:
            wrong.append("发生时间不能晚于现在")
        elif case is not None and at < case.received_at:
            wrong.append("发生时间早于办件接件时间")
        if len(actor) > 40:
            wrong.append("经办人不超过40字")
        if flag is None:
            wrong.append("是否在大厅系统办理应为“是”或“否”")
        if wrong:
            errors.append(f"第{line}行：" + "，".join(wrong))
            continue
        ids.setdefault(record_id, line)
        records.append(Record(line, record_id, number, ACTIONS[action], at, actor, flag))
    if errors:
        raise _invalid(errors)
    return records, cases


def _same(existing: ImportedRecord, record: Record, case: Case) -> bool:
    return (existing.case_id, existing.action, existing.at, existing.in_hall_system, existing.actor_name) == (
        case.pk,
        record.action,
        record.at,
        record.in_hall_system,
        record.actor,
    )


def _reason(department: Department, r: Record) -> str:
    where = "在大厅系统内办理" if r.in_hall_system else "未在大厅系统内办理"
    local = r.at.astimezone(clock.hall_tz())
    return (f"{department.name}自建系统记录{r.record_id}：{A(r.action).label}，{local:%Y-%m-%d %H:%M}"
            f"{'，' + r.actor if r.actor else ''}，{where}")  # fmt: skip


def import_records(department: Department, rows: list[tuple[int, dict]]) -> Result:
    """Validates the rows and imports the new records in one transaction (see the module)."""
    records, cases = validate(department, rows)
    with transaction.atomic():
        pks = sorted({cases[r.case_number].pk for r in records})
        locked = {
            c.pk: c for c in Case.objects.select_for_update(of=("self",)).filter(pk__in=pks).order_by("pk")
        }
        # Read under the locks: a concurrent import of the same records has committed by now.
        done = {r.record_id: r for r in ImportedRecord.objects.filter(
            department=department, record_id__in=[r.record_id for r in records])}  # fmt: skip
        clashes = [f"第{r.line}行：记录编号{r.record_id}已导入，内容不同" for r in records
                   if r.record_id in done and not _same(done[r.record_id], r, cases[r.case_number])]  # fmt: skip
        if clashes:
            raise Conflict("supervision.import_conflict", "导入文件与已导入的记录不符，未导入任何记录。"
                           + "；".join(clashes[:MAX_ERRORS_SHOWN]), details={"errors": clashes})  # fmt: skip
        new = [r for r in records if r.record_id not in done]
        now = clock.now()
        rows_out = []
        for r in sorted(new, key=lambda r: (cases[r.case_number].pk, r.at, r.line)):
            case = locked[cases[r.case_number].pk]
            payload = {"department": department.code, "record_id": r.record_id, "action": r.action,
                       "at": r.at.isoformat(), "actor": r.actor, "in_hall_system": r.in_hall_system}  # fmt: skip
            event = external.record(case, reason=_reason(department, r), payload=payload)
            rows_out.append(ImportedRecord(department=department, record_id=r.record_id, case=case,
                                           event_seq=event.seq, action=r.action, at=r.at, actor_name=r.actor,
                                           in_hall_system=r.in_hall_system, imported_at=now))  # fmt: skip
        ImportedRecord.objects.bulk_create(rows_out, batch_size=500)
    return Result(imported=len(new), skipped=len(records) - len(new),
                  outside=sum(not r.in_hall_system for r in new))  # fmt: skip
