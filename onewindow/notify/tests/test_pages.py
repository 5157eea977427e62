"""Hall management watches the messages: Sam (supervisor) sees counts and the dead ones with their
errors; Ada (hall admin) sends a dead one again. Nobody else sees them; phones stay masked."""

import pytest

from onewindow.accounts.models import Role
from onewindow.notify.models import Message
from onewindow.personas import new_staff

pytestmark = pytest.mark.django_db

S = Message.State


@pytest.fixture
def dead(queued):
    """One dead message (the gateway refused the number), one sent, one pending."""
    dead, sent, _ = queued(3)
    Message.objects.filter(pk=dead.pk).update(state=S.DEAD, attempts=1, last_error="HTTP 400: 号码格式错误",
                                              last_attempt_at=dead.created_at)  # fmt: skip
    Message.objects.filter(pk=sent.pk).update(state=S.SENT, attempts=1)
    return Message.objects.get(pk=dead.pk)


def test_the_supervisor_sees_counts_and_the_dead_with_their_error(world, as_user, dead):
    page = as_user(world.supervisor).get("/staff/messages/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="count-dead"' in html and "HTTP 400: 号码格式错误" in html
    counts = page.context["states"]
    assert {s["value"]: s["count"] for s in counts} == {"pending": 1, "sending": 0, "sent": 1, "dead": 1}
    assert "139****0000" in html and dead.phone not in html  # masked
    assert 'data-testid="retry"' not in html  # the hall admin's


def test_the_hall_admin_sends_a_dead_message_again(world, as_user, dead):
    client = as_user(world.hall_admin)
    assert 'data-testid="retry"' in client.get("/staff/messages/").content.decode()
    answer = client.post("/staff/messages/retry/", {"key": dead.key}, follow=True)
    assert answer.status_code == 200 and "已重新排队发送" in answer.content.decode()
    again = Message.objects.get(pk=dead.pk)
    assert again.state == S.PENDING and again.attempts == 0 and again.retried_by == world.hall_admin
    assert again.next_attempt_at == again.retried_at
    assert again.last_error == "HTTP 400: 号码格式错误"  # kept until the next attempt


def test_only_a_dead_message_can_be_sent_again(world, as_user, dead):
    sent = Message.objects.get(state=S.SENT)
    answer = as_user(world.hall_admin).post("/staff/messages/retry/", {"key": sent.key}, follow=True)
    assert "只有发送失败的短信可以重新发送" in answer.content.decode()
    assert Message.objects.get(pk=sent.pk).state == S.SENT


@pytest.mark.parametrize("who", ["clerk", "reviewer_a", "head_a", "outsider", "alice"])
def test_nobody_else_sees_or_retries_messages(world, as_user, dead, who):
    client = as_user(getattr(world, who))
    assert client.get("/staff/messages/").status_code == 403
    assert client.post("/staff/messages/retry/", {"key": dead.key}).status_code == 403
    assert client.get("/api/v1/messages").status_code == 403
    assert Message.objects.get(pk=dead.pk).state == S.DEAD


def test_the_supervisor_may_not_retry(world, as_user, dead):
    assert as_user(world.supervisor).post("/staff/messages/retry/", {"key": dead.key}).status_code == 403
    assert as_user(world.supervisor).post(f"/api/v1/messages/{dead.key}/retry").status_code == 403


def test_anonymous_is_sent_to_log_in(client, dead):
    assert client.get("/staff/messages/").status_code == 302


def test_another_halls_management_sees_none_of_this_hall(world, as_user, dead):
    other_admin = new_staff("admin_other", "欧文", Role.HALL_ADMIN, world.other_hall)
    client = as_user(other_admin)
    html = client.get("/staff/messages/").content.decode()
    assert "号码格式错误" not in html
    assert client.get("/api/v1/messages/counts").json() == {"pending": 0, "sending": 0, "sent": 0, "dead": 0}
    answer = client.post(f"/api/v1/messages/{dead.key}/retry")
    assert answer.status_code == 404 and answer.json()["code"] == "notify.not_found"
    assert Message.objects.get(pk=dead.pk).state == S.DEAD


def test_the_api_lists_counts_and_retries(world, as_user, dead):
    listing = as_user(world.supervisor).get("/api/v1/messages", {"state": "dead"}).json()
    assert listing["count"] == 1
    [row] = listing["results"]
    assert row["key"] == dead.key and row["phone"] == "139****0000" and row["state_display"] == "发送失败"
    assert row["last_error"] == "HTTP 400: 号码格式错误" and row["event"] == "appointment_reminder"
    assert as_user(world.supervisor).get("/api/v1/messages/counts").json()["dead"] == 1
    bad = as_user(world.supervisor).get("/api/v1/messages", {"state": "lost"})
    assert bad.status_code == 400 and bad.json()["code"] == "notify.state_filter"
    retried = as_user(world.hall_admin).post(f"/api/v1/messages/{dead.key}/retry")
    assert retried.status_code == 200 and retried.json()["state"] == "pending"
    again = as_user(world.hall_admin).post(f"/api/v1/messages/{dead.key}/retry")
    assert again.status_code == 409 and again.json()["code"] == "notify.not_dead"
