"""Public license verification: the page and the API count under one key per client address
(issue 21), ONEWINDOW_LICENSE_VERIFICATIONS_PER_WINDOW per window, then 429 with Retry-After."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_page_and_the_api_share_one_count(client, settings):
    settings.ONEWINDOW_LICENSE_VERIFICATIONS_PER_WINDOW = 4
    number = "NOPE-2026-000001"
    answers = [
        client.get(f"/licenses/{number}/verify/", REMOTE_ADDR="198.51.100.9").status_code,
        client.get(f"/api/v1/licenses/{number}/verify", REMOTE_ADDR="198.51.100.9").status_code,
        client.get(f"/licenses/{number}/verify/", REMOTE_ADDR="198.51.100.9").status_code,
        client.get(f"/api/v1/licenses/{number}/verify", REMOTE_ADDR="198.51.100.9").status_code,
    ]
    assert 429 not in answers
    page = client.get(f"/licenses/{number}/verify/", REMOTE_ADDR="198.51.100.9")
    api = client.get(f"/api/v1/licenses/{number}/verify", REMOTE_ADDR="198.51.100.9")
    assert page.status_code == api.status_code == 429
    assert 590 <= int(page["Retry-After"]) <= 600 and 590 <= int(api["Retry-After"]) <= 600
    assert api.json()["code"] == "request.throttled"
