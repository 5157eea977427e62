"""风险预判: fit the deadline-risk forecast on the hall's decided cases, score the open ones
(issue 22; decision 51). The worker calls `daily` every run; it refits once a day after
ONEWINDOW_FORECAST_HOUR and then scores every open case."""

import datetime as dt
import logging
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Max

from onewindow import clock, fastsql
from onewindow.accounts.models import Department
from onewindow.cases import clock_rules
from onewindow.cases.models import CaseRisk
from onewindow.foresight import features, reasons
from onewindow.foresight import model as risk_model
from onewindow.foresight.features import CaseSet, Context, Snapshots
from onewindow.foresight.models import RiskModel
from onewindow.workdays import calendar

log = logging.getLogger(__name__)

# Training stops this many working days before the fit day: a case open then has nearly always
# been decided since, so the recent months are not learnt from their fast cases only.
SETTLE_DAYS = 20
# The fit's own check: the newest this-many working days of training are held out, fitted
# without, and scored (the evaluation kept with the version).
HOLDOUT_DAYS = 40
# Fewer labelled snapshots than this, or no late case among them: no model (the hall is new).
MIN_ROWS = 200
WRITE_BATCH = 5000


@dataclass
class Labelled:
    cs: CaseSet
    snap: Snapshots
    late: np.ndarray


def labelled(
    cs: CaseSet, since_seq: int, until_seq: int, decided_by: int, context: Context, reviewers
) -> Labelled:
    case, day = features.history_days(cs, since_seq, until_seq, decided_by)
    snap = features.snapshots(cs, case, day, context, reviewers)
    return Labelled(cs, snap, cs.late[case])


def baselines(train: Labelled, test: Labelled) -> dict:
    """The two baselines the forecast must beat, fitted on `train`, scored on `test`: the yellow
    light alone (the late share of yellow and of green training snapshots), and the item's
    historical late rate (its decided cases' late share)."""
    out = {}

    def yellow(lab: Labelled) -> np.ndarray:
        threshold = np.array([clock_rules.yellow_threshold(int(p)) for p in lab.cs.promised[lab.snap.case]])
        return lab.snap.numeric["remaining"] <= threshold

    def rate(mask: np.ndarray, late: np.ndarray) -> float:
        return float(late[mask].mean()) if mask.any() else float(late.mean())

    y_train, y_test = yellow(train), yellow(test)
    p_yellow = np.where(y_test, rate(y_train, train.late), rate(~y_train, train.late))
    out["yellow_light"] = risk_model.scores(p_yellow, test.late)
    cases = np.unique(train.snap.case)  # each training case once
    item_ids, inverse = np.unique(train.cs.item[cases], return_inverse=True)
    item_rate = np.bincount(inverse, weights=train.cs.late[cases].astype(float)) / np.bincount(inverse)
    overall = float(train.cs.late[cases].mean()) if len(cases) else 0.0
    test_items = test.cs.item[test.snap.case]
    pos = np.clip(np.searchsorted(item_ids, test_items), 0, max(len(item_ids) - 1, 0))
    known = (item_ids[pos] == test_items) if len(item_ids) else np.zeros(len(test_items), bool)
    p_item = np.where(known, item_rate[pos] if len(item_ids) else 0.0, overall)
    out["item_rate"] = risk_model.scores(p_item, test.late)
    return out


def evaluate(spec: dict, train: Labelled, test: Labelled) -> dict:
    """AUC, Brier score and calibration of `spec` on `test`, beside the two baselines; `best_*`:
    the better baseline on each measure."""
    p = risk_model.predict(spec, test.snap, test.cs)
    result = risk_model.scores(p, test.late) | {"calibration": risk_model.calibration(p, test.late)}
    result["baselines"] = baselines(train, test)
    b = result["baselines"].values()
    aucs = [x["auc"] for x in b if x["auc"] is not None]
    result["baseline_auc"] = max(aucs) if aucs else None
    result["baseline_brier"] = min(x["brier"] for x in b) if test.late.size else None
    return result


def backtest(
    history: CaseSet, train_until: dt.date, test_until: dt.date, since: dt.date | None = None
) -> dict:
    """Fit on snapshots up to `train_until` (cases decided by then), predict the snapshots of the
    days after it up to `test_until` (cases decided by then), and evaluate."""
    t = calendar.seq(train_until)
    start = calendar.seq(since) if since else int(history.accepted.min())
    reviewers = features.reviewers_by_department()
    context = Context.learn(history, decided_by=t)
    train = labelled(history, start, t, t, context, reviewers)
    test = labelled(history, t + 1, calendar.seq(test_until), calendar.seq(test_until), context, reviewers)
    started = time.perf_counter()
    spec = risk_model.fit(train.snap, history, train.late, context)
    fit_s = time.perf_counter() - started
    return {"spec": spec, "fit_s": fit_s, "train_rows": len(train.snap), "test_rows": len(test.snap),
            **evaluate(spec, train, test)}  # fmt: skip


# ---- the nightly fit ---------------------------------------------------------------------------


