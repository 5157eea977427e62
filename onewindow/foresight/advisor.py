"""承诺时限建议 (the promise advisor, issue 22 part 2): per item, how long the hall's own decided
cases of the last 12 months really took, and the tightest promised limit that would have kept a
set share of them on time — proposed to the catalog's two-person publishing, never applied by
itself (a hall admin drafts; a department head or admin proposes; another admin publishes).

The working days of a case (`days`): from acceptance to decision, less its pauses —
  seq(date of the decision in the hall's time zone) − seq(accepted_on) − Σ Suspension.days.
- The day of acceptance is not counted (RULES.md "Working days and deadlines", art. 82), so a
  case decided the day it was accepted took 0 days: that is the on-the-spot share (当日办结).
- Pauses: 特别程序 (行政许可法 art. 45: hearings, expert review, survey … "do not count") and the
  退回补正 a reviewer starts (the clock stops until the supplement; cases.pauses.start_pause and
  end_pause): each closed pause stores the working days it lasted in Suspension.days, the same
  days end_pause adds to the case's extra_days.
- Extensions (延期, art. 42; cases.pauses.extend) are NOT taken off: the clock ran during them
  and the work really took those days. An extension only moves the deadline; a promise honest
  without extensions is what the advisor looks for. (So `days` = closed_seq − seq(accepted_on) −
  paused days, the same as stats' 办理用时 (stats.rollup, days_used), and not closed_seq − due_seq.)
- Decided cases only: 准予, 不予准予 and 撤销审批 (an approval revoked after its commitment check
  keeps its decision's dates, cases.commitment_checks). Withdrawn and refused cases were never
  decided and say nothing about how long a decision takes.
- The decision's local date: cases.transitions.close_case sets decided_at, closed_at, closed_on
  (clock.today(), the hall's date) and closed_seq = seq(closed_on) at the same instant, so
  closed_seq is seq of decided_at's date in Asia/Shanghai, and the window is read on closed_at
  (indexed: case_closed_at).

The limit: with n cases and c(L) of them taking ≤ L days, the advised limit is the smallest L
with c(L) ≥ share × n (the share: ONEWINDOW_PROMISE_ON_TIME_PERCENT), never above the legal limit
(RULES.md: the promise is at most the legal limit) — when even the legal limit keeps fewer, the
legal limit is advised and the page says so. Fewer than ONEWINDOW_PROMISE_MIN_CASES cases: no
advice (样本不足). Counting is set-based: one grouped query (item, days) → cases for all items.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from onewindow import clock
from onewindow.accounts.models import Role, User
from onewindow.accounts.queries import has_role
from onewindow.cases.models import Case, Outcome, Suspension
from onewindow.catalog import services as catalog
from onewindow.catalog.models import ItemVersion, ServiceItem
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.foresight.models import PromiseAdvice
from onewindow.workdays import queries as workdays

DECIDED = (Outcome.APPROVED, Outcome.DENIED, Outcome.REVOKED)
OPEN_VERSION_STATES = (ItemVersion.State.DRAFT, ItemVersion.State.PROPOSED)


class Status:
    ADVISED = "advised"  # the tightest limit keeping the share on time, within the legal limit
    LEGAL_SHORT = "legal_short"  # even the legal limit keeps fewer than the share: the legal limit
    FEW_CASES = "few_cases"  # 样本不足: no advice


@dataclass(frozen=True)
class Advice:
    item_id: int
    code: str
    name: str
    department: str
    since: dt.date
    until: dt.date
    on_time_percent: int
    legal_days: int
    current_days: int
    # ((working days, cases), …) ascending by days.
    histogram: tuple[tuple[int, int], ...] = field(default=())
    status: str = Status.FEW_CASES
    advised_days: int | None = None

    @property
    def n(self) -> int:
        return sum(c for _, c in self.histogram)

    def within(self, limit: int) -> int:
        """Cases that took at most `limit` working days (on time under that promise)."""
        return sum(c for d, c in self.histogram if d <= limit)

    def share_within(self, limit: int | None) -> float | None:
        return None if limit is None or not self.n else self.within(limit) / self.n

    def percentile(self, percent: int) -> int | None:
        """The smallest L with at least `percent`% of the cases within L (nearest rank)."""
        return _smallest_limit(self.histogram, percent)

    @property
    def median_days(self) -> int | None:
        return self.percentile(50)

    @property
    def p95_days(self) -> int | None:
        return self.percentile(95)

    @property
    def on_the_spot_cases(self) -> int:
        return self.within(0)

    @property
    def on_the_spot_share(self) -> float | None:
        return self.share_within(0)

    @property
    def advised_share(self) -> float | None:
        return self.share_within(self.advised_days)

    @property
    def current_share(self) -> float | None:
        return self.share_within(self.current_days)

    # The same shares in percent, for the pages.
    @property
    def on_the_spot_percent(self) -> float | None:
        return _as_percent(self.on_the_spot_share)

    @property
    def advised_percent(self) -> float | None:
        return _as_percent(self.advised_share)

    @property
    def current_percent(self) -> float | None:
        return _as_percent(self.current_share)

    @property
    def changes(self) -> bool:
        return self.advised_days is not None and self.advised_days != self.current_days


def _as_percent(share: float | None) -> float | None:
    return None if share is None else share * 100


def _smallest_limit(histogram, percent: int) -> int | None:
    n = sum(c for _, c in histogram)
    within = 0
    for days, cases in histogram:
        within += cases
        if within * 100 >= percent * n:  # integers: no rounding at the boundary
            return days
    return None


def last_12_months(until: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The 12 months up to and including `until` (default: today in the hall's time zone)."""
    until = until or clock.today()
    day = min(until.day, 28) if (until.month, until.day) == (2, 29) else until.day
    return dt.date(until.year - 1, until.month, day) + dt.timedelta(days=1), until


