"""Every URL declares who may use it; department B's reviewer gets nothing of department A.

The walk covers every Django URL pattern and every API operation, so a URL added later
without a declaration, or leaking another department's data, fails here.
"""

import re

import pytest

from onewindow.accounts.permissions import declared_permission
from onewindow.api import api
from onewindow.tests.url_patterns import url_patterns

pytestmark = pytest.mark.django_db

# Framework views whose protection lives in the framework itself.
FRAMEWORK = {
    "admin": "Django admin: admin_view requires an active is_staff login",
    "api-root": "django-ninja's /api/v1/ root: always answers 404, it only anchors the API's URLs",
}


def _is_ninja(callback):
    return getattr(callback, "__qualname__", "").startswith("PathView.get_view")


def _operations():
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                yield bound.prefix + path, operation


def test_every_url_declares_a_permission():
    missing = []
    for route, pattern, namespace in url_patterns():
        if namespace in FRAMEWORK or pattern.name in FRAMEWORK or _is_ninja(pattern.callback):
            continue
        if declared_permission(pattern.callback) is None:
            missing.append(route)
    assert missing == [], f"URLs without a declared permission: {missing}"


def test_every_api_operation_declares_a_permission():
    missing = [
        f"{op.methods} {path}" for path, op in _operations() if declared_permission(op.view_func) is None
    ]
    assert missing == [], f"API operations without a declared permission: {missing}"
    assert len(list(_operations())) >= 10


def test_public_operations_are_exactly_those_without_auth():
    for path, op in _operations():
        mark = declared_permission(op.view_func)
        assert (mark == "public") == (not op.auth_callbacks), f"{path}: {mark} vs auth {op.auth_callbacks}"


def _fill(route: str, world) -> str:
    """A concrete URL whose parameters point at department A's (or its hall's) objects."""
    values = {
        "code": world.dept_a.code,
        "ref": world.alice_applicant.ref,
        "date": "2026-10-13",
        "number": world.window_a.number,
    }
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), route)
    route = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), route)
    return "/" + route.replace("^", "").replace("$", "").replace("\\Z", "").lstrip("/")


SECRETS = ("罗布", "韩克", "13800000002", "13800000003", "艾丽")  # department A staff, Alice


def test_reviewer_b_gets_nothing_of_department_a_from_any_url(world, as_user):
    checked = 0
    urls = {_fill(route, world) for route, _, ns in url_patterns() if ns != "admin"}
    urls |= {_fill("api/v1" + path, world) for path, _ in _operations()}
    for url in sorted(urls):
        if "(?P" in url:
            continue
        for method in ("get", "post"):
            client = as_user(world.reviewer_b)  # fresh each time: a POST to logout ends the session
            answer = (
                getattr(client, method)(url, {}, content_type="application/json")
                if method == "post"
                else client.get(url)
            )
            body = answer.content.decode(errors="replace")
            leaked = [s for s in SECRETS if s in body]
            assert not leaked, f"{method.upper()} {url} ({answer.status_code}) shows {leaked} to department B"
            assert answer.status_code < 500, f"{method.upper()} {url} answered {answer.status_code}"
            checked += 1
    assert checked >= 20
    admin = as_user(world.reviewer_b).get("/admin/")
    assert admin.status_code == 302  # not staff of the admin site
