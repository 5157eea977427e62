"""The red lists read as two index ranges (cases.queries.red_rows over clock_rules.red_parts)
give exactly the cases the one light makes red, in deadline order, cut at the limit: every
kind of clock — running past its deadline, stopped frozen red before or after it, stopped
frozen yellow or green past it, stopped without a frozen light."""

import datetime as dt

import pytest

from onewindow.cases import queries as case_queries
from onewindow.cases.models import Case, Status

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 20)  # a Friday


def _brute(today):
    qs = case_queries.with_light(Case.objects.filter(status__in=(Status.IN_REVIEW, Status.SUSPENDED,
                                                                 Status.CORRECTION_REQUESTED)), today)  # fmt: skip
    return list(qs.filter(light="red").order_by("due_seq", "number").values_list("number", flat=True))


def _fast(today, limit):
    qs = case_queries.with_light(Case.objects.filter(status__in=(Status.IN_REVIEW, Status.SUSPENDED,
                                                                 Status.CORRECTION_REQUESTED)), today)  # fmt: skip
    rows = case_queries.red_rows(qs.values("number", "due_seq"), today, ("due_seq", "number"), limit,
                                 key=lambda r: (r["due_seq"], r["number"]))  # fmt: skip
    return [r["number"] for r in rows]


def test_the_two_ranges_are_exactly_the_red_cases_in_order(world, accept):
    made = {}
    for day in (
        D(2026, 11, 2),
        D(2026, 11, 4),
        D(2026, 11, 9),
        D(2026, 11, 12),
        D(2026, 11, 16),
        D(2026, 11, 19),
    ):
        for state in ("running", "frozen_red", "frozen_yellow", "frozen_green", "stopped_unfrozen"):
            made[(day, state)] = accept(day)
    for (_day, state), case in made.items():
        if state == "running":
            continue
        frozen = {"frozen_red": "red", "frozen_yellow": "yellow", "frozen_green": "green"}.get(state, "")
        Case.objects.filter(pk=case.pk).update(status=Status.SUSPENDED, frozen_light=frozen)
    expected = _brute(TODAY)
    # Both parts contribute: running and unfrozen past the deadline, frozen red before it.
    reds = {made[k].number: k[1] for k in made if made[k].number in expected}
    assert {"running", "frozen_red", "stopped_unfrozen"} <= set(reds.values())
    assert "frozen_yellow" not in reds.values() and "frozen_green" not in reds.values()
    assert any(made[(D(2026, 11, 19), "frozen_red")].number == n for n in expected)  # before its deadline
    assert _fast(TODAY, 200) == expected
    for limit in (1, 3, len(expected) - 1):
        assert _fast(TODAY, limit) == expected[:limit]


def test_a_model_queryset_and_the_supervisor_tab(world, accept, client):
    late = accept(D(2026, 11, 2))
    frozen = accept(D(2026, 11, 19))
    Case.objects.filter(pk=frozen.pk).update(status=Status.SUSPENDED, frozen_light="red")
    accept(D(2026, 11, 19))  # green
    qs = case_queries.with_light(Case.objects.all(), TODAY)
    rows = case_queries.red_rows(qs, TODAY, ("due_seq", "number"), 10, key=lambda c: (c.due_seq, c.number))
    assert [c.number for c in rows] == [late.number, frozen.number]