def _window(since, until) -> tuple[dt.date, dt.date]:
    default_since, default_until = last_12_months(until)
    return since or default_since, default_until


def distributions(since: dt.date, until: dt.date, item_ids=None) -> dict[int, tuple[tuple[int, int], ...]]:
    """{item id: ((working days, cases), …)} of the cases decided in the days since..until: one
    grouped query over all items (or those of `item_ids`)."""
    tz = clock.hall_tz()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    paused = Subquery(
        Suspension.objects.filter(case=OuterRef("pk")).values("case").annotate(s=Sum("days")).values("s")[:1],
        output_field=IntegerField(),
    )
    cases = Case.objects.filter(
        outcome__in=DECIDED,
        decided_at__isnull=False,
        accepted_on__isnull=False,
        closed_seq__isnull=False,
        closed_at__gte=start,
        closed_at__lt=end,
    )
    if item_ids is not None:
        cases = cases.filter(item_id__in=list(item_ids))
    rows = (
        cases.annotate(
            days=F("closed_seq") - workdays.seq_of(OuterRef("accepted_on")) - Coalesce(paused, Value(0))
        )
        .order_by()
        .values("item_id", "days")
        .annotate(n=Count("pk"))
        .values_list("item_id", "days", "n")
    )
    merged: dict[int, dict[int, int]] = {}
    for item_id, days, n in rows:
        per_item = merged.setdefault(item_id, {})
        day = max(0, days)  # a pause is never longer than the case; kept safe all the same
        per_item[day] = per_item.get(day, 0) + n
    return {item_id: tuple(sorted(h.items())) for item_id, h in merged.items()}


def _advice(item: ServiceItem, histogram, since, until, percent: int) -> Advice:
    current = item.current
    base = dict(
        item_id=item.pk, code=item.code, name=current.name, department=item.department.name, since=since,
        until=until, on_time_percent=percent, legal_days=current.legal_limit_days,
        current_days=current.promised_limit_days, histogram=tuple(histogram),
    )  # fmt: skip
    if sum(c for _, c in histogram) < settings.ONEWINDOW_PROMISE_MIN_CASES:
        return Advice(**base, status=Status.FEW_CASES)
    tightest = _smallest_limit(histogram, percent)
    if tightest > current.legal_limit_days:
        return Advice(**base, status=Status.LEGAL_SHORT, advised_days=current.legal_limit_days)
    return Advice(**base, status=Status.ADVISED, advised_days=tightest)


def _percent(percent: int | None) -> int:
    percent = settings.ONEWINDOW_PROMISE_ON_TIME_PERCENT if percent is None else percent
    if not 1 <= percent <= 100:
        raise DomainError("foresight.on_time_percent", "按时办结目标应为1%至100%。")
    return percent


def advise_all(
    since: dt.date | None = None, until: dt.date | None = None, percent: int | None = None
) -> list[Advice]:
    """The advice for every item in use (published, not withdrawn) with cases decided in the
    window (default: the 12 months up to today), the most cases first."""
    since, until = _window(since, until)
    percent = _percent(percent)
    found = distributions(since, until)
    items = ServiceItem.objects.filter(
        pk__in=list(found), withdrawn_at__isnull=True, current__isnull=False
    ).select_related("current", "department")
    advice = [_advice(item, found[item.pk], since, until, percent) for item in items]
    return sorted(advice, key=lambda a: (-a.n, a.code))


def advise(item: ServiceItem, since: dt.date | None = None, until: dt.date | None = None,
           percent: int | None = None) -> Advice:  # fmt: skip
    """The advice for one item (its histogram may be empty)."""
    since, until = _window(since, until)
    item = ServiceItem.objects.select_related("current", "department").get(pk=item.pk)
    if item.current is None:
        raise Conflict("catalog.no_published_version", "该事项尚无已发布版本。")
    histogram = distributions(since, until, [item.pk]).get(item.pk, ())
    return _advice(item, histogram, since, until, _percent(percent))


def replay(limit: int, item: ServiceItem, since: dt.date, until: dt.date) -> float | None:
    """The share of the item's cases decided in since..until that a promise of `limit` working
    days would have kept on time (None: no case) — to check a proposal on held-out months."""
    histogram = distributions(since, until, [item.pk]).get(item.pk, ())
    n = sum(c for _, c in histogram)
    return sum(c for d, c in histogram if d <= limit) / n if n else None


