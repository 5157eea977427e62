"""The rate limit counts in the shared cache (issue 21): exactly `limit` attempts per window, then
429 with Retry-After — on the database cache (the embedded default, what the suite runs on
without REDIS_URL) and on Redis (built here directly, so both backends are exercised whatever
the environment sets)."""

import os
import time
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory

from onewindow import ratelimit
from onewindow.concurrently import run_together
from onewindow.errors import DomainError, Throttled
from onewindow.sharedcache import DatabaseCache
from onewindow.web.middleware import DomainErrorMiddleware

REDIS_TEST_URL = os.environ.get("ONEWINDOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_cache(monkeypatch):
    """A RedisCache of its own key prefix in place of the shared cache. Without a Redis server
    the test skips, except under CI=true (one runs on the development and CI machines)."""
    shared = RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"})
    try:
        shared._cache.get_client(None).ping()
    except Exception as exc:  # redis' ConnectionError and friends
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {REDIS_TEST_URL}: {exc}")
    monkeypatch.setattr(ratelimit, "cache", shared)
    return shared


def _spend(key: str, tries: int, *, limit: int, window: int = 600) -> list:
    answers = []
    for _ in range(tries):
        try:
            ratelimit.hit(key, limit=limit, window_seconds=window)
            answers.append("ok")
        except Throttled as exc:
            answers.append(exc)
    return answers


def _exactly_the_limit_then_429():
    answers = _spend("progress:203.0.113.7", 23, limit=20)
    assert answers[:20] == ["ok"] * 20
    refused = answers[20:]
    assert all(isinstance(a, Throttled) for a in refused)
    assert {(a.status, a.code) for a in refused} == {(429, "request.throttled")}
    for a in refused:
        assert 595 <= int(a.headers["Retry-After"]) <= 600 and a.details["retry_after"] == int(
            a.headers["Retry-After"]
        )
    # another client has its own count
    assert _spend("progress:203.0.113.8", 1, limit=20) == ["ok"]


def test_the_database_cache_allows_exactly_the_limit_then_429_with_retry_after(db):
    assert isinstance(caches["default"], DatabaseCache)  # the embedded default, without REDIS_URL
    _exactly_the_limit_then_429()


def test_redis_allows_exactly_the_limit_then_429_with_retry_after(redis_cache):
    _exactly_the_limit_then_429()
    assert redis_cache.get("rl:progress:203.0.113.7") == 23  # counted in Redis, not in this process


def test_a_counter_that_outlived_its_window_starts_a_new_one(db):
    """Redis' incr recreates, without an expiry, a key that expired between its existence check
    and INCR: the window's end tells the stale count apart."""
    cache.set("rl:guess:1", 500, None)
    cache.set("rl:guess:1:end", time.time() - 5, None)
    assert _spend("guess:1", 3, limit=2)[:2] == ["ok", "ok"]
    assert cache.get("rl:guess:1") == 3


def test_the_retry_after_counts_down_to_the_window_end(db):
    assert _spend("guess:2", 1, limit=1) == ["ok"]
    cache.set("rl:guess:2:end", time.time() + 42.2, 600)
    (refused,) = _spend("guess:2", 1, limit=1)
    assert refused.headers == {"Retry-After": "43"}


@pytest.mark.django_db(transaction=True)
def test_the_database_cache_counts_every_one_of_concurrent_increments():
    """Django's own DatabaseCache.incr is get-then-set: two workers at once write the same count.
    onewindow.sharedcache locks the row (PostgreSQL: FOR UPDATE; SQLite: BEGIN IMMEDIATE)."""
    shared = DatabaseCache("onewindow_cache", {"KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"})
    assert shared.add("hits", 0, 600)

    def five():
        return [shared.incr("hits") for _ in range(5)]

    results = run_together(*[five for _ in range(8)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert shared.get("hits") == 40
    assert sorted(n for r in results for n in r) == list(range(1, 41))  # no count given twice


def test_a_page_shows_a_throttled_error_with_its_retry_after(db):
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    response = DomainErrorMiddleware(lambda r: None).process_exception(
        request, Throttled("request.throttled", "查询过于频繁，请稍后再试。", retry_after=17)
    )
    assert response.status_code == 429 and response["Retry-After"] == "17"
    assert "查询过于频繁" in response.content.decode()
    plain = DomainErrorMiddleware(lambda r: None).process_exception(request, DomainError("x.y", "不行。"))
    assert plain.status_code == 400 and not plain.has_header("Retry-After")


def test_behind_a_proxy_the_client_is_the_address_the_proxy_saw(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.4"
    )
    assert ratelimit.client_address(request) == "127.0.0.1"  # no proxy configured: the peer
    settings.ONEWINDOW_PROXY_COUNT = 1
    assert ratelimit.client_address(request) == "198.51.100.4"  # not the forgeable 10.9.9.9 on its left
    settings.ONEWINDOW_PROXY_COUNT = 2
    assert ratelimit.client_address(request) == "10.9.9.9"
    settings.ONEWINDOW_PROXY_COUNT = 3  # fewer entries than proxies: the header is not trusted
    assert ratelimit.client_address(request) == "127.0.0.1"
    settings.ONEWINDOW_PROXY_COUNT = 1
    garbage = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    assert ratelimit.client_address(garbage) == "127.0.0.1"
    # no address at all (a test client's force_login): None for the lockout's address column
    assert ratelimit.client_address(RequestFactory().get("/", REMOTE_ADDR="")) is None
