"""Hostile input is refused with a 4xx in the error shape, on SQLite and PostgreSQL, and changes
nothing (issue 21): NUL and other control characters anywhere a client can put them, strings
longer than their column, integers and dates outside what the hall can store."""

import pytest
from django.test import Client

from onewindow.accounts import services as accounts
from onewindow.accounts.models import Applicant

pytestmark = pytest.mark.django_db


def _json_error(answer, status):
    assert answer.status_code == status, answer.content[:300]
    assert answer["Content-Type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"code", "message", "details"}
    assert any("\u4e00" <= c <= "\u9fff" for c in body["message"]), body["message"]
    return body


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/items/%00",
        "/api/v1/items/A%01B",
        "/api/v1/progress?number=%00&phone_last4=1234",
        "/api/v1/progress?number=2026&phone_last4=12%0034",
        "/api/v1/tickets/T-HALL/A%00",
        "/api/v1/tickets/T-HALL/display?x%00=1",
    ],
)
def test_a_control_character_in_a_path_or_query_is_a_400_without_login(world, url):
    body = _json_error(Client().get(url), 400)
    assert body["code"] == "request.control_character"


@pytest.mark.parametrize(
    "url", ["/items/%00/", "/progress/?number=%00&phone_last4=1234", "/accounts/login/?next=/%00"]
)
def test_a_control_character_on_a_page_is_a_400_page(world, url):
    answer = Client().get(url)
    assert answer.status_code == 400
    assert "控制字符" in answer.content.decode()


def test_a_control_character_in_a_posted_form_is_refused(world):
    client = Client()
    client.force_login(world.clerk)
    answer = client.post("/accounts/login/", {"username": "clerk\x00", "password": "x"})
    assert answer.status_code == 400
    assert "控制字符" in answer.content.decode()


def _clerk_api():
    return {"HTTP_AUTHORIZATION": "Bearer " + accounts.issue_token(_clerk_user(), "test")[1]}


def _clerk_user():
    from onewindow.accounts.models import User

    return User.objects.get(username="clerk")


def _applicant(world, **changes):
    body = {"kind": "natural", "name": "王小明", "region": world.district.code,
            "id_number": "371402199001010017", "phone": "13800000001", "address": "德城区"}  # fmt: skip
    return {**body, **changes}


@pytest.mark.parametrize(
    ("field", "length", "label"),
    [("name", 101, "姓名/名称"), ("address", 201, "地址"), ("legal_representative", 51, "法定代表人")],
)
def test_a_string_longer_than_its_column_is_a_400_on_every_database(world, field, length, label):
    before = Applicant.objects.count()
    answer = Client().post(
        "/api/v1/applicants", _applicant(world, **{field: "长" * length}), content_type="application/json",
        **_clerk_api(),
    )  # fmt: skip
    body = _json_error(answer, 400)
    assert body["code"] == "request.too_long"
    assert body["details"]["field"] == field
    assert label in body["message"]
    assert Applicant.objects.count() == before


def test_a_100_000_character_name_is_not_stored(world):
    before = Applicant.objects.count()
    answer = Client().post(
        "/api/v1/applicants", _applicant(world, name="名" * 100_000), content_type="application/json",
        **_clerk_api(),
    )  # fmt: skip
    assert answer.status_code == 400
    assert Applicant.objects.count() == before


def test_the_year_1_reconciliation_day_is_a_400_page(world):
    from onewindow.accounts.models import User

    client = Client()
    finance = User.objects.filter(staff__role="finance").first() or world.hall_admin
    client.force_login(finance)
    answer = client.get("/staff/payments/reconciliation/?day=0001-01-01")
    assert answer.status_code in (400, 403)
    if answer.status_code == 400:
        assert "日期" in answer.content.decode()


def test_a_huge_page_number_is_not_a_500(world):
    client = Client()
    client.force_login(world.clerk)
    for url in ("/api/v1/cases?page=99999999999999999999999", "/staff/inbox/?page=99999999999999999999"):
        assert client.get(url).status_code < 500, url


@pytest.mark.parametrize("name", ["王\ud800", "\udfff", "王\x00明"])
def test_a_lone_surrogate_or_nul_in_a_json_body_is_a_400_not_a_500(world, name):
    before = Applicant.objects.count()
    answer = Client(raise_request_exception=False).post(
        "/api/v1/applicants", _applicant(world, name=name), content_type="application/json", **_clerk_api()
    )
    assert _json_error(answer, 400)["code"] == "request.control_character"
    assert Applicant.objects.count() == before
