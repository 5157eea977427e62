"""GET /api/v1/workdays/add and …/between for other systems."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_adds_working_days(client):
    answer = client.get("/api/v1/workdays/add", {"date": "2026-09-30", "days": 5})
    assert answer.status_code == 200
    assert answer.json() == {"start": "2026-09-30", "days": 5, "date": "2026-10-13", "provisional": False}


def test_it_reports_a_provisional_answer(client):
    assert (
        client.get("/api/v1/workdays/add", {"date": "2026-12-28", "days": 10}).json()["provisional"] is True
    )


def test_it_counts_between(client):
    answer = client.get("/api/v1/workdays/between", {"start": "2026-09-30", "end": "2026-10-13"}).json()
    assert answer["workdays"] == 5


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"date": "2026-02-30", "days": 1}, "request.invalid"),
        ({"date": "2026-09-30"}, "request.invalid"),
        ({"date": "2026-09-30", "days": 99999}, "request.invalid"),
        ({"date": "2040-01-02", "days": 1}, "workdays.date_out_of_range"),
    ],
)
def test_it_answers_bad_input_with_400_and_a_code(client, params, code):
    answer = client.get("/api/v1/workdays/add", params)
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == code and body["message"]


def test_it_lists_years_with_their_status(client):
    years = {row["year"]: row for row in client.get("/api/v1/workdays/years").json()}
    assert years[2026]["provisional"] is False and years[2027]["provisional"] is True
    assert years[2026]["workdays"] > 240
