"""Decision 17: fastsql only where measured. Submit and accept (window intake, the measured hot
path) go through onewindow/fastsql.py when ONEWINDOW_FASTSQL is on; every other transition —
and with the setting off, submit and accept too — reads and writes with the ORM. Both paths
check the same rules and write the same rows."""

import datetime as dt

import pytest

from onewindow import clock, fastsql
from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, CaseMaterial, CaseStep, Channel
from onewindow.errors import Conflict
from onewindow.notify.models import Message
from onewindow.personas import all_required

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def fastsql_calls(monkeypatch):
    """The names of fastsql's entry points called (each still does its work)."""
    called = []
    for name in ("run", "fetch", "new", "from_row"):
        real = getattr(fastsql, name)

        def spy(*args, _name=name, _real=real, **kwargs):
            called.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(fastsql, name, spy)
    return called


def _submit(world, food, handed_in=None) -> Case:
    return services.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                           channel=Channel.WINDOW, by=world.clerk,
                           handed_in=all_required(food.current) if handed_in is None else handed_in)  # fmt: skip


def _rows(number: str) -> dict:
    """What a case's rows say, without ids, numbers, instants and hashes (which differ by nature)."""
    case = Case.objects.get(number=number)
    return {
        "case": (
            case.status,
            case.accepted_on,
            case.due_on,
            case.due_seq,
            case.event_count,
            case.intake_from,
            case.window_id,
        ),
        "materials": list(
            CaseMaterial.objects.filter(case=case)
            .order_by("material_id")
            .values_list("material_id", "name", "state", "note", "file")
        ),  # fmt: skip
        "steps": list(
            CaseStep.objects.filter(case=case)
            .order_by("order")
            .values_list("order", "name", "role", "kind", "due_seq", "done_at")
        ),  # fmt: skip
        "events": list(
            CaseEvent.objects.filter(case=case)
            .order_by("seq")
            .values_list("seq", "action", "from_status", "to_status", "reason", "payload", "actor_id")
        ),  # fmt: skip
        "messages": sorted(
            (event, phone, text.replace(number, "<办件编号>"))
            for event, phone, text in Message.objects.filter(subject_key=number).values_list(
                "event", "phone", "text"
            )
        ),  # fmt: skip
    }


def test_submit_and_accept_write_the_same_rows_with_fastsql_on_and_off(world, food, settings):
    written = {}
    for on in (True, False):
        settings.ONEWINDOW_FASTSQL = on
        with clock.frozen(MONDAY):
            case = services.accept(_submit(world, food), by=world.clerk)
        rows = _rows(case.number)
        assert rows["case"][0] == "in_review" and len(rows["events"]) == 2 and rows["steps"]
        written[on] = rows
    assert written[True] == written[False]


def test_with_fastsql_off_the_same_rule_refuses_the_same_way(world, food, settings):
    settings.ONEWINDOW_FASTSQL = False
    with clock.frozen(MONDAY):
        case = _submit(world, food, handed_in=[])
        with pytest.raises(Conflict) as refused:
            services.accept(case, by=world.clerk)
    assert refused.value.code == "case.materials_incomplete"
    assert Case.objects.get(pk=case.pk).status == "submitted"


def test_only_submit_and_accept_use_fastsql(world, food, settings, fastsql_calls):
    settings.ONEWINDOW_FASTSQL = True
    with clock.frozen(MONDAY):
        case = _submit(world, food)
        assert fastsql_calls, "submit is the measured hot path"
        fastsql_calls.clear()
        services.accept(case, by=world.clerk)
        assert fastsql_calls, "accept is the measured hot path"
        fastsql_calls.clear()
        services.review(case, by=world.reviewer_a, opinion="符合条件")
        services.suspend(case, by=world.reviewer_a, kind="expert_review", reason="专家评审")
        services.resume(case, by=world.reviewer_a)
        services.extend(case, by=world.head_a, days=5, reason="情况复杂")
        services.decide(case, by=world.head_a, approve=True)
        other = _submit(world, food, handed_in=[])
        fastsql_calls.clear()
        services.refuse(other, by=world.clerk, reason="不属于本机关职权范围", where_to_turn="市场监督管理局")
    assert fastsql_calls == []


def test_with_fastsql_off_nothing_uses_it(world, food, settings, fastsql_calls):
    settings.ONEWINDOW_FASTSQL = False
    with clock.frozen(MONDAY):
        case = services.accept(_submit(world, food), by=world.clerk)
        services.review(case, by=world.reviewer_a, opinion="符合条件")
        services.decide(case, by=world.head_a, approve=True)
    assert fastsql_calls == []
