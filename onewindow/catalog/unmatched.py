"""未找到事项的提问: every question the guided search has no item for is kept, normalized and
counted, so catalog managers see what citizens ask for and the catalog lacks (decision 0026).

Logging is one UPDATE of a counter row in the common case, one INSERT the first time; a
question is cut to 100 characters and a client logs at most LOG_LIMIT questions a minute, so
hostile input cannot grow the table faster than that. Two processes logging the same new
question at once: one inserts, the other's insert fails on the unique key inside a savepoint
and it bumps the counter instead."""

import unicodedata

from django.db import IntegrityError, transaction
from django.db.models import F

from onewindow import clock, ratelimit
from onewindow.accounts.models import Hall, Role, User
from onewindow.accounts.queries import has_role, staff_of
from onewindow.catalog.models import UnmatchedQuestion
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound

MAX_LENGTH = 100
LOG_LIMIT = 30  # questions logged per client per minute; beyond, the search still answers
_TRIM = " ,.;:!?，。；：！？、…~～·\"'“”‘’（）()【】[]"


def normalize(question: str) -> str:
    """One spelling per question: full-width letters and digits folded (NFKC), control
    characters dropped, runs of spaces made one, lower case, punctuation trimmed at both ends."""
    text = unicodedata.normalize("NFKC", question or "")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split()).lower().strip(_TRIM)[:MAX_LENGTH].strip()


def _bump(key: dict, now) -> int:
    return UnmatchedQuestion.objects.filter(**key).update(
        count=F("count") + 1, last_asked_at=now, handled_at=None, handled_by=None
    )


def record(question: str, *, hall: Hall | None, channel: str, client: str | None = None) -> None:
    """Counts one unmatched question of `hall` on `channel`. Nothing is kept for an empty
    question, without a hall, or past the client's rate limit."""
    text = normalize(question)
    if not text or hall is None:
        return
    if client is not None:
        try:
            ratelimit.hit(f"guide-unmatched:{client}", limit=LOG_LIMIT, window_seconds=60)
        except DomainError:
            return
    key = {"text": text, "hall": hall, "channel": channel}
    now = clock.now()
    if _bump(key, now):
        return
    try:
        with transaction.atomic():
            UnmatchedQuestion.objects.create(**key, first_asked_at=now, last_asked_at=now)
    except IntegrityError:  # another request inserted it first
        _bump(key, now)


def _managed_hall(by: User) -> Hall:
    staff = staff_of(by)
    if not has_role(by, Role.HALL_ADMIN) or staff is None:
        raise Forbidden("catalog.questions_admin_only", "只有大厅管理员可以处理未找到事项的提问。")
    return staff.hall


def questions(by: User, *, handled: bool = False):
    """The questions of the manager's hall, most asked first: open ones, or those handled."""
    rows = UnmatchedQuestion.objects.filter(hall=_managed_hall(by), handled_at__isnull=not handled)
    return rows.select_related("handled_by").order_by("-count", "-last_asked_at", "pk")


def open_count(by: User) -> int:
    return questions(by).count()


def mark_handled(question_id: int, *, by: User) -> None:
    """Compare-and-set: only an open question of the manager's own hall becomes handled."""
    hall = _managed_hall(by)
    done = UnmatchedQuestion.objects.filter(pk=question_id, hall=hall, handled_at__isnull=True).update(
        handled_at=clock.now(), handled_by=by
    )
    if done:
        return
    if UnmatchedQuestion.objects.filter(pk=question_id, hall=hall).exists():
        raise Conflict("catalog.question_already_handled", "这条提问已经处理过了。")
    raise NotFound("catalog.question_not_found", "没有这条提问。")
