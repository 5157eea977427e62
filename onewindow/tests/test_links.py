"""Links that leave the building (issue 15 item 7): every absolute address the hall hands out is
built by onewindow.links below ONEWINDOW_PUBLIC_URL; in production settings a loopback or unset
public address stops the start (system check onewindow.E001)."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from onewindow import links

ROOT = Path(__file__).resolve().parents[1]


def test_only_the_links_module_builds_absolute_addresses():
    """No module builds a link from the request's host or glues the setting to a path itself."""
    pattern = re.compile(r"build_absolute_uri|ONEWINDOW_PUBLIC_URL")
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if "tests" in relative.parts or relative in (Path("links.py"), Path("settings.py")):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line.split("#", 1)[0]):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_public_url_joins_the_address_the_path_and_the_query(settings):
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn/"
    assert (
        links.public_url("/progress/", {"number": "A B"})
        == "https://zwfw.example.gov.cn/progress/?number=A+B"
    )
    assert links.public_url("/v/1/") == "https://zwfw.example.gov.cn/v/1/"
    with pytest.raises(ValueError):
        links.public_url("progress/")


def _strict(settings, url):
    settings.DEBUG, settings.ONEWINDOW_DEMO, settings.PRODUCTION = False, False, False
    settings.ONEWINDOW_PUBLIC_URL = url


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000", "http://0.0.0.0:8000",
     "http://127.0.1.1", "zwfw.example.gov.cn", "ftp://zwfw.example.gov.cn", "https://zwfw.example.gov.cn/?x=1"],
)  # fmt: skip
def test_production_settings_refuse_an_address_a_phone_cannot_open(settings, url):
    _strict(settings, url)
    [error] = links.check_public_url()
    assert error.id == "onewindow.E001" and "ONEWINDOW_PUBLIC_URL" in error.msg and error.hint


def test_a_real_address_passes(settings):
    for url in (
        "https://zwfw.example.gov.cn",
        "http://10.12.0.8:8000",
        "https://zwfw.example.gov.cn/onewindow",
    ):
        _strict(settings, url)
        assert links.check_public_url() == []


def test_the_demo_and_debugging_may_serve_on_loopback_but_production_never(settings):
    _strict(settings, "http://127.0.0.1:8000")
    settings.ONEWINDOW_DEMO = True
    assert links.check_public_url() == []
    settings.ONEWINDOW_DEMO, settings.DEBUG = False, True
    assert links.check_public_url() == []
    settings.PRODUCTION = True  # says production whatever else is set
    assert [e.id for e in links.check_public_url()] == ["onewindow.E001"]


def test_the_check_stops_the_web_server_and_the_worker(settings):
    _strict(settings, "http://127.0.0.1:8000")
    with pytest.raises(SystemCheckError, match="onewindow.E001"):
        call_command("check", deploy=True, tags=["onewindow"])
    with pytest.raises(SystemCheckError, match="ONEWINDOW_PUBLIC_URL"):
        links.fail_on_errors()  # what wsgi.py and asgi.py run at start
    with pytest.raises(SystemCheckError, match="onewindow.E001"):
        call_command("worker", once=True, skip_checks=False)
    settings.ONEWINDOW_DEMO = True
    call_command("check", deploy=True, tags=["onewindow"])
    links.fail_on_errors()


def test_make_run_sets_the_public_address_to_what_it_serves_and_says_it_is_a_demo():
    makefile = (ROOT.parent / "Makefile").read_text()
    run = (ROOT.parent / "scripts" / "run.sh").read_text()
    assert re.search(r"^run: export ONEWINDOW_DEMO", makefile, re.M)
    assert "ONEWINDOW_PUBLIC_URL" in run and "$HOST" in run and "$PORT" in run


@pytest.mark.parametrize("action", ["decide", "refuse", "request_supplement"])
def test_the_sms_of_a_written_answer_links_to_the_public_progress_page(settings, action):
    from onewindow.cases.messages import message_for
    from onewindow.cases.models import Case, CaseEvent
    from onewindow.notify.services import render

    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn"
    case = Case(number="371400-20261202-000023")
    event = CaseEvent(
        action=action, reason="不符合条件", payload={"approve": False, "materials": [{"material": "身份证"}]}
    )
    name, context = message_for(case, action, event)
    text = render(name, {"number": case.number, "item": "居住证申领", **context})
    assert "https://zwfw.example.gov.cn/progress/?number=371400-20261202-000023" in text