# ---- the proposal --------------------------------------------------------------------------


def open_version(item: ServiceItem) -> ItemVersion | None:
    return item.versions.filter(state__in=OPEN_VERSION_STATES).first()


def draft_refusal(advice: Advice, item: ServiceItem, by: User) -> DomainError | None:
    """Why `by` may not draft from this advice now (None: they may). The page hides its button
    on the same answer the service raises."""
    if not has_role(by, Role.HALL_ADMIN):
        return Forbidden("foresight.admin_only", "只有大厅管理员可以据承诺时限建议起草事项变更。")
    if advice.advised_days is None:
        return DomainError(
            "foresight.no_advice",
            f"近12个月已决定办件{advice.n}件，少于{settings.ONEWINDOW_PROMISE_MIN_CASES}件（样本不足），暂无建议。",
        )
    if not advice.changes:
        return DomainError(
            "foresight.limit_unchanged",
            f"建议承诺时限与现行承诺时限相同（{advice.current_days}个工作日），无需变更。",
        )
    draft = open_version(item)
    if draft is not None:
        return Conflict(
            "foresight.draft_exists",
            f"该事项已有未发布的第{draft.number}版（{draft.get_state_display()}），请先发布或退回处理后再据建议起草。",
        )
    return None


def fit_steps(steps: list[dict], limit: int) -> list[dict]:
    """The steps' days cut to fit a tighter promise (catalog: their sum is at most the promised
    limit): one day at a time off the longest step (the first of equals) until they fit."""
    steps = [dict(s) for s in steps]
    while steps and sum(s["days"] for s in steps) > limit:
        longest = max(range(len(steps)), key=lambda i: (steps[i]["days"], -i))
        steps[longest]["days"] -= 1
    return steps


def _percent_text(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def change_note(advice: Advice, steps_before: list[dict], steps_after: list[dict]) -> str:
    """The evidence in words, on the draft (catalog.ItemVersion.change_note)."""
    lines = [
        f"承诺时限建议：{advice.current_days}个工作日 → {advice.advised_days}个工作日（法定时限{advice.legal_days}个工作日）。",
        f"依据：{advice.since}至{advice.until}本事项已决定办件{advice.n}件（准予、不予准予、撤销审批），"
        f"自受理至决定、扣除特别程序和退回补正的实际用时中位数{advice.median_days}个工作日、"
        f"95%分位{advice.p95_days}个工作日，当日办结{_percent_text(advice.on_the_spot_share)}。",
        f"按建议时限，{_percent_text(advice.advised_share)}的办件可按时办结（目标不低于{advice.on_time_percent}%）；"
        f"按现行时限为{_percent_text(advice.current_share)}。",
    ]
    if advice.status == Status.LEGAL_SHORT:
        lines.append(
            f"注意：即使按法定时限，也只有{_percent_text(advice.advised_share)}的办件能按时办结，未达目标。"
        )
    if steps_after != steps_before:
        steps = "、".join(f"{s['name']}{s['days']}个工作日" for s in steps_after)
        lines.append(f"各环节时限已压缩为：{steps}，请核对。")
    lines.append("本草稿由承诺时限建议生成，须经提交、另一人发布后方生效。")
    return "\n".join(lines)


@transaction.atomic
def draft_from_advice(item: ServiceItem, *, by: User, since: dt.date | None = None,
                      until: dt.date | None = None) -> ItemVersion:  # fmt: skip
    """据此起草变更: a new draft of the item with the advised promise and the evidence attached
    (PromiseAdvice, and the version's change note). It is only a draft: proposing and publishing
    stay with people (catalog.services.propose, publish)."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    advice = advise(item, since, until)
    refusal = draft_refusal(advice, item, by)
    if refusal is not None:
        raise refusal
    draft = catalog.start_draft(item, by=by)
    steps_before = [{f: getattr(s, f) for f in catalog.STEP_FIELDS} for s in draft.steps.all()]
    steps_after = fit_steps(steps_before, advice.advised_days)
    catalog.save_draft(
        draft,
        by=by,
        elements={"promised_limit_days": advice.advised_days, "on_the_spot": advice.advised_days == 0},
        steps=steps_after if steps_after != steps_before else None,
        change_note=change_note(advice, steps_before, steps_after),
    )
    PromiseAdvice.objects.create(
        item=item, version=draft, since=advice.since, until=advice.until, cases=advice.n,
        histogram=[list(row) for row in advice.histogram], on_time_percent=advice.on_time_percent,
        advised_days=advice.advised_days, on_time_cases=advice.within(advice.advised_days),
        current_days=advice.current_days, legal_days=advice.legal_days,
        on_the_spot_cases=advice.on_the_spot_cases, median_days=advice.median_days, p95_days=advice.p95_days,
        created_by=by, created_at=clock.now(),
    )  # fmt: skip
    draft.refresh_from_db()
    return draft
