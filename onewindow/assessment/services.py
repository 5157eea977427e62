"""The use cases of the monthly assessment: compute a hall's month (idempotent: a recompute
replaces the month's scores in one transaction), confirm an award proposed by the score, and the
periodic job that computes the previous month once."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import Hall, Role, Staff, User, Window
from onewindow.accounts.queries import has_role
from onewindow.assessment import criteria
from onewindow.assessment.attendance import month_span
from onewindow.assessment.models import Award, HallSettings, MonthlyScore, Run, ScoreLine, Subject
from onewindow.cases.models import Case, CaseEvent
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.queueing.models import Ticket

FULL = Decimal("1000")
MANAGERS = (Role.SUPERVISOR, Role.HALL_ADMIN)  # 管理办: confirm the awards, read every breakdown


def month_of(text: str | None, default: dt.date | None = None) -> dt.date:
    """YYYY-MM → its first day; none or malformed: `default` (the previous month)."""
    try:
        return dt.datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        if default is not None:
            return default
        return previous_month()


def previous_month(today: dt.date | None = None) -> dt.date:
    today = today or clock.today()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _names(scope: criteria.Scope) -> dict[tuple[str, int], str]:
    names = {
        (Subject.WINDOW.value, w.pk): f"{w.number}号窗口 {w.name}"
        for w in Window.objects.filter(pk__in=scope.windows)
    }
    names.update({(Subject.OFFICER.value, uid): name for uid, name in
                  Staff.objects.filter(user_id__in=scope.officers, hall=scope.hall).values_list("user_id", "name")})  # fmt: skip
    return names


def _ranked(scores: list[MonthlyScore]) -> None:
    """Competition ranking per subject kind (1, 1, 3): higher score first."""
    for subject in Subject.values:
        mine = sorted((s for s in scores if s.subject == subject), key=lambda s: (-s.score, s.name))
        for i, s in enumerate(mine):
            s.rank = mine[i - 1].rank if i and mine[i - 1].score == s.score else i + 1


def compute(month: dt.date, hall: Hall, by: User | None = None) -> list[MonthlyScore]:
    """The month's scores of the hall's windows and officers, with their breakdown, replacing any
    computed before (one transaction: readers see the old month or the new one, never half)."""
    first, last = month_span(month)
    scope = criteria.scope_for(hall, first, last)
    names = _names(scope)
    now = clock.now()
    rules = criteria.active()
    measured = {c.code: criteria.REGISTRY[c.code].measure(scope, c.threshold) for c in rules}
    scores, lines = [], []
    for key, name in names.items():
        subject, pk = key
        score = MonthlyScore(hall=hall, month=first, subject=subject, name=name, computed_at=now, rank=0,
                             window_id=pk if subject == Subject.WINDOW else None,
                             officer_id=pk if subject == Subject.OFFICER else None)  # fmt: skip
        total = FULL
        mine = []
        for c in rules:
            if not criteria.applies(c, subject):
                continue
            m = measured[c.code].get(key) or criteria.Measure(Decimal(0), "无")
            change = criteria.points_for(c, m.units) if m.units else Decimal("0.00")
            total += change
            mine.append(ScoreLine(code=c.code, name=c.name, measured=m.measured[:120], units=m.units, points=change,
                                  order=c.order))  # fmt: skip
        score.score = criteria.q2(total)
        scores.append(score)
        lines.append(mine)
    _ranked(scores)
    with transaction.atomic():
        MonthlyScore.objects.filter(hall=hall, month=first).delete()  # the lines go with them (CASCADE)
        MonthlyScore.objects.bulk_create(scores)
        for score, mine in zip(scores, lines, strict=True):
            for line in mine:
                line.score = score
        ScoreLine.objects.bulk_create([line for mine in lines for line in mine])
        Run.objects.update_or_create(hall=hall, month=first, defaults={"computed_at": now, "by": by})
    return scores


def compute_previous_month() -> int:
    """Periodic: the previous month of every hall with windows, once (a Run row marks it done);
    a run with nothing to do costs two queries."""
    month = previous_month()
    done = set(Run.objects.filter(month=month).values_list("hall_id", flat=True))
    halls = Hall.objects.filter(windows__is_active=True).exclude(pk__in=done).distinct()
    count = 0
    for hall in halls:
        compute(month, hall)
        count += 1
    return count


# Awards ----------------------------------------------------------------------------------------

# An upheld violation or a card in the month keeps a window or officer off the proposals.
DISQUALIFYING = ("violations", "yellow_cards", "red_cards")
KIND_SUBJECT = {Award.Kind.RED_FLAG: Subject.WINDOW, Award.Kind.SERVICE_STAR: Subject.OFFICER}


def quota(hall: Hall, kind: str) -> int:
    rules = HallSettings.objects.filter(hall=hall).first() or HallSettings(hall=hall)
    return rules.red_flag_windows if kind == Award.Kind.RED_FLAG else rules.service_stars


def served(hall: Hall, month: dt.date, subject: str) -> set[int]:
    """The windows (or officers) that served anyone in the month: a queue ticket finished there
    (by them), or a case received there (accepted by them). A window nobody came to loses no
    points — 1000 — but has earned no award (评先评优 rewards the service given)."""
    first, last = month_span(month)
    tickets = Ticket.objects.filter(hall=hall, day__range=(first, last), finished_at__isnull=False)
    if subject == Subject.WINDOW:
        cases = Case.objects.filter(hall=hall, received_on__range=(first, last), window__isnull=False)
        return set(tickets.exclude(window=None).values_list("window", flat=True)) | set(
            cases.values_list("window", flat=True)
        )
    accepts = CaseEvent.objects.filter(
        action="accept", case__hall=hall, case__accepted_on__range=(first, last)
    )
    return set(tickets.exclude(clerk=None).values_list("clerk", flat=True)) | set(
        accepts.exclude(actor=None).values_list("actor", flat=True)
    )


def proposals(hall: Hall, month: dt.date, kind: str) -> list[MonthlyScore]:
    """The scores the month proposes for an award: the top `quota` of the ranking (ties at the
    last place included) among those who served in the month (`served`) with no deduction for
    upheld violations or cards."""
    subject = KIND_SUBJECT[kind]
    n = quota(hall, kind)
    marked = ScoreLine.objects.filter(code__in=DISQUALIFYING, points__lt=0).values("score")
    clean = MonthlyScore.objects.filter(hall=hall, month=month, subject=subject).exclude(pk__in=marked)
    field = "window__in" if subject == Subject.WINDOW else "officer__in"
    clean = clean.filter(**{field: served(hall, month, subject)})
    return list(clean.filter(rank__lte=_cutoff(clean, n)).order_by("rank", "name")) if n else []


def _cutoff(scores, n: int) -> int:
    ranks = list(scores.order_by("rank").values_list("rank", flat=True)[:n])
    return ranks[-1] if ranks else 0


def can_confirm(user: User, hall: Hall) -> bool:
    if user.is_superuser:
        return True
    staff = getattr(user, "staff", None)
    return staff is not None and staff.hall_id == hall.pk and has_role(user, *MANAGERS)


def confirm_award(hall: Hall, month: dt.date, kind: str, score_id: int, by: User) -> Award:
    """管理办 confirms one proposed award; who and when are kept on the award."""
    if kind not in Award.Kind.values:
        raise DomainError("assessment.award_kind_unknown", "未知的评选项目。")
    if not can_confirm(by, hall):
        raise Forbidden("assessment.award_forbidden", "只有本中心管理办人员可以确认评选结果。")
    with transaction.atomic():
        list(Run.objects.select_for_update().filter(hall=hall, month=month))  # one confirmer at a time
        proposed = {s.pk: s for s in proposals(hall, month, kind)}
        score = proposed.get(score_id)
        if score is None:
            raise NotFound("assessment.not_proposed", "该对象不在本月按得分推荐的名单中。")
        confirmed = Award.objects.filter(hall=hall, month=month, kind=kind)
        if confirmed.filter(window_id=score.window_id, officer_id=score.officer_id).exists():
            raise Conflict("assessment.award_already_confirmed", "该评选结果已确认。")
        if confirmed.count() >= quota(hall, kind):
            raise Conflict("assessment.award_quota_full", "本月该项评选名额已满。")
        return Award.objects.create(hall=hall, month=month, kind=kind, window_id=score.window_id,
                                    officer_id=score.officer_id, name=score.name, score=score.score, rank=score.rank,
                                    confirmed_by=by, confirmed_at=clock.now())  # fmt: skip
