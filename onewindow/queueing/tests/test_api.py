"""/api/v1/tickets for kiosks, window terminals and the display."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("open_hall")]


def _post(client, path, body):
    return client.post("/api/v1/tickets" + path, body, content_type="application/json")


def test_issue_call_start_finish_through_the_api(world, queue, as_user, client):
    kiosk, clerk = as_user(world.clerk), as_user(world.clerk)  # staff may give a priority
    first = _post(kiosk, "", {"hall": "T-HALL", "category": "A"})
    second = _post(kiosk, "", {"hall": "T-HALL", "category": "A", "priority": "elderly"})
    assert first.status_code == 201 and first.json()["number"] == "A001"
    assert second.json()["ahead"] == 0 and client.get("/api/v1/tickets/T-HALL/A001").json()["ahead"] == 1
    called = _post(clerk, "/call-next", {"hall": "T-HALL", "window": "01"}).json()
    assert (called["number"], called["status"], called["window"]) == ("A002", "called", "01")
    assert (
        _post(clerk, "/T-HALL/A002/start", {"hall": "T-HALL", "window": "01"}).json()["status"] == "serving"
    )
    done = _post(
        clerk, "/T-HALL/A002/finish", {"hall": "T-HALL", "window": "01", "cases": ["371400-20261126-000009"]}
    )
    assert done.json()["status"] == "done"


def test_queue_empty_and_bad_input_are_clear(world, queue, as_user):
    clerk = as_user(world.clerk)
    empty = _post(clerk, "/call-next", {"hall": "T-HALL", "window": "01"})
    assert empty.status_code == 409 and empty.json()["code"] == "queue.empty"
    assert _post(clerk, "", {"hall": "T-HALL", "category": "Z"}).json()["code"] == "queue.category"
    assert _post(clerk, "", {"hall": "T-HALL"}).status_code == 400
    assert _post(clerk, "/call-next", {"hall": "T-HALL", "window": "99"}).status_code == 404


def test_the_display_feed_answers_304_when_nothing_changed(world, queue, as_user, client):
    clerk = as_user(world.clerk)
    _post(clerk, "", {"hall": "T-HALL", "category": "B"})
    assert client.get("/api/v1/tickets/T-HALL/display?since=0").status_code == 304
    _post(clerk, "/call-next", {"hall": "T-HALL", "window": "01"})
    feed = client.get("/api/v1/tickets/T-HALL/display?since=0").json()
    assert feed["windows"] == {"01": "B001"} and feed["announce"] == ["请B001号到01号窗口办理"]
    assert client.get(f"/api/v1/tickets/T-HALL/display?since={feed['last_id']}").status_code == 304


def test_a_reviewer_cannot_call(world, queue, as_user):
    assert (
        _post(as_user(world.reviewer_a), "/call-next", {"hall": "T-HALL", "window": "01"}).status_code == 403
    )
