"""Login throttling and lockout (django-axes; issue 21): the 20th wrong password within the
cool-off locks the login name from that address; the 21st try is refused even with the right
password — a Chinese page, 429 with Retry-After — on the portal's login and the admin's. A
successful login clears the count, so people who mistype now and then never pile up failures."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from onewindow.accounts.models import User
from onewindow.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password, *, url="/accounts/login/", addr="203.0.113.20"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=addr)


def _logged_in(answer) -> bool:
    return answer.status_code == 302 and "_auth_user_id" in answer.client.session


def test_the_21st_try_is_refused_even_with_the_right_password(world):
    client = Client()
    answers = [_login(client, "alice", "wrong-password") for _ in range(20)]
    assert [a.status_code for a in answers[:19]] == [200] * 19  # the form again, with its error
    assert answers[19].status_code == 429  # the 20th failure locks
    right = _login(client, "alice", PASSWORD)
    assert right.status_code == 429 and not _logged_in(right)
    page = right.content.decode()
    assert (
        "登录已暂时锁定" in page and "30 分钟后再试" in page and 'data-error-code="auth.locked_out"' in page
    )
    assert right["Retry-After"] == "1800"
    # the same person from another address, and another login from this one, are not locked
    assert _logged_in(_login(Client(), "alice", PASSWORD, addr="203.0.113.21"))
    assert _logged_in(_login(Client(), "clerk", PASSWORD))


def test_the_admin_login_locks_the_same_way(world):
    User.objects.create_superuser("root", password=PASSWORD, display_name="管理员")
    client = Client()
    for _ in range(20):
        _login(client, "root", "nope", url="/admin/login/")
    right = _login(client, "root", PASSWORD, url="/admin/login/")
    assert right.status_code == 429 and right.has_header("Retry-After")
    assert "_auth_user_id" not in client.session
    # the portal's login shares the count: it is the same name from the same address
    assert _login(Client(), "root", PASSWORD).status_code == 429


def test_a_successful_login_clears_the_failures(world):
    client = Client()
    for _ in range(19):
        assert _login(client, "alice", "wrong-password").status_code == 200
    assert _logged_in(_login(Client(), "alice", PASSWORD))
    assert not AccessAttempt.objects.filter(username="alice").exists()
    for _ in range(19):
        assert _login(Client(), "alice", "wrong-password").status_code == 200
    assert _logged_in(_login(Client(), "alice", PASSWORD))


def test_the_limit_the_cool_off_and_the_key_are_settings(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_LOCKOUT_PARAMETERS = ["username"]  # ONEWINDOW_LOGIN_LOCKOUT_BY=username
    settings.ONEWINDOW_LOGIN_COOLOFF_MINUTES = 5
    settings.AXES_COOLOFF_TIME = 5 / 60
    for addr in ("203.0.113.30", "203.0.113.31", "203.0.113.32"):
        _login(Client(), "alice", "wrong-password", addr=addr)
    refused = _login(Client(), "alice", PASSWORD, addr="203.0.113.33")
    assert refused.status_code == 429 and refused["Retry-After"] == "300"
