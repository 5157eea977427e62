"""Every step recorded for life: `manage.py verify_audit` names any case whose history changed."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from onewindow.cases import audit, services
from onewindow.cases.models import Case, CaseEvent, Channel
from onewindow.personas import all_required

pytestmark = pytest.mark.django_db


def _two_cases(world, food):
    cases = []
    for _ in range(2):
        case = services.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                               channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(food.current))  # fmt: skip
        services.accept(case, by=world.clerk)
        services.review(case, by=world.reviewer_a, opinion="符合条件")
        cases.append(case)
    return cases


def test_an_intact_history_verifies(world, food, capsys):
    _two_cases(world, food)
    call_command("verify_audit")
    assert "全部办件、评价、投诉、热线工单、中介超市和交易项目留痕完整" in capsys.readouterr().out


def test_it_names_the_case_whose_event_was_altered_with_raw_sql(world, food, capsys):
    first, second = _two_cases(world, food)
    event = CaseEvent.objects.get(case=second, action="review")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CaseEvent._meta.db_table} SET reason = %s WHERE id = %s",
            ["经审查，不符合条件", event.pk],
        )
    with pytest.raises(CommandError):
        call_command("verify_audit")
    out = capsys.readouterr().out
    assert second.number in out and first.number not in out


def test_it_notices_a_deleted_last_event(world, food):
    first, _ = _two_cases(world, food)
    last = CaseEvent.objects.filter(case=first).order_by("-seq").first()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CaseEvent._meta.db_table} WHERE id = %s", [last.pk])
    assert [number for number, _, _ in audit.verify()] == [first.number]


def test_each_event_records_who_when_from_and_to(world, food):
    case, _ = _two_cases(world, food)
    events = list(Case.objects.get(pk=case.pk).events.order_by("seq"))
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("submit", "", "submitted"),
        ("accept", "submitted", "in_review"),
        ("review", "in_review", "in_review"),
    ]
    assert [e.actor for e in events] == [world.clerk, world.clerk, world.reviewer_a]
    assert all(e.prev_hash == p.hash for p, e in zip(events, events[1:], strict=False))
