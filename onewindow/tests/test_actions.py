"""onewindow/actions.py: a page's action form runs the one entry it names; an unknown action is a
404 before anything runs, the access check comes before the service, a refusal shows the page
again, success redirects."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from onewindow.actions import dispatch
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound

UNKNOWN = NotFound("test.unknown_action", "没有这项操作。")


def _post(data=None):
    request = RequestFactory().post("/things/7/act/", data or {})
    request.user = AnonymousUser()
    return request


def _refuse(subject, by, post):
    raise Conflict("test.state", "当前状态不能办理。")


def test_it_runs_the_named_entry_with_the_subject_the_user_and_the_post_and_redirects():
    calls = []
    actions = {"act": lambda subject, by, post: calls.append((subject, by, post["reason"]))}
    request = _post({"reason": "材料齐全"})
    response = dispatch(request, actions, "act", "thing-7", unknown=UNKNOWN, done="/things/7/")
    assert calls == [("thing-7", request.user, "材料齐全")]
    assert (response.status_code, response["Location"]) == (302, "/things/7/")


def test_an_unknown_action_is_not_found_before_the_access_check():
    checked = []
    with pytest.raises(NotFound) as err:
        dispatch(_post(), {}, "nonsense", None, unknown=UNKNOWN, done="/", allowed=lambda: checked.append(1))
    assert err.value.code == "test.unknown_action" and checked == []


def test_a_person_not_allowed_is_refused_before_the_service_runs():
    ran = []

    def not_staff():
        raise Forbidden("test.staff_only", "仅限工作人员。")

    with pytest.raises(Forbidden):
        dispatch(_post(), {"act": lambda *a: ran.append(a)}, "act", None, unknown=UNKNOWN, done="/",
                 allowed=not_staff)  # fmt: skip
    assert ran == []


def test_a_refusal_shows_the_page_again_with_its_message_and_status():
    def page(exc: DomainError) -> HttpResponse:
        return HttpResponse(exc.message, status=exc.status)

    response = dispatch(_post(), {"act": _refuse}, "act", None, unknown=UNKNOWN, done="/", refused=page)
    assert (response.status_code, response.content.decode()) == (409, "当前状态不能办理。")


def test_without_a_page_to_show_the_refusal_goes_up_to_the_error_page():
    with pytest.raises(Conflict):
        dispatch(_post(), {"act": _refuse}, "act", None, unknown=UNKNOWN, done="/")


def test_done_may_answer_from_what_the_service_returned():
    response = dispatch(_post(), {"act": lambda *a: None}, "act", None, unknown=UNKNOWN,
                        done=lambda result: HttpResponse("空" if result is None else "有"))  # fmt: skip
    assert response.content.decode() == "空"
