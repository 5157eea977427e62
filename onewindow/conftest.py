"""Fixtures shared by every module's tests: the persona world and the calendar."""

import uuid

import pytest
from django.test import Client

from onewindow import personas
from onewindow.web.tests.browser import (  # noqa: F401 - the browser fixtures
    accessible,
    browser,
    clerk_phone,
    desktop,
    phone,
)
from onewindow.workdays import calendar
from onewindow.workdays import services as workdays


def pytest_terminal_summary(terminalreporter):
    """How many pages the browser tests had axe-core check (issue 23), and any it could not."""
    from onewindow.web.tests import accessibility

    for checker in accessibility._ACTIVE:
        terminalreporter.write_line(checker.summary())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The working-day calendar is reference data: load it once into the test database."""
    with django_db_blocker.unblock():
        workdays.ensure_calendar()
        calendar.invalidate()


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    """Tests render pages without a collectstatic run (no manifest needed), and hash the
    personas' passwords quickly (PBKDF2 would cost seconds per world)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    """Rate limits and lockouts count in the shared cache — the database's table, which a
    transactional test does not roll back, or Redis, which other test runs use too: each test
    counts under a key prefix of its own, so it starts with nothing spent and leaves nothing."""
    settings.CACHES = {
        alias: {**conf, "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}
        for alias, conf in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    fresh_process_caches()


def fresh_process_caches() -> None:
    """Rolled-back tests reuse database ids (SQLite); caches keyed by id must not leak between them
    (nor into a module-scoped fixture that seeds before the first test's autouse fixtures run)."""
    from onewindow.accounts import services as accounts
    from onewindow.cases import clock_rules
    from onewindow.cases import services as cases
    from onewindow.catalog import search
    from onewindow.catalog import services as catalog

    cases.published.cache_clear()
    clock_rules.forget_thresholds()
    catalog._current_ids.clear()
    search.invalidate()
    accounts._token_users.clear()


@pytest.fixture(autouse=True)
def _calendar_present(request):
    """Transactional tests flush every table afterwards; reload the calendar if it went."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if transactional or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        from onewindow.workdays.models import Day

        if not Day.objects.exists():
            workdays.ensure_calendar()
        calendar.invalidate()
    yield


@pytest.fixture(autouse=True)
def _calendar_not_left_changed():
    """A test that changed the calendar rolls back its rows but not this process's in-memory copy
    (on_commit never runs): drop the copy so the next test reads the table again."""
    before = calendar._data.version if calendar._data is not None else None
    yield
    if calendar._data is not None and calendar._data.version != before:
        calendar.invalidate()


@pytest.fixture
def world(db) -> personas.World:
    return personas.build_world()


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_user():
    """as_user(world.clerk) → a Django test client logged in as that persona."""
    return client_for


@pytest.fixture
def api(as_user):
    """api(user).post("/cases/…", {...}) with JSON bodies against /api/v1 (headers as keywords)."""

    class Api:
        def __init__(self, user):
            self.client = as_user(user)

        def get(self, path, params=None):
            return self.client.get("/api/v1" + path, params or {})

        def post(self, path, body=None, **headers):
            return self.client.post(
                "/api/v1" + path, body or {}, content_type="application/json", headers=headers
            )

    return Api
