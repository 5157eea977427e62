"""Wrong bearer tokens are counted per client address in the shared cache (issue 21): past
ONEWINDOW_BAD_TOKENS_PER_WINDOW the address gets 429 with Retry-After before any token is looked
up, until the window ends; a token this process has already verified keeps working."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onewindow.accounts import services

pytestmark = pytest.mark.django_db


def _me(secret, addr="192.0.2.10"):
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}", REMOTE_ADDR=addr)


def test_thirty_wrong_tokens_then_429_before_any_lookup(world, settings):
    _, good = services.issue_token(world.clerk, "对接系统")
    _, later = services.issue_token(world.reviewer_a, "另一系统")
    assert _me(good).status_code == 200  # verified once: this process knows it now
    for i in range(30):
        answer = _me(f"ow_guess-{i}")
        assert answer.status_code == 401 and answer.json()["code"] == "auth.required", i
    refused = _me("ow_guess-30")
    assert refused.status_code == 429
    assert refused.json()["code"] == "request.throttled" and "令牌" in refused.json()["message"]
    assert 590 <= int(refused["Retry-After"]) <= 600
    # a token not yet verified in this process is refused too, without a database lookup
    with CaptureQueriesContext(connection) as queries:
        assert _me(later).status_code == 429
    assert not [q for q in queries.captured_queries if "accounts_apitoken" in q["sql"]]
    # the verified token still works; another address is not affected
    assert _me(good).status_code == 200
    assert _me(later, addr="192.0.2.11").status_code == 200


def test_the_limit_is_a_setting_and_right_tokens_do_not_count(world, settings):
    settings.ONEWINDOW_BAD_TOKENS_PER_WINDOW = 2
    services._token_users.clear()
    _, good = services.issue_token(world.clerk, "对接系统")
    for _ in range(5):
        services._token_users.clear()  # looked up each time: still not counted
        assert _me(good).status_code == 200
    assert [_me("ow_nope").status_code for _ in range(3)] == [401, 401, 429]
