"""The public progress lookup's rate limit (issue 21): one counter per client address for the
page, the API and the bundle page together, exactly ONEWINDOW_PROGRESS_LOOKUPS_PER_WINDOW per
window, then 429 with Retry-After (the page keeps its form and message, the API its JSON)."""

import pytest

pytestmark = pytest.mark.django_db


def _page(client, number="371400-X-0001", addr="198.51.100.1"):
    return client.post("/progress/", {"number": number, "phone_last4": "0000"}, REMOTE_ADDR=addr)


def _api(client, number="371400-X-0001", addr="198.51.100.1"):
    return client.get("/api/v1/progress", {"number": number, "phone_last4": "0000"}, REMOTE_ADDR=addr)


def _bundle_page(client, addr="198.51.100.1"):
    return client.post("/bundles/371400-B-0001/progress/", {"phone_last4": "0000"}, REMOTE_ADDR=addr)


def test_the_page_and_the_api_share_one_count_of_exactly_twenty(client):
    for i in range(20):
        answer = (_page if i % 2 else _api)(client)
        assert answer.status_code == 404, (i, answer.content.decode()[:200])
    api = _api(client)
    assert api.status_code == 429
    assert api.json()["code"] == "request.throttled" and "查询过于频繁" in api.json()["message"]
    assert 590 <= int(api["Retry-After"]) <= 600 and api.json()["details"]["retry_after"] == int(
        api["Retry-After"]
    )
    page = _page(client)
    assert page.status_code == 429 and "查询过于频繁" in page.content.decode()
    assert 590 <= int(page["Retry-After"]) <= 600
    assert 'name="number"' in page.content.decode()  # the form stays, with the number typed
    # another address has its own twenty
    assert _page(client, addr="198.51.100.2").status_code == 404


def test_the_bundle_progress_page_counts_with_them(client):
    for _ in range(10):
        assert _api(client).status_code == 404
    for _ in range(10):
        assert _bundle_page(client).status_code == 404
    refused = _bundle_page(client)
    assert refused.status_code == 429 and refused.has_header("Retry-After")
    assert _page(client).status_code == 429


def test_the_limit_and_the_window_are_settings(client, settings):
    settings.ONEWINDOW_PROGRESS_LOOKUPS_PER_WINDOW = 3
    settings.ONEWINDOW_PROGRESS_WINDOW_SECONDS = 60
    assert [_page(client).status_code for _ in range(4)] == [404, 404, 404, 429]
    refused = _api(client)
    assert refused.status_code == 429 and 55 <= int(refused["Retry-After"]) <= 60
