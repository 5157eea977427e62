"""onewindow/fastsql.py writes what the ORM would write, on SQLite and PostgreSQL, and on
PostgreSQL sends a case with its children in one round trip."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from onewindow import clock, fastsql
from onewindow.cases.models import Case, CaseEvent, CaseMaterial, CaseStep
from onewindow.cases.numbering import allocate
from onewindow.catalog.models import Material
from onewindow.personas import published_item


def _case(world, pk=None) -> Case:
    item = published_item(world)
    today = dt.date(2026, 11, 26)
    number, _ = allocate(world.hall.region_id, today)
    return Case(
        pk=pk, number=number, item=item, item_version=item.current, department=item.department,
        applicant=world.alice_applicant, hall=world.hall, region_code=world.hall.region_id, channel="window",
        status="submitted", form_data={"店名": "小王面馆", "面积": 42}, received_at=clock.now(),
        received_on=today, promised_days=5, due_on=dt.date(2026, 12, 3), due_seq=12,
    )  # fmt: skip


def _children(case: Case) -> tuple[CaseEvent, list[CaseMaterial], list[CaseStep]]:
    event = CaseEvent(case=case, seq=1, at=clock.now(), action="submit", to_status="submitted",
                      payload={"channel": "window", "列表": [1, 2]}, hash="h")  # fmt: skip
    materials = [
        CaseMaterial(case=case, material=m, name=m.name, state=CaseMaterial.State.RECEIVED, note="")
        for m in Material.objects.filter(version=case.item_version)
    ]
    steps = [
        CaseStep(case=case, order=1, name="审查", role="reviewer", kind="review", due_seq=10),
        CaseStep(
            case=case,
            order=2,
            name="决定",
            role="department_head",
            kind="decide",
            due_seq=None,
            done_at=clock.now(),
            opinion="准予",
        ),  # fmt: skip
    ]
    return event, materials, steps


@pytest.mark.django_db
def test_rows_written_with_fastsql_read_back_as_the_orm_wrote_them(world):
    case = _case(world)
    event, materials, steps = _children(case)
    assert len(materials) >= 2  # several rows: the PostgreSQL JSON path is used
    fastsql.run(
        fastsql.Insert([case]), fastsql.Insert([event]), fastsql.Insert(materials), fastsql.Insert(steps)
    )

    stored = Case.objects.get(pk=case.pk)
    assert (stored.number, stored.form_data, stored.due_on, stored.received_at) == (
        case.number, {"店名": "小王面馆", "面积": 42}, dt.date(2026, 12, 3), case.received_at,
    )  # fmt: skip
    assert CaseEvent.objects.get(pk=event.pk).payload == {"channel": "window", "列表": [1, 2]}
    assert list(CaseMaterial.objects.filter(case=case).values_list("pk", "name")) == [
        (m.pk, m.name) for m in materials
    ]
    back = {s.pk: s for s in CaseStep.objects.filter(case=case)}
    assert [(back[s.pk].order, back[s.pk].due_seq, back[s.pk].opinion) for s in steps] == [
        (1, 10, ""), (2, None, "准予"),
    ]  # fmt: skip
    assert back[steps[1].pk].done_at == steps[1].done_at


@pytest.mark.django_db
def test_an_update_of_no_row_fails_like_the_orm(world):
    case = _case(world)
    fastsql.insert([case])
    case.pk += 1000
    with pytest.raises(DatabaseError):
        fastsql.update(case, ["status"])


@pytest.mark.django_db
def test_a_case_goes_with_its_children_in_one_round_trip_on_postgresql(world):
    # PostgreSQL: the id comes from the sequence beforehand, the three inserts go as one query;
    # SQLite: the insert gives the id, and the statements go one after the other.
    _, case_id = allocate(world.hall.region_id, dt.date(2026, 11, 26))
    case = _case(world, pk=case_id)
    event, materials, steps = _children(case)
    with CaptureQueriesContext(connection) as queries:
        fastsql.run(fastsql.Insert([case]), fastsql.Insert([event]), fastsql.Insert(materials))
    assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
    case_id = case.pk
    assert CaseMaterial.objects.filter(case_id=case_id).count() == len(materials) >= 2
    assert all(m.pk for m in materials) and event.pk
