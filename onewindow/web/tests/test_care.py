"""关怀版 (issue 23): one switch, remembered in a cookie across pages and logins; the kiosk and the
appointment pages are in the mode unless the visitor switched it off; in the mode the navigation
is the five things citizens do most, and the guided search waits for the question to be sent."""

import pytest

from onewindow.web.care import COOKIE

pytestmark = pytest.mark.django_db

CARE = '<html lang="zh-Hans" class="care">'
FIVE = ["找事项", "网上办事", "我的办件", "办件查询", "取号预约"]


def _care_nav(html: str) -> str:
    start = html.index('data-testid="care-nav"')
    return html[start : html.index("</nav>", start)]


def test_it_switches_on_remembers_and_goes_back_to_the_page(world, client):
    # given a visitor on the progress page, in the standard mode
    assert CARE not in client.get("/progress/").content.decode()
    # when they press 关怀版
    answer = client.post("/care/", {"on": "1", "next": "/progress/?number=X"})
    # then they are back on that page, the choice in a cookie for a year
    assert answer.status_code == 302 and answer["Location"] == "/progress/?number=X"
    cookie = answer.cookies[COOKIE]
    assert cookie.value == "1" and cookie["max-age"] == 365 * 24 * 3600 and cookie["samesite"] == "Lax"
    # and every page is in the mode, with the switch to leave it
    for path in ("/", "/progress/", "/items/", "/guide/?q=开饭店", "/accounts/login/"):
        html = client.get(path).content.decode()
        assert CARE in html, path
        assert (
            '<button type="submit" name="on" value="0" data-testid="care-switch">退出关怀版</button>' in html
        )


def test_it_keeps_the_mode_across_a_login(world, client):
    client.post("/care/", {"on": "1", "next": "/"})
    client.post("/accounts/login/", {"username": "alice", "password": "Persona-Pass-2026"})
    html = client.get("/my/").content.decode()
    assert CARE in html and "退出登录" in html


def test_it_switches_off(world, client):
    client.post("/care/", {"on": "1", "next": "/"})
    answer = client.post("/care/", {"on": "0", "next": "/"})
    assert answer.cookies[COOKIE].value == "0"
    html = client.get("/").content.decode()
    assert CARE not in html and 'data-testid="care-switch">关怀版</button>' in html


def test_it_goes_back_to_the_page_it_was_pressed_on(world, client):
    answer = client.post("/care/", {"on": "1"}, HTTP_REFERER="http://testserver/items/?q=1")
    assert answer["Location"] == "http://testserver/items/?q=1"
    # a page does not echo its own address into the switch (an error page must not repeat it)
    assert "/progress/?number=371400" not in client.get("/progress/?number=371400").content.decode()


def test_it_goes_back_only_to_a_page_of_this_site(world, client):
    for elsewhere in ("https://evil.example/", "//evil.example/", ""):
        answer = client.post("/care/", {"on": "1", "next": elsewhere}, HTTP_REFERER="https://evil.example/")
        assert answer.status_code == 302 and answer["Location"] == "/"


def test_the_switch_is_a_post(world, client):
    assert client.get("/care/?on=1").status_code == 405


def test_the_kiosk_and_the_appointments_are_in_the_mode_by_default(world, client):
    assert CARE in client.get("/queue/T-HALL/kiosk/").content.decode()
    assert CARE in client.get("/queue/T-HALL/appointments/").content.decode()
    assert CARE not in client.get("/").content.decode()
    # unless the visitor switched it off
    client.cookies[COOKIE] = "0"
    assert CARE not in client.get("/queue/T-HALL/kiosk/").content.decode()
    assert CARE not in client.get("/queue/T-HALL/appointments/").content.decode()


def test_the_mode_shows_the_five_things_citizens_do_most(world, client):
    client.cookies[COOKIE] = "1"
    html = client.get("/progress/").content.decode()
    nav = _care_nav(html)
    assert [label for label in FIVE if label in nav] == FIVE
    assert "中介超市" not in html and "办事指南" not in html  # the full menu is gone
    assert 'href="/queue/T-HALL/appointments/" data-testid="care-queue"' in nav
    assert 'href="/progress/" data-testid="care-progress" aria-current="page"' in nav
    # staff keep their own navigation
    client.post("/accounts/login/", {"username": "clerk", "password": "Persona-Pass-2026"})
    html = client.get("/staff/").content.decode()
    assert CARE in html and 'data-testid="care-nav"' not in html and "办件受理" in html


def test_the_guided_search_answers_when_asked_not_while_typing_in_the_mode(world, client):
    assert 'hx-trigger="input changed delay:300ms, search"' in client.get("/").content.decode()
    client.cookies[COOKIE] = "1"
    html = client.get("/").content.decode()
    assert 'name="q"' in html and "hx-trigger" not in html


def test_every_page_has_a_skip_link_to_its_main_content(world, client):
    html = client.get("/").content.decode()
    assert (
        '<a class="skip" href="#main">跳到主要内容</a>' in html and '<main id="main" tabindex="-1">' in html
    )


def test_form_errors_and_messages_are_announced(world, client):
    # a form's field errors (Django's error list, every form of the site)
    html = client.post("/register/", {"name": ""}).content.decode()
    assert '<div role="alert"><ul class="errorlist" id="id_name_error">' in html
    # the login's own error list
    html = client.post("/accounts/login/", {"username": "alice", "password": "wrong"}).content.decode()
    assert '<div role="alert"><ul class="errorlist">' in html
