"""Per-hall thresholds (SupervisionSettings), read by the one case light: in SQL (inbox,
supervision) and in Python (case page, the light frozen at 特别程序) alike; no row → settings."""

import datetime as dt

import pytest
from django.test import override_settings

from onewindow.cases import clock_rules
from onewindow.cases import queries as case_queries
from onewindow.cases.models import Case, SupervisionSettings
from onewindow.workdays import calendar

pytestmark = pytest.mark.django_db
D = dt.date


def _both(case, day):
    sql = case_queries.with_light(Case.objects.filter(pk=case.pk), day).get().light
    python = clock_rules.light(case.due_seq, case.promised_days, calendar.seq(day), case.hall_id)
    assert sql == python
    return sql


def test_no_row_uses_the_settings(world, accept):
    case = accept(D(2026, 11, 2))  # due 11-09, 5 days: yellow from 1 day left
    assert _both(case, D(2026, 11, 5)) == "green"
    with override_settings(ONEWINDOW_YELLOW_LIGHT_PERCENT=60):  # 3 days: yellow from 11-04
        assert _both(case, D(2026, 11, 4)) == "yellow"


def test_the_halls_row_moves_the_yellow_light(world, accept):
    case = accept(D(2026, 11, 2))
    SupervisionSettings.objects.create(hall=world.hall, yellow_percent=20, yellow_min_days=3)
    assert _both(case, D(2026, 11, 3)) == "green"  # 4 days left
    assert _both(case, D(2026, 11, 4)) == "yellow"  # 3 days left
    SupervisionSettings.objects.filter(hall=world.hall).update(yellow_percent=80, yellow_min_days=1)
    clock_rules.forget_thresholds()  # a bulk update bypasses save(); other processes: within the TTL
    assert _both(case, D(2026, 11, 3)) == "yellow"  # 4 ≤ 80% of 5
    assert _both(case, D(2026, 11, 10)) == "red"


def test_another_halls_row_does_not_apply(world, accept):
    case = accept(D(2026, 11, 2))
    SupervisionSettings.objects.create(hall=world.other_hall, yellow_percent=100)
    assert _both(case, D(2026, 11, 3)) == "green"
