"""Issue 21: every string a client sends in a request body is bounded in the OpenAPI document, by
the column it is written to (inputs.column names it as "x-column"), and a longer one is refused
by the schema — a 400 in the error shape, in Chinese — before any service or row is reached."""

import pytest
from django.apps import apps
from django.test import Client

from onewindow import inputs
from onewindow.accounts import services as accounts
from onewindow.accounts.models import Applicant
from onewindow.api import api


def _strings(schema: dict, components: dict, where: str):
    """(where, the string's schema) for every string inside a request body's schema."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    for key in ("anyOf", "allOf", "oneOf"):
        for part in schema.get(key, ()):
            yield from _strings(part, components, where)
    kind = schema.get("type")
    if kind == "string":
        yield where, schema
    elif kind == "object":
        for name, sub in schema.get("properties", {}).items():
            yield from _strings(sub, components, f"{where}.{name}")
        if isinstance(schema.get("additionalProperties"), dict):
            yield from _strings(schema["additionalProperties"], components, f"{where}.*")
    elif kind == "array":
        yield from _strings(schema.get("items", {}), components, f"{where}[]")


def _body_strings():
    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    for methods in document["paths"].values():
        for operation in methods.values():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                yield from _strings(content["schema"], components, operation["operationId"])


def test_every_request_body_string_has_a_max_length_within_its_column():
    unbounded, wider, seen = [], [], 0
    for where, schema in _body_strings():
        if "enum" in schema or "format" in schema:
            continue  # a choice or a date: bounded by its own form
        seen += 1
        if "maxLength" not in schema:
            unbounded.append(where)
            continue
        if "x-column" in schema:
            label, name = schema["x-column"].rsplit(".", 1)
            field = apps.get_model(label)._meta.get_field(name)
            if field.get_internal_type() not in ("CharField", "TextField", "SlugField", "EmailField"):
                wider.append(f"{where}: {schema['x-column']} is no text column")
            elif field.max_length and schema["maxLength"] > field.max_length:
                wider.append(f"{where}: {schema['maxLength']} > {schema['x-column']} {field.max_length}")
    assert seen > 150  # the walk reached the bodies
    assert unbounded == [] and wider == []


def test_a_column_s_type_follows_its_model():
    assert inputs.column(Applicant, "name").__metadata__[0].json_schema_extra == {
        "maxLength": 100, "x-column": "accounts.Applicant.name"
    }  # fmt: skip
    # A TextField without max_length: the service's bound, else TEXT_MAX.
    assert inputs.column(Applicant, "phone").__metadata__[0].json_schema_extra["maxLength"] == 20
    from onewindow.cases.models import CaseEvent

    free = inputs.column(CaseEvent, "reason").__metadata__[0].json_schema_extra
    assert free["maxLength"] == inputs.TEXT_MAX


@pytest.mark.django_db
def test_a_too_long_string_is_refused_by_the_schema_before_any_row(world, monkeypatch):
    written = []
    monkeypatch.setattr(inputs, "check_columns", lambda instance: written.append(type(instance)))
    token = accounts.issue_token(world.clerk, "test")[1]
    before = Applicant.objects.count()
    body = {"kind": "natural", "name": "长" * 101, "region": world.district.code, "id_number": "1" * 30}
    answer = Client().post(
        "/api/v1/applicants", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert answer.status_code == 400, answer.content[:300]
    error = answer.json()
    assert error["code"] == "request.too_long"
    assert error["message"] == "姓名/名称不能超过100个字（现有101个）。"
    assert error["details"]["field"] == "name" and error["details"]["max_length"] == 100
    # Every refused field is listed, each in Chinese.
    assert {e["field"] for e in error["details"]["errors"]} == {"name", "id_number"}
    assert Applicant not in written and Applicant.objects.count() == before


@pytest.mark.django_db
def test_a_module_keeps_its_own_code_for_a_too_long_text(world):
    token = accounts.issue_token(world.clerk, "test")[1]
    answer = Client().post(
        "/api/v1/cases/2026-0001/deliver", {"method": "pickup", "signed_by": "艾" * 51},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert (answer.status_code, answer.json()["code"]) == (400, "case.delivery_field_length")
    assert "50" in answer.json()["message"]
