"""The forecast's jobs run concurrently with themselves (two workers): one active version, and the
open cases' scores are whole — never duplicated, never half old and half new."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases.models import OPEN_STATUSES, Case, CaseRisk
from onewindow.concurrently import run_together
from onewindow.foresight import history, services
from onewindow.foresight.models import RiskModel

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = dt.date(2025, 12, 16)


@pytest.fixture
def generated(history_hall):
    with clock.frozen(TODAY):
        return history.generate(start=dt.date(2025, 1, 1), months=12, per_month=120, seed=7, hall=history_hall,
                                open_until=dt.date(2025, 12, 15), events=False)  # fmt: skip


def frozen(fn):
    def call():
        with clock.frozen(TODAY):
            return fn()

    return call


def test_concurrent_fits_leave_exactly_one_active_version(generated):
    results = run_together(*[frozen(services.fit) for _ in range(4)])
    assert all(isinstance(r, RiskModel) for r in results), results
    versions = list(RiskModel.objects.values_list("version", flat=True))
    assert len(versions) == len(set(versions)) >= 1
    assert RiskModel.objects.filter(active=True).count() == 1


def test_concurrent_scoring_writes_each_open_case_once(generated):
    with clock.frozen(TODAY):
        services.fit()
    results = run_together(*[frozen(services.score) for _ in range(4)])
    assert not [r for r in results if isinstance(r, Exception)], results
    open_ids = set(Case.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    assert CaseRisk.objects.count() == len(open_ids) > 0
    assert set(CaseRisk.objects.values_list("case_id", flat=True)) == open_ids
