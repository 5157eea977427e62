"""Read side of the assessment: a month's ranking with its breakdown, one person's own scores,
the public month, and the ranking as a table for Excel."""

import datetime as dt
from collections import defaultdict

from onewindow.accounts.models import Hall, User
from onewindow.assessment.models import Award, MonthlyScore, Run, ScoreLine, Subject


def ranking(hall: Hall, month: dt.date) -> dict[str, list[MonthlyScore]]:
    """{"window": [...], "officer": [...]}, by rank, each score with `.breakdown` (its lines): two
    queries."""
    scores = list(MonthlyScore.objects.filter(hall=hall, month=month).order_by("subject", "rank", "name"))
    lines = defaultdict(list)
    for line in ScoreLine.objects.filter(score__in=scores).order_by("order", "code"):
        lines[line.score_id].append(line)
    out = {Subject.WINDOW.value: [], Subject.OFFICER.value: []}
    for s in scores:
        s.breakdown = lines[s.pk]
        out[s.subject].append(s)
    return out


def run(hall: Hall, month: dt.date) -> Run | None:
    return Run.objects.filter(hall=hall, month=month).select_related("by").first()


def awards(hall: Hall, month: dt.date) -> list[Award]:
    return list(
        Award.objects.filter(hall=hall, month=month).select_related("confirmed_by").order_by("kind", "rank")
    )


def own(user: User, month: dt.date) -> list[MonthlyScore]:
    """The month's scores a staff member may read: their own and their windows' (their hall's)."""
    staff = getattr(user, "staff", None)
    if staff is None:
        return []
    windows = list(staff.windows.values_list("pk", flat=True))
    scores = list(
        MonthlyScore.objects.filter(hall=staff.hall_id, month=month).filter(officer=user)
        | MonthlyScore.objects.filter(hall=staff.hall_id, month=month, window__in=windows)
    )
    scores.sort(key=lambda s: (s.subject != Subject.OFFICER, s.name))
    lines = defaultdict(list)
    for line in ScoreLine.objects.filter(score__in=scores).order_by("order", "code"):
        lines[line.score_id].append(line)
    for s in scores:
        s.breakdown = lines[s.pk]
    return scores


def public_month(month: dt.date) -> list[dict]:
    """Per hall computed that month: its window scores and confirmed awards (names of windows; the
    names of confirmed 服务标兵, as the halls announce them — no officer's score)."""
    out = []
    for r in Run.objects.filter(month=month).select_related("hall").order_by("hall__code"):
        out.append({
            "hall": r.hall,
            "windows": list(MonthlyScore.objects.filter(hall=r.hall, month=month, subject=Subject.WINDOW)
                            .order_by("rank", "name").values("name", "score", "rank")),
            "red_flags": list(Award.objects.filter(hall=r.hall, month=month, kind=Award.Kind.RED_FLAG)
                              .order_by("rank").values_list("name", flat=True)),
            "stars": list(Award.objects.filter(hall=r.hall, month=month, kind=Award.Kind.SERVICE_STAR)
                          .order_by("rank").values_list("name", flat=True)),
        })  # fmt: skip
    return out


def table_rows(
    hall: Hall, month: dt.date, criteria_names: list[tuple[str, str]]
) -> tuple[list[str], list[list]]:
    """The ranking for Excel: one row per window / officer, a column per criterion's points."""
    headers = ["对象", "名次", "名称", "得分", *[name for _, name in criteria_names]]
    rows = []
    for subject, scores in ranking(hall, month).items():
        for s in scores:
            points = {line.code: float(line.points) for line in s.breakdown}
            rows.append([Subject(subject).label, s.rank, s.name, float(s.score),
                         *[points.get(code, "") for code, _ in criteria_names]])  # fmt: skip
    return headers, rows
