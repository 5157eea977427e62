"""Read side of cases: the inbox by light, lists for the API, the public progress page."""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.models import BooleanField, Count, Q, QuerySet, Value, When
from django.db.models import Case as When_

from onewindow import clock, ratelimit
from onewindow.accounts.models import Hall, User
from onewindow.accounts.queries import staff_of
from onewindow.cases import clock_rules, permits
from onewindow.cases.models import AT_RISK, OPEN_STATUSES, Case, Light
from onewindow.cases.transitions import scope_of
from onewindow.errors import DomainError, NotFound
from onewindow.workdays import calendar


def visible_cases(user: User) -> QuerySet[Case]:
    """Cases this user may see — the set form of cases.transitions.may_view (one rule): their
    own as applicant, and their department's or hall's (`scope_of`)."""
    if not user.is_authenticated:
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    own = Q(applicant__user=user)
    scope = scope_of(user)
    return Case.objects.filter(own | Q(**{scope[0]: scope[1]}) if scope else own)


def case_for(user: User, number: str) -> Case:
    case = (
        visible_cases(user)
        .select_related("item_version", "applicant", "department", "hall")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound("case.not_found", "未找到该办件。")
    return case


def with_light(qs: QuerySet[Case], today: dt.date | None = None) -> QuerySet[Case]:
    today_seq = calendar.seq(today or clock.today())
    return qs.annotate(light=clock_rules.light_expression(today_seq))


# A forecast older than this (the worker stopped) is not shown: its figures are out of date.
RISK_FRESH_DAYS = 3


def likely(today: dt.date | None = None) -> Q:
    """A fresh forecast at or above ONEWINDOW_AT_RISK_PERCENT: the join condition that narrows a
    count or a list of at-risk cases to the few likely ones before their lights are computed."""
    fresh = (today or clock.today()) - dt.timedelta(days=RISK_FRESH_DAYS)
    return Q(risk__probability__gte=settings.ONEWINDOW_AT_RISK_PERCENT / 100, risk__scored_on__gte=fresh)


def with_risk(qs: QuerySet[Case], today: dt.date | None = None) -> QuerySet[Case]:
    """`at_risk` on rows annotated with `light`: green, and the forecast's probability of closing
    late reaches ONEWINDOW_AT_RISK_PERCENT (issue 22's fourth colour, 预警). One home for the rule:
    the inbox, the supervisor's list and the dashboard all ask here."""
    rule = Q(light=Light.GREEN) & likely(today)
    # CASE, not the bare condition: with no score (the LEFT JOIN's NULLs) it is false, not NULL.
    return qs.annotate(
        at_risk=When_(When(rule, then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def filter_light(qs: QuerySet[Case], light: str | None) -> QuerySet[Case]:
    """Rows of one colour of four (annotated by with_light and with_risk): green means green and
    not at risk."""
    if light == AT_RISK:
        return qs.filter(likely(), at_risk=True)
    if light == Light.GREEN:
        return qs.filter(light=Light.GREEN, at_risk=False)
    return qs.filter(light=light) if light else qs


def red_rows(qs: QuerySet, today: dt.date, order: tuple[str, str], limit: int, key: Callable) -> list:
    """The first `limit` red rows of `qs` (annotated with `light`) in `order` (the deadline, then
    a unique key): each part of clock_rules.red_parts read as its own index range, then merged
    as the union's ORDER BY … LIMIT would. `key(row)`: the row's (deadline, unique key); the
    deadline may be null only in the second part, and nulls sort last, as PostgreSQL's
    ascending order puts them."""
    parts = clock_rules.red_parts(calendar.seq(today))
    rows = [row for part in parts for row in qs.filter(part, light=Light.RED).order_by(*order)[:limit]]

    def ordered(row):
        deadline, unique = key(row)
        return (deadline is None, deadline or 0, unique)

    return sorted(rows, key=ordered)[:limit]


def inbox(department_id: int, *, light: str | None = None, limit: int = 200) -> list[Case]:
    """Open cases of a department, most urgent first: one indexed query (department, status,
    due_seq), the light computed in SQL. Each carries its receiving hall (同城通办: a case of
    the department may have been received at any hall of the city)."""
    qs = with_light(
        Case.objects.filter(department_id=department_id, status__in=OPEN_STATUSES)
        .select_related("item_version", "applicant", "hall", "risk")
        .only(
            "hall__name",
            "number",
            "status",
            "due_on",
            "due_seq",
            "promised_days",
            "frozen_light",
            "received_at",
            "applicant__name",
            "item_version__name",
            "accepted_on",
            "risk__probability",
            "risk__reasons",
        )  # fmt: skip
    )
    if light == AT_RISK:  # a range of the forecast's department index, not a scan of the inbox
        qs = qs.filter(risk__department_id=department_id)
    qs = filter_light(with_risk(qs), light)
    return list(qs.order_by("due_seq", "number")[:limit])


def received_here(user: User, *, limit: int = 20) -> list[Case]:
    """本中心收件: the latest cases received at the user's hall, whichever department of the
    city decides them (同城通办) — the receiving hall's clerks' list. Each carries
    `deciding_hall`: the hall of the department that decides it when that is another hall."""
    staff = staff_of(user)
    if staff is None:
        return []
    rows = list(
        visible_cases(user)
        .filter(hall_id=staff.hall_id)
        .select_related("item_version", "applicant", "department")
        .order_by("-received_at", "-pk")[:limit]
    )
    halls = permits.deciding_halls({c.department_id for c in rows})
    for case in rows:
        case.deciding_hall = permits.decided_elsewhere(case, halls)
    return rows


def hall_figures(since: dt.date, until: dt.date) -> list[dict]:
    """同城通办 figures by hall, for the days `since`..`until`: what each hall received
    (`received`; of which decided at another hall: `received_for_others`) and what the
    departments deciding at each hall decided (`decided`, by the deciding hall of
    cases.permits.deciding_halls; of which received at another hall: `decided_received_elsewhere`).
    A case received here and decided there counts at both halls. Two grouped queries."""
    received = (
        Case.objects.filter(received_on__range=(since, until))
        .values("hall_id", "department_id")
        .annotate(n=Count("pk"))
    )
    decided = (
        Case.objects.filter(decided_at__isnull=False, closed_on__range=(since, until))
        .values("hall_id", "department_id")
        .annotate(n=Count("pk"))
    )
    received, decided = list(received), list(decided)
    deciding = permits.deciding_halls({r["department_id"] for r in [*received, *decided]})
    keys = ("received", "received_for_others", "decided", "decided_received_elsewhere")
    figures: dict[int, dict] = {}

    def row(hall_id: int) -> dict:
        return figures.setdefault(hall_id, dict.fromkeys(keys, 0))

    for r in received:
        there = deciding.get(r["department_id"])
        row(r["hall_id"])["received"] += r["n"]
        if there is not None and there.pk != r["hall_id"]:
            row(r["hall_id"])["received_for_others"] += r["n"]
    for r in decided:
        there = deciding.get(r["department_id"])
        if there is None:
            continue
        row(there.pk)["decided"] += r["n"]
        if there.pk != r["hall_id"]:
            row(there.pk)["decided_received_elsewhere"] += r["n"]
    halls = Hall.objects.in_bulk(figures)
    return [{"hall": halls[pk], **figures[pk]} for pk in sorted(figures, key=lambda pk: halls[pk].code)]


def decided_by_department(since: dt.date, until: dt.date) -> dict[int, int]:
    """Cases decided by each department in the days `since`..`until`, wherever received."""
    rows = (
        Case.objects.filter(decided_at__isnull=False, closed_on__range=(since, until))
        .values("department_id")
        .annotate(n=Count("pk"))
    )
    return {r["department_id"]: r["n"] for r in rows}


def light_counts(department_id: int) -> dict[str, int]:
    """Open cases of a department by colour: red, yellow, at risk (预警) and green. Two reads: the
    lights over the index alone, then the at-risk ones among the likely few (a join of every open
    case with its forecast cost 40 ms of the inbox over 13,000 open cases, bench/forecast.py)."""
    open_cases = Case.objects.filter(department_id=department_id, status__in=OPEN_STATUSES)
    rows = with_light(open_cases).values("light").annotate(n=Count("pk"))
    counts = {"red": 0, "yellow": 0, AT_RISK: 0, "green": 0}
    counts.update({r["light"]: r["n"] for r in rows})
    likely_here = open_cases.filter(likely(), risk__department_id=department_id)
    counts[AT_RISK] = with_risk(with_light(likely_here)).filter(at_risk=True).count()
    counts["green"] -= counts[AT_RISK]
    return counts


def count_progress_lookup(request) -> None:
    """One public progress lookup by this client: the case page, the API and the bundle page
    count under one key, so a guesser of a case number and four phone digits gets
    ONEWINDOW_PROGRESS_LOOKUPS_PER_WINDOW tries per window in all, then 429 with Retry-After."""
    ratelimit.hit(
        f"progress:{ratelimit.client_address(request)}",
        limit=settings.ONEWINDOW_PROGRESS_LOOKUPS_PER_WINDOW,
        window_seconds=settings.ONEWINDOW_PROGRESS_WINDOW_SECONDS,
    )


def public_progress(number: str, phone_last4: str) -> Case:
    """Nothing is shown unless both the case number and the applicant's phone's last four match."""
    if not (number or "").strip() or not (phone_last4 or "").isdigit() or len(phone_last4) != 4:
        raise DomainError("case.progress_input", "请输入办件编号和申请人手机号码后四位。")
    case = (
        Case.objects.select_related("item_version", "department", "applicant")
        .prefetch_related("steps")
        .filter(number=number.strip())
        .first()
    )
    if case is None or not case.applicant.phone or case.applicant.phone[-4:] != phone_last4:
        raise NotFound("case.progress_not_found", "办件编号或手机号码后四位不正确。")
    return case
