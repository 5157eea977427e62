"""A client retrying a POST with the same Idempotency-Key creates the thing once."""

import threading

import pytest
from django.db import connection
from django.test import Client

from onewindow.accounts import services
from onewindow.accounts.models import Applicant
from onewindow.web.demo import id_number

BODY = {
    "kind": "natural",
    "name": "王五",
    "region": "371402000000",
    "id_number": id_number("37140219880808301"),
}


def _post(client, body=BODY, key="k-1", **headers):
    return client.post(
        "/api/v1/applicants", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **headers
    )


@pytest.mark.django_db
def test_it_returns_the_first_answer_to_a_retry(world, as_user):
    client = as_user(world.clerk)
    first = _post(client)
    second = _post(client)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Applicant.objects.filter(name="王五").count() == 1


@pytest.mark.django_db
def test_it_refuses_the_same_key_with_another_body(world, as_user):
    client = as_user(world.clerk)
    assert _post(client).status_code == 201
    other = _post(client, body={**BODY, "name": "王六"})
    assert other.status_code == 409 and other.json()["code"] == "request.idempotency_key_reused"
    assert not Applicant.objects.filter(name="王六").exists()


@pytest.mark.django_db
def test_it_keeps_keys_apart_per_caller_and_does_not_remember_errors(world, as_user):
    bad = _post(as_user(world.clerk), body={**BODY, "id_number": "1"})
    assert bad.status_code == 400
    assert _post(as_user(world.clerk)).status_code == 201  # the same key, now valid
    assert (
        _post(as_user(world.alice)).status_code == 409
    )  # another caller: its own key space → business conflict
    assert Applicant.objects.filter(name="王五").count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_creates_once_when_copies_race(world):
    """Eight copies of one request at the same moment (threads, own connections)."""
    _, secret = services.issue_token(world.clerk, "race")
    answers, barrier = [], threading.Barrier(8)

    def send():
        try:
            barrier.wait()
            answers.append(_post(Client(), HTTP_AUTHORIZATION=f"Bearer {secret}"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201] * 8
    assert len({a.json()["ref"] for a in answers}) == 1
    assert Applicant.objects.filter(name="王五").count() == 1
