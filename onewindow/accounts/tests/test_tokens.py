"""Systems and apps call the API with `Authorization: Bearer <token>`."""

import pytest
from django.core.management import call_command
from django.test import Client

from onewindow.accounts import services
from onewindow.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _me(secret):
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_it_issues_a_token_from_the_command_line_and_stores_only_its_hash(world, capsys):
    call_command("issue_token", "clerk", "--name", "测试系统")
    secret = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=world.clerk)
    assert secret.startswith("ow_") and secret not in (token.key_hash, token.prefix)
    answer = _me(secret)
    assert answer.status_code == 200
    assert answer.json()["role"] == "clerk" and answer.json()["hall"] == "T-HALL"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_refuses_a_revoked_token_at_once(world):
    token, secret = services.issue_token(world.reviewer_a, "app")
    assert _me(secret).status_code == 200
    services.revoke_token(token)
    answer = _me(secret)
    assert answer.status_code == 401 and answer.json()["code"] == "auth.required"


def test_it_refuses_an_unknown_token_and_no_token(world):
    assert _me("ow_not-a-token").status_code == 401
    assert Client().get("/api/v1/me").status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(world):
    _, secret = services.issue_token(world.reviewer_a, "app")
    world.reviewer_a.is_active = False
    world.reviewer_a.save()
    assert _me(secret).status_code == 401


def test_it_needs_csrf_for_a_session_post_but_not_for_a_token(world):
    body = {"hall": "T-HALL", "number": "21", "name": "x", "kind": "comprehensive"}
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.hall_admin)
    refused = browser.post("/api/v1/windows", body, content_type="application/json")
    assert refused.status_code in (401, 403)
    _, secret = services.issue_token(world.hall_admin, "app")
    accepted = Client(enforce_csrf_checks=True).post(
        "/api/v1/windows", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert accepted.status_code == 201
