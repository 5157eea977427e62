"""A fixed-window rate limit on the shared cache (API.md: 429 too many requests, with
Retry-After). Used where guessing must be slowed down, e.g. the public progress lookup (case
number + phone digits). The cache is the one every worker shares (settings: Redis or the
database), so a limit of 20 means 20 per window for the whole hall, not per gunicorn worker.
"""

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache

from onewindow.errors import Throttled

MESSAGE = "查询过于频繁，请稍后再试。"


def client_address(request) -> str | None:
    """The client's IP address, or None: the one address of the rate limits, the sign-up limits
    and the login lockout (which stores it in an address column). A limit's key made with None
    puts the requests without an address (none reach a real server) in one bucket.
    Behind ONEWINDOW_PROXY_COUNT reverse proxies (nginx: each appends the address it saw to
    X-Forwarded-For) it is that many entries from the right: the ones the proxies wrote, which a
    client cannot forge; entries further left can be. Otherwise every visitor would share the
    proxy's REMOTE_ADDR, and one guesser would use up the hall's limits."""
    hops = settings.ONEWINDOW_PROXY_COUNT
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops and _is_address(forwarded[-hops]):
            return forwarded[-hops]
    address = request.META.get("REMOTE_ADDR") or ""
    return address if _is_address(address) else None


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def hit(key: str, *, limit: int, window_seconds: int, message: str = MESSAGE) -> None:
    """Counts one attempt under `key`; the first `limit` of a window pass, the next raise 429
    with the seconds left in the window. The window starts at the key's first attempt."""
    count = _count(f"rl:{key}", window_seconds)
    if count > limit:
        raise Throttled("request.throttled", message, retry_after=_seconds_left(f"rl:{key}", window_seconds))


def exceeded(key: str, *, limit: int, window_seconds: int, message: str = MESSAGE) -> None:
    """Raises 429 if `key` has already counted `limit` attempts in its window; counts nothing
    (the bad-token guard counts only failures, but refuses before the next lookup)."""
    count = cache.get(f"rl:{key}")
    if count is not None and count >= limit:
        raise Throttled("request.throttled", message, retry_after=_seconds_left(f"rl:{key}", window_seconds))


def count(key: str, *, window_seconds: int) -> int:
    """Counts one attempt under `key` (a failure) without refusing anything."""
    return _count(f"rl:{key}", window_seconds)


def _count(cache_key: str, window_seconds: int) -> int:
    # Wall-clock time, not onewindow.clock: the window is the cache entry's life, which the cache
    # measures in real seconds whatever a test or a demo sets the hall's clock to.
    now = time.time()
    for _ in range(3):
        if cache.add(cache_key, 1, window_seconds):
            cache.set(f"{cache_key}:end", now + window_seconds, window_seconds)
            return 1
        try:
            count = cache.incr(cache_key)  # atomic in Redis and in onewindow.sharedcache
        except ValueError:  # expired between add and incr: start the window again
            continue
        end = cache.get(f"{cache_key}:end")
        if end is not None and end + 1 < now:
            # The counter outlived its window (Redis's incr recreates, without an expiry, a key
            # that expired between its existence check and INCR): start the window again.
            cache.delete_many([cache_key, f"{cache_key}:end"])
            continue
        return count
    return 1


def _seconds_left(cache_key: str, window_seconds: int) -> int:
    end = cache.get(f"{cache_key}:end")
    if end is None:
        return window_seconds
    return max(1, math.ceil(end - time.time()))
