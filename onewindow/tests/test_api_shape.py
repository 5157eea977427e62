"""Issue 21: everything under /api/v1/ answers errors in the one shape {code, message, details}
with a Chinese message, and the OpenAPI document says so — tried as an attacker or an
integrating system would, with curl and the document alone."""

import datetime as dt
import json
import logging
import re
import typing

import pytest
from django.db import DataError
from django.test import Client
from pydantic import BaseModel

from onewindow.accounts import services as accounts
from onewindow.api import api, short

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def assert_shaped(answer, status, code):
    assert answer.status_code == status, answer.content[:300]
    assert answer["Content-Type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code, body
    assert CHINESE.search(body["message"]), body
    return body


@pytest.fixture
def token(world):
    return accounts.issue_token(world.alice, "测试")[1]


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# --- 404, 405, 500: what Django and ninja answer on their own -------------------------------------


def test_it_answers_an_unknown_api_path_in_json(db):
    assert_shaped(Client().get("/api/v1/no-such-thing"), 404, "request.not_found")
    assert_shaped(Client().post("/api/v1/items/x/y/z", {}), 404, "request.not_found")


def test_it_answers_a_wrong_method_in_json_and_keeps_allow(db):
    answer = Client().delete("/api/v1/items")
    assert_shaped(answer, 405, "request.method")
    assert "GET" in answer["Allow"]


def test_it_answers_an_unhandled_exception_in_json_and_logs_it(world, token, monkeypatch, caplog):
    from onewindow.accounts import services

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "user_for_token", broken)
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        answer = client.get("/api/v1/ping", **bearer(token))
    body = assert_shaped(answer, 500, "server.error")
    assert body["message"] == "服务器内部错误，请稍后再试。"
    assert any(r.exc_info and "a bug" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.parametrize(
    "raised",
    [DataError("value too long for type character varying(100)"), OverflowError("date value out of range"),
     ValueError("PostgreSQL text fields cannot contain NUL (0x00) bytes")],
)  # fmt: skip
def test_what_the_database_cannot_hold_is_a_400_not_a_500(world, token, monkeypatch, raised):
    from onewindow.accounts import services

    def refused(*args, **kwargs):
        raise raised

    monkeypatch.setattr(services, "user_for_token", refused)
    answer = Client(raise_request_exception=False).get("/api/v1/ping", **bearer(token))
    expected = "request.control_character" if isinstance(raised, ValueError) else "request.out_of_range"
    assert_shaped(answer, 400, expected)


def test_a_nul_in_a_path_is_never_a_500(db):
    answer = Client(raise_request_exception=False).get("/api/v1/items/a%00b")
    assert answer.status_code in (400, 404) and answer.json()["code"] in (
        "request.control_character",
        "catalog.item_not_found",
    )


def test_it_leaves_pages_alone(db):
    answer = Client().get("/no-such-page/")
    assert answer.status_code == 404 and not answer["Content-Type"].startswith("application/json")


# --- bodies: parse errors, Content-Type, control characters, integers -----------------------------


def test_it_answers_an_unparsable_body_in_chinese(world, token):
    answer = Client().post("/api/v1/cases", "{not json", content_type="application/json", **bearer(token))
    assert_shaped(answer, 400, "request.invalid")


def test_it_refuses_a_body_that_is_not_json_with_415(world, token):
    answer = Client().post("/api/v1/cases", '{"item": "x"}', content_type="text/plain", **bearer(token))
    assert_shaped(answer, 415, "request.media_type")
    form = Client().post("/api/v1/cases", {"item": "x"}, **bearer(token))  # multipart: no file taken
    assert_shaped(form, 415, "request.media_type")


@pytest.mark.parametrize("text", ["a\x00b", "\x1b[31m", "a\x7f"])
def test_it_refuses_control_characters_anywhere_in_a_body(world, token, text):
    body = {"hall": "T-HALL", "category": "A", "nested": [{"k": text}]}
    answer = Client().post("/api/v1/tickets", body, content_type="application/json", **bearer(token))
    assert_shaped(answer, 400, "request.control_character")
    key = Client().post("/api/v1/tickets", {text: 1}, content_type="application/json", **bearer(token))
    assert_shaped(key, 400, "request.control_character")


def test_it_allows_tabs_and_newlines(world, token):
    body = {"hall": "T-HALL\t", "category": "A\r\n"}
    answer = Client().post("/api/v1/tickets", body, content_type="application/json", **bearer(token))
    assert "控制字符" not in answer.json()["message"]


@pytest.mark.parametrize("number", [2**63, -(2**63) - 1, 10**30])
def test_it_refuses_integers_beyond_bigint(world, token, number):
    body = {"name": "项目", "investment_fen": number}
    answer = Client().post("/api/v1/projects", body, content_type="application/json", **bearer(token))
    assert assert_shaped(answer, 400, "request.out_of_range")["message"] == "请求中的整数超出允许范围。"


def test_it_refuses_nan(world, token):
    answer = Client().post("/api/v1/projects", '{"investment_fen": NaN}', content_type="application/json",
                           **bearer(token))  # fmt: skip
    assert assert_shaped(answer, 400, "request.invalid")["message"] == "请求体不是有效的 JSON。"


# --- authentication: 401 without credentials, 403 only for a missing CSRF token ------------------


def test_it_answers_an_unsafe_method_without_credentials_with_401(db):
    curl = Client(enforce_csrf_checks=True)  # no test exemption: as any client outside
    answer = curl.post("/api/v1/cases", {}, content_type="application/json")
    assert_shaped(answer, 401, "auth.required")
    answer = curl.post("/api/v1/cases", {}, content_type="application/json", **bearer("wrong"))
    assert_shaped(answer, 401, "auth.required")


def test_it_answers_a_session_without_csrf_token_with_403(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    answer = client.post("/api/v1/cases", {}, content_type="application/json")
    assert_shaped(answer, 403, "auth.csrf")
    assert client.get("/api/v1/ping").status_code == 200  # a safe method needs no token


# --- echoes, times ------------------------------------------------------------------------------


def test_it_never_echoes_a_long_value(db):
    code = "X" * 100_000
    answer = Client().get(f"/api/v1/items/{code}")
    body = assert_shaped(answer, 404, "catalog.item_not_found")
    assert len(answer.content) < 1000
    assert short(code) in body["message"] and short(code).endswith("…")


def test_it_still_echoes_a_short_value(db):
    assert "NOPE-1" in Client().get("/api/v1/items/NOPE-1").json()["message"]


def test_datetimes_carry_the_halls_offset(rf):
    """Every answer goes through the API's renderer: an aware UTC datetime comes out in +08:00."""
    at = dt.datetime(2026, 11, 23, 1, 30, 15, 123456, tzinfo=dt.UTC)
    answer = api.create_response(rf.get("/api/v1/ping"), {"at": at, "day": at.date()}, status=200)
    assert json.loads(answer.content) == {"at": "2026-11-23T09:30:15.123+08:00", "day": "2026-11-23"}


# --- the OpenAPI document ------------------------------------------------------------------------


def _operations():
    seen = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if id(operation) not in seen:
                    seen.add(id(operation))
                    yield operation


def _models(annotation, found):
    """Every pydantic class reachable from `annotation` (through lists, unions, fields)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
    for arg in typing.get_args(annotation):
        _models(arg, found)


def test_component_names_are_unique():
    found = set()
    for operation in _operations():
        wrappers = [*operation.models, *operation.response_models.values()]
        for wrapper in wrappers:
            if isinstance(wrapper, type) and issubclass(wrapper, BaseModel):
                for field in wrapper.model_fields.values():  # ninja's own wrapper is not a component
                    _models(field.annotation, found)
    by_name = {}
    for model in found:
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    clashes = {name: classes for name, classes in by_name.items() if len(classes) > 1}
    assert not clashes


def test_the_item_answer_documents_the_catalogs_materials():
    schema = api.get_openapi_schema()
    answer = schema["paths"]["/api/v1/items/{code}"]["get"]["responses"][200]
    ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    materials = schema["components"]["schemas"][ref]["properties"]["materials"]["items"]["$ref"]
    fields = schema["components"]["schemas"][materials.rsplit("/", 1)[1]]["properties"]
    assert "shared_by" in fields or "source" in fields


def test_every_operation_documents_its_errors():
    schema = api.get_openapi_schema()
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "details"}
    count = 0
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            count += 1
            statuses = {str(s) for s in operation["responses"]}
            wanted = {"400", "401", "403", "404", "429"} | ({"409"} if method != "get" else set())
            assert wanted <= statuses, (method, path, statuses)
    assert count > 80


def test_a_validation_error_names_each_field_with_a_chinese_reason(world, token):
    body = {
        "name": "项目",
        "investment_fen": 0,
        "region": 12,
        "approval_type": "filing",
        "key_project": "maybe",
    }
    answer = Client().post("/api/v1/projects", body, content_type="application/json", **bearer(token))
    errors = {
        e["field"]: e["error"] for e in assert_shaped(answer, 400, "request.invalid")["details"]["errors"]
    }
    assert errors == {
        "investment_fen": "应大于0",
        "region": "应为文字",
        "industry": "必填",
        "key_project": "应为 true 或 false",
    }


def test_a_too_long_query_value_is_refused_in_chinese(world):
    answer = Client().get("/api/v1/guide", {"q": "办" * 101})
    error = assert_shaped(answer, 400, "request.too_long")
    assert error["message"] == "q不能超过100个字。" and error["details"]["max_length"] == 100