def fit(today: dt.date | None = None) -> RiskModel | None:
    """Fits a new version on the decided cases of the last ONEWINDOW_FORECAST_MONTHS months and
    makes it the active one; None when history is too thin (fewer than MIN_ROWS snapshots, or
    none late). The held-out check goes with it."""
    today = today or clock.today()
    t = calendar.seq(today)
    since = today - dt.timedelta(days=round(settings.ONEWINDOW_FORECAST_MONTHS * 30.44))
    # Cases accepted a quarter before the window too: the departments' load on its first days.
    history = features.history(since - dt.timedelta(days=90), today)
    start = max(_seq_from(since), 1)
    reviewers = features.reviewers_by_department()
    end = t - SETTLE_DAYS
    context = Context.learn(history, decided_by=t)
    train = labelled(history, start, end, t, context, reviewers)
    if len(train.snap) < MIN_ROWS or not train.late.any() or train.late.all():
        log.info("风险预判：可用的历史办件样本不足（%d 个），暂不训练模型", len(train.snap))
        return None
    evaluation: dict = {}
    held = labelled(history, end - HOLDOUT_DAYS + 1, end, t, context, reviewers)
    early = labelled(history, start, end - HOLDOUT_DAYS, t, context, reviewers)
    if len(early.snap) >= MIN_ROWS and early.late.any() and not early.late.all() and len(held.snap):
        evaluation = evaluate(risk_model.fit(early.snap, history, early.late, context), early, held)
    spec = risk_model.fit(train.snap, history, train.late, context)
    return _save(today, history, train, spec, evaluation)


def _seq_from(day: dt.date) -> int:
    """The ordinal of `day`, or of the calendar's first day when the table starts later."""
    data = calendar.current()
    return data.seq(max(day, dt.date.fromordinal(data.first)))


def _save(today, history: CaseSet, train: Labelled, spec: dict, evaluation: dict) -> RiskModel | None:
    try:
        with transaction.atomic():
            list(RiskModel.objects.select_for_update().filter(active=True))
            version = (RiskModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
            RiskModel.objects.filter(active=True).update(active=False)
            return RiskModel.objects.create(
                version=version,
                fitted_at=clock.now(),
                trained_until=today,
                cases=int(len(np.unique(train.snap.case))),
                snapshots=len(train.snap),
                late_share=float(train.late.mean()),
                spec=spec,
                evaluation=evaluation,
                active=True,
            )
    except IntegrityError:
        # Another worker fitted the same day at the same moment: its version stands.
        log.info("风险预判：另一进程已同时训练模型")
        return RiskModel.objects.filter(active=True).first()


def active_model() -> RiskModel | None:
    return RiskModel.objects.filter(active=True).first()


# ---- scoring the open cases --------------------------------------------------------------------


def score(today: dt.date | None = None, model: RiskModel | None = None) -> int:
    """Scores every open case with the active model and replaces the CaseRisk rows (one
    transaction: a reader sees the old scores or the new ones, never a half). Returns the count."""
    today = today or clock.today()
    model = model or active_model()
    if model is None:
        return 0
    cs = features.open_cases(today)
    case, day = features.open_rows(cs, today)
    context = Context.from_json(model.spec["context"])
    snap = features.snapshots(cs, case, day, context, features.reviewers_by_department())
    p = risk_model.predict(model.spec, snap, cs)
    contrib, keys = risk_model.contributions(model.spec, snap, cs) if len(snap) else (None, [])
    picked = reasons.top(contrib, keys, most=reasons.MOST + 2) if len(snap) else []
    names = dict(Department.objects.values_list("pk", "name"))
    figs = reasons.figures(snap, cs, names)
    rates = model.spec.get("late_rates", {})
    rows = [
        {
            "case_id": int(cs.ids[i]),
            "department_id": int(cs.department[i]),
            "probability": round(float(p[i]), 4),
            "reasons": reasons.told(picked[i], figs[i], rates),
            "model_version": model.version,
            "scored_on": today,
        }
        for i in range(len(snap))
    ]
    with transaction.atomic():
        locked = RiskModel.objects.select_for_update().filter(pk=model.pk, active=True).first()
        if locked is None:
            return 0  # a newer version took over meanwhile; it scores
        CaseRisk.objects.all().delete()
        fastsql.copy_rows(CaseRisk, rows, batch_size=WRITE_BATCH)
        RiskModel.objects.filter(pk=model.pk).update(scored_on=today, scored=len(rows))
    return len(rows)


def daily(now: dt.datetime | None = None) -> int:
    """The worker's job: refit once a day after ONEWINDOW_FORECAST_HOUR, and score the open cases
    once a day (after a refit, or with the model there is). Returns the cases scored this run."""
    now = now or clock.now()
    local = now.astimezone(clock.hall_tz())
    today = local.date()
    model = active_model()
    tried = f"foresight:fit-tried:{today.isoformat()}"
    due = model is None or model.trained_until < today
    if local.hour >= settings.ONEWINDOW_FORECAST_HOUR and due and not cache.get(tried):
        cache.set(tried, True, timeout=26 * 3600)  # one attempt a day, even when history is thin
        model = fit(today) or model
    if model is None or model.scored_on == today:
        return 0
    return score(today, model)
