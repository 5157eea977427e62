"""The audit chain of a rating (网上留痕, issue 17): every step of a rating's life — rated, the
rectification's callback, verification, rectification, feedback, follow-up, appeal filed and
decided — is a RatingEvent, hash-chained per rating with cases.audit's scheme."""

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.cases.audit import broken_at, event_hash
from onewindow.ratings.models import Rating, RatingEvent


def append_event(rating: Rating, *, by: User | None, action: str, reason: str = "",
                 payload: dict | None = None) -> RatingEvent:  # fmt: skip
    """The next event of the rating's hash chain (saved) and the chain head on the row (saved):
    the caller holds the rating (just created, or locked)."""
    payload = payload or {}
    at = clock.now()
    seq = rating.event_count + 1
    actor_id = by.pk if by is not None else None
    digest = event_hash(
        rating.last_hash, f"rating-{rating.pk}", seq, at, actor_id, action, "", "", reason, payload
    )
    event = RatingEvent.objects.create(rating=rating, seq=seq, at=at, actor_id=actor_id, action=action,
                                       reason=reason, payload=payload, prev_hash=rating.last_hash, hash=digest)  # fmt: skip
    rating.event_count, rating.last_hash = seq, digest
    Rating.objects.filter(pk=rating.pk).update(event_count=seq, last_hash=digest)
    return event


def chain_broken_at(rating: Rating) -> int | None:
    """The seq of the first event whose hash does not verify (None: the chain is whole)."""
    found = broken_at(RatingEvent.objects.filter(rating=rating).order_by("seq"), f"rating-{rating.pk}",
                      rating.event_count, rating.last_hash)  # fmt: skip
    return found and found[0]


def verify(batch: int = 2000):
    """Yields (rating id, first bad event seq, why) for every rating whose chain is broken — as
    cases.audit.verify does for the cases (manage.py verify_audit reads both)."""
    ratings = Rating.objects.order_by("pk").values_list("pk", "event_count", "last_hash")
    for pk, count, head in ratings.iterator(chunk_size=batch):
        events = RatingEvent.objects.filter(rating_id=pk).order_by("seq").iterator(chunk_size=500)
        found = broken_at(events, f"rating-{pk}", count, head)
        if found is not None:
            yield pk, *found
