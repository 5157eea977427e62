"""A fixed-window rate limit on the shared cache (API.md: 429 too many requests). Used where
guessing must be slowed down, e.g. the public progress page (case number + phone digits)."""

from django.core.cache import cache

from onewindow.errors import DomainError


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def hit(key: str, *, limit: int, window_seconds: int) -> None:
    """Counts one attempt under `key`; raises 429 once more than `limit` fall in the window."""
    cache_key = f"rl:{key}"
    if cache.add(cache_key, 1, window_seconds):
        return
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, window_seconds)
        return
    if count > limit:
        raise DomainError("request.throttled", "查询过于频繁，请稍后再试。", status=429)
