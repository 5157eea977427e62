"""The deadline-risk forecast end to end on generated history (issue 22): the backtest beats both
baselines and finds the planted department and step, a fit makes one active version, scoring
writes every open case's risk with its reasons, the worker's job runs once a day, and the model
page shows what a maintainer needs."""

import datetime as dt

import numpy as np
import pytest

from onewindow import clock
from onewindow.cases.models import OPEN_STATUSES, Case, CaseRisk
from onewindow.foresight import features, reasons, services
from onewindow.foresight import model as risk_model
from onewindow.foresight.models import RiskModel
from onewindow.workdays import calendar

pytestmark = pytest.mark.django_db
D = dt.date
START = D(2025, 1, 1)
TRAIN_UNTIL = D(2025, 9, 30)
OPEN_UNTIL = D(2025, 12, 15)
TODAY = D(2025, 12, 16)


@pytest.fixture
def generated(history_hall):
    from onewindow.foresight import history

    with clock.frozen(TODAY):
        return history.generate(start=START, months=12, per_month=300, seed=5, hall=history_hall,
                                open_until=OPEN_UNTIL, events=False)  # fmt: skip


def test_the_backtest_beats_both_baselines_and_finds_the_planted_patterns(generated):
    cs = features.history(START, OPEN_UNTIL)
    result = services.backtest(cs, TRAIN_UNTIL, OPEN_UNTIL, since=START)
    assert result["test_rows"] > 500 and result["auc"] is not None
    assert result["auc"] > result["baseline_auc"] and result["brier"] < result["baseline_brier"]
    # calibrated: over the held-out months the mean prediction is near the observed late share
    rows = result["calibration"]
    predicted = sum(r["predicted"] * r["n"] for r in rows) / sum(r["n"] for r in rows)
    observed = sum(r["observed"] * r["n"] for r in rows) / sum(r["n"] for r in rows)
    assert abs(predicted - observed) < 0.05
    # the planted department carries the largest coefficient of its kind, the planted step one of
    # the three largest (at this small size a step of the slow department may outrank it)
    spec = result["spec"]
    departments, steps = spec["levels"]["department"], spec["levels"]["step"]
    assert max(departments, key=departments.get) == str(generated["slow_department"]["id"])
    slow_step = f"{generated['slow_step']['item_id']}:{generated['slow_step']['step']}"
    assert slow_step in sorted(steps, key=steps.get)[-3:] and steps[slow_step] > 0
    # and a held-out case of the slow department at risk names its department among its reasons
    t = calendar.seq(TRAIN_UNTIL)
    test = services.labelled(cs, t + 1, calendar.seq(OPEN_UNTIL), calendar.seq(OPEN_UNTIL),
                             features.Context.learn(cs, decided_by=t), features.reviewers_by_department())  # fmt: skip
    p = risk_model.predict(spec, test.snap, test.cs)
    picked = reasons.top(*risk_model.contributions(spec, test.snap, test.cs))
    slow = np.flatnonzero(
        (test.cs.department[test.snap.case] == generated["slow_department"]["id"]) & (p >= 0.4)
    )
    assert len(slow) and sum("department" in picked[i] for i in slow) / len(slow) > 0.9


def test_a_fit_makes_one_active_version_and_scoring_covers_every_open_case(generated):
    with clock.frozen(TODAY):
        first = services.fit()
        assert first is not None and first.active and first.version == 1 and first.evaluation["auc"]
        second = services.fit()
    assert second.version == 2 and list(RiskModel.objects.filter(active=True)) == [second]
    with clock.frozen(TODAY):
        n = services.score()
        again = services.score()  # replaces, never adds
    open_ids = set(Case.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    assert n == again == len(open_ids) == CaseRisk.objects.count() > 0
    assert set(CaseRisk.objects.values_list("case_id", flat=True)) == open_ids
    risks = list(CaseRisk.objects.all())
    assert all(0 <= r.probability <= 1 and r.model_version == 2 and r.scored_on == TODAY for r in risks)
    likely = [r for r in risks if r.probability >= 0.4]
    assert likely and all(1 <= len(r.reasons) <= reasons.MOST and r.reasons[0]["text"] for r in likely)
    second.refresh_from_db()
    assert second.scored_on == TODAY and second.scored == n


def test_the_worker_fits_after_the_hour_once_a_day_and_scores_once(generated, settings):
    settings.ONEWINDOW_FORECAST_HOUR = 2
    tz = clock.hall_tz()
    night = dt.datetime.combine(TODAY, dt.time(1, 30), tzinfo=tz)
    assert services.daily(night) == 0 and not RiskModel.objects.exists()  # before the hour
    morning = dt.datetime.combine(TODAY, dt.time(2, 5), tzinfo=tz)
    with clock.frozen(morning):
        scored = services.daily(morning)
    assert scored == CaseRisk.objects.count() > 0 and RiskModel.objects.get().trained_until == TODAY
    assert services.daily(morning + dt.timedelta(hours=3)) == 0  # fitted and scored today already
    tomorrow = morning + dt.timedelta(days=1)
    with clock.frozen(tomorrow):
        assert services.daily(tomorrow) > 0
    assert RiskModel.objects.filter(active=True).get().version == 2


def test_a_hall_without_history_fits_nothing_and_says_so(world, as_user):
    with clock.frozen(TODAY):
        assert services.fit() is None and services.score() == 0
        page = as_user(world.supervisor).get("/staff/foresight/")
    assert page.status_code == 200 and "尚无可用模型" in page.content.decode()


def test_the_model_page_shows_coefficients_and_the_held_out_check_to_supervisors_only(
    generated, world, as_user
):
    with clock.frozen(TODAY):
        services.fit()
        page = as_user(world.supervisor).get("/staff/foresight/")
        html = page.content.decode()
        assert page.status_code == 200 and "在用版本 v1" in html and "校准表" in html
        assert "当前环节超出其环节时限" in html and generated["slow_department"]["name"] in html
        assert as_user(world.reviewer_a).get("/staff/foresight/").status_code == 403
