"""Issue 21: schemathesis over the whole OpenAPI document, in-process through the WSGI app as an
integrating system would call it (the full middleware, a bearer token of a hall admin who is a
superuser, so the role-checked operations are reached too). Whatever it sends: no 5xx, and every
answer — errors included — matches what the document says.

Bounded: FUZZ_EXAMPLES cases per operation in each of schemathesis' two modes (data that fits the
document, data that does not), about a minute on a 2-core machine; set ONEWINDOW_FUZZ_EXAMPLES to
search harder. Runs against a real autocommit database (transactional_db), as the server does:
on PostgreSQL a statement refused mid-request must not poison the next one."""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from onewindow import personas
from onewindow.accounts import services as accounts
from onewindow.api import api

FUZZ_EXAMPLES = int(os.environ.get("ONEWINDOW_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def hall():
    """The persona world with a published item and a superuser hall admin with a token."""
    world = personas.build_world()
    personas.published_item(world)
    world.hall_admin.is_superuser = True
    world.hall_admin.save(update_fields=["is_superuser"])
    return world


@pytest.fixture
def one_connection():
    """As Django's test client does: the WSGI handler must not close the test's connection at
    each request's start and end (an in-memory SQLite database would vanish with it)."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


def _operations():
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = get_wsgi_application()
    for result in schema.get_all_operations():
        yield result.ok()


def _fuzz(operation, mode, headers):
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()


@pytest.mark.django_db(transaction=True)
def test_no_answer_is_a_server_error_or_off_the_document(hall, one_connection):
    failures = []
    for operation in _operations():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # A fresh token each time: an operation may revoke the one it was called with.
            token = accounts.issue_token(hall.hall_admin, "fuzz")[1]
            try:
                _fuzz(operation, mode, {"Authorization": f"Bearer {token}"})
            except Unsatisfiable:
                continue  # no negative data exists for an operation without inputs
            except Exception as failure:  # one report for all operations, not the first only
                failures.append(f"{operation.label} ({mode}): {failure}")
    assert not failures, "\n\n".join(failures)
