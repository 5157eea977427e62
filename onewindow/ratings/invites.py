"""短信邀请评价 (issue 17 item 1; RULES.md "Ratings": the SMS channel of 一事一评). The periodic
job `send_invites` finds, in one query, the cases closed within LOOKBACK at halls whose
RatingSettings.sms_invites is on (no row: on), with an applicant's phone, not yet invited and not
yet rated online; it bulk-creates one RatingInvite per case (a one-time token: only its SHA-256 is
stored) and queues one SMS per case through notify's outbox, keyed by the case — run it twice,
nothing happens twice. `use` rates through the token once: the invite is claimed by a
compare-and-set on used_at in the rating's transaction, so a replayed link is refused."""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from onewindow import clock
from onewindow.accounts.models import Hall
from onewindow.cases.models import Case, Status
from onewindow.errors import Conflict, DomainError, NotFound
from onewindow.links import public_url
from onewindow.notify.models import Event
from onewindow.notify.services import enqueue_many
from onewindow.ratings import channels
from onewindow.ratings.models import (
    Rating,
    RatingChannel,
    RatingInvite,
    RatingKind,
    RatingMode,
    RatingSettings,
)

VALID_DAYS = 30
# Cases closed this far back are still invited: a worker stopped for a few days loses none.
# Bounded, so the job's scan stays over the recent closings only.
LOOKBACK = dt.timedelta(days=7)
BATCH = 500


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def link(token: str) -> str:
    return public_url(f"/rate/t/{token}/")


def message_key(number: str) -> str:
    return f"case:{number}:rating_invite"


def due_cases(now: dt.datetime) -> list[dict]:
    """The cases owed an invitation: one query."""
    settings_off = RatingSettings.objects.filter(hall=OuterRef("hall_id"), sms_invites=False)
    invited = RatingInvite.objects.filter(case=OuterRef("pk"))
    rated = Rating.objects.filter(case=OuterRef("pk"), mode=RatingMode.ONLINE, kind=RatingKind.FIRST)
    return list(
        Case.objects.filter(status__in=(Status.CLOSED, Status.REFUSED), closed_at__gte=now - LOOKBACK,
                            closed_at__lte=now)
        .exclude(Q(applicant__phone="") | Exists(settings_off) | Exists(invited) | Exists(rated))
        .values("pk", "number", "hall_id", "applicant__phone", "item_version__name")
        .order_by("closed_at")[:BATCH]
    )  # fmt: skip


def send_invites() -> int:
    """The periodic job (ops.periodic): invitations created (and SMS queued) this run."""
    now = clock.now()
    due = due_cases(now)
    if not due:
        return 0
    tokens = {c["pk"]: secrets.token_urlsafe(16) for c in due}
    expires = now + dt.timedelta(days=VALID_DAYS)
    with transaction.atomic():
        # ignore_conflicts: a second worker racing on the same case leaves the first invite (and,
        # keyed by the case, the first SMS) — never two.
        RatingInvite.objects.bulk_create(
            [RatingInvite(case_id=pk, token_hash=token_hash(t), sent_at=now, expires_at=expires)
             for pk, t in tokens.items()], ignore_conflicts=True)  # fmt: skip
        enqueue_many([
            {"phone": c["applicant__phone"], "event": Event.RATING_INVITE, "key": message_key(c["number"]),
             "context": {"number": c["number"], "item": c["item_version__name"], "link": link(tokens[c["pk"]]),
                         "days": VALID_DAYS},
             "subject_kind": "case", "subject_key": c["number"], "hall": Hall(pk=c["hall_id"])}
            for c in due
        ])  # fmt: skip
    return len(due)


def invite_for(token: str) -> RatingInvite:
    """The invite of a link, checked: unknown (`rating.token_invalid`), used (`rating.token_used`),
    expired (`rating.token_expired`)."""
    invite = (RatingInvite.objects.select_related("case__applicant", "case__item_version", "case__department")
              .filter(token_hash=token_hash(token)).first())  # fmt: skip
    _check(invite)
    return invite


def _check(invite: RatingInvite | None) -> None:
    if invite is None:
        raise NotFound("rating.token_invalid", "评价链接无效，请核对短信中的链接。")
    if invite.used_at is not None:
        raise Conflict("rating.token_used", "该评价链接已使用过，每个办件只能评价一次。")
    if invite.expires_at <= clock.now():
        raise DomainError("rating.token_expired", f"评价链接已过期（{VALID_DAYS}天内有效）。", status=410)


@transaction.atomic
def use(token: str, *, level, indicators=None, tags=None, text: str = "") -> Rating:
    """Rate through the SMS link: the invite is claimed (used_at set only where still empty) in
    the rating's transaction — a replay, or a second tab at the same moment, gets token_used; a
    refused rating leaves the link unused."""
    invite = invite_for(token)
    now = clock.now()
    if RatingInvite.objects.filter(pk=invite.pk, used_at=None).update(used_at=now) != 1:
        raise Conflict("rating.token_used", "该评价链接已使用过，每个办件只能评价一次。")
    rating = channels.rate_case_online(invite.case, channel=RatingChannel.SMS, by=None, level=level,
                                       indicators=indicators, tags=tags, text=text)  # fmt: skip
    RatingInvite.objects.filter(pk=invite.pk).update(rating=rating)
    return rating
