"""The axe-core check of every browser test (accessibility.py, issue 23) can fail: a page with
known violations, served at a made-up address, is reported with its rule, impact, element and
address — whether the test leaves it, closes it or ends on it."""

import pytest

from onewindow.web.tests.accessibility import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD = "http://bad.example.test/form/"
# An image without alt text, an input without a label, and a link told apart by colour alone.
BAD_HTML = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>坏页</title>
<style>a { color: #0645ad; text-decoration: none } p { color: #222 }</style></head>
<body><main><h1>坏页</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="photo">
<input type="text" id="nameless">
<p>请先阅读<a href="/x" id="inline">办事指南</a>再提交材料，材料齐全后可当场办结，不齐全的一次性告知。</p>
</main></body></html>"""


def _serve_bad(page) -> None:
    page.route(BAD, lambda route: route.fulfill(body=BAD_HTML, content_type="text/html; charset=utf-8"))


def _rules(problems: list[str]) -> set[str]:
    return {p.split(" ", 1)[0] for p in problems}


def test_a_page_left_for_another_is_reported(browser, desktop, live_server):
    page = desktop.page
    _serve_bad(page)
    page.goto(BAD)
    page.goto(live_server.url + "/")  # the bad page is checked before the request leaves
    problems = browser.accessibility.finish()
    assert {"image-alt", "label"} <= _rules(problems), problems
    image = next(p for p in problems if p.startswith("image-alt"))
    assert image.startswith(f"image-alt (critical) on {BAD}: #photo"), image
    assert "#nameless" in next(p for p in problems if p.startswith("label "))
    # the portal home itself is clean: nothing else was reported
    assert all(BAD in p for p in problems), problems
    assert "image-alt (critical)" in report(problems)


def test_a_page_the_test_ends_on_or_closes_is_reported(browser, live_server):
    context = browser.new_context(locale="zh-CN")  # a context the test makes itself is watched too
    first, second = context.new_page(), context.new_page()
    for page in (first, second):
        _serve_bad(page)
        page.goto(BAD)
    first.close()
    assert _rules(browser.accessibility.problems) >= {"image-alt", "label"}
    ended = browser.accessibility.finish()  # the second was still open when the test ended
    assert len([p for p in ended if p.startswith("image-alt")]) == 1, ended  # once each
    browser.accessibility.begin()
    second.goto(BAD)
    context.close()
    assert "image-alt" in _rules(browser.accessibility.finish())


def test_a_clean_page_reports_nothing(browser, desktop, live_server):
    before = browser.accessibility.checked
    desktop.page.goto(live_server.url + "/")
    desktop.page.goto(live_server.url + "/items/")
    assert browser.accessibility.finish() == []
    assert browser.accessibility.checked == before + 2  # both were checked, once each
