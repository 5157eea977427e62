"""The key pages work under the Content-Security-Policy (decision 45): Chromium reports no "Refused
to …" on the portal home, an item's guide, the staff inbox, the wall display, the kiosk, the
dashboard and the queue figures' chart — and htmx and Chart.js run there."""

import re

import pytest

from onewindow import personas
from onewindow.personas import PASSWORD
from onewindow.queueing.models import Category, WindowCategory
from onewindow.web.tests.browser import log_in, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every violation, whether Chromium logs it ("Refused to execute inline script …") or only fires
# the DOM event: Playwright's init script runs outside the page's policy.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


# Chromium's console says "Refused to execute inline script …" in older releases, "Executing inline
# script violates the following Content Security Policy directive …" in newer ones.
_VIOLATION = re.compile(r"Refused to|Content Security Policy")


def _watch(watched) -> list[str]:
    refused: list[str] = []
    watched.page.on("console", lambda msg: _VIOLATION.search(msg.text) and refused.append(msg.text))
    watched.page.add_init_script(RECORD_VIOLATIONS)
    return refused


def _visit(watched, refused, url: str) -> list[str]:
    page = watched.page
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return refused + [f"{url}: {v}" for v in page.evaluate("window.__csp")]


@pytest.fixture
def floor(world):
    a = Category.objects.create(hall=world.hall, letter="A", name="企业开办", order=1)
    WindowCategory.objects.create(window=world.window_1, category=a, order=1)


def test_the_key_pages_break_no_rule_of_the_policy(world, floor, live_server, phone, desktop):
    personas.published_item(world)
    base = live_server.url
    refused = _watch(phone)
    for path in ("/", "/items/T-SPJY-0001/", "/queue/T-HALL/kiosk/"):
        assert _visit(phone, refused, base + path) == []
    assert phone.page.evaluate("typeof htmx !== 'undefined'")

    tv = _visit(phone, refused, base + "/queue/T-HALL/display/")
    assert tv == []
    # The wall display polls its board through htmx: it swaps at least once under the policy.
    phone.page.wait_for_selector("#board")
    assert phone.page.evaluate("typeof htmx !== 'undefined' && htmx.config.includeIndicatorStyles === false")

    staff = _watch(desktop)
    log_in(desktop, base, "supervisor", PASSWORD)
    for path in ("/staff/", "/staff/stats/"):
        assert _visit(desktop, staff, base + path) == []
    assert desktop.page.evaluate("typeof Chart === 'function'")
    assert _visit(desktop, staff, base + "/staff/queue-figures/") == []
    # Chart.js drew the hourly chart: its script ran from a file, its styles through the CSSOM.
    assert desktop.page.evaluate("Chart.getChart(document.getElementById('hourly')) !== undefined")
    # The filter's select submits its form on change (site.js data-autosubmit, was onchange="…").
    with desktop.page.expect_navigation():
        desktop.page.select_option("select[name=by]", "window")
    assert desktop.page.url.endswith("?by=window") and staff == []

    reviewer = _watch(phone)
    log_in(phone, base, "reviewer_a", PASSWORD)
    assert _visit(phone, reviewer, base + "/staff/inbox/") == []
    assert not phone.errors and not desktop.errors, phone.errors + desktop.errors


def test_the_watch_sees_a_violation(world, live_server, desktop):
    """The collector above can fail: a page that adds an inline style element is refused."""
    refused = _watch(desktop)
    assert _visit(desktop, refused, live_server.url + "/") == []
    desktop.page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>body{color:red}</style>')")
    wait_until(desktop.page, "window.__csp.length > 0")
    assert any("style-src" in v for v in desktop.page.evaluate("window.__csp"))
    desktop.page.wait_for_timeout(300)
    assert any("inline style" in r for r in refused), refused
    # A style="" attribute is refused too (no style-src-attr 'unsafe-inline'); the CSSOM is not.
    desktop.page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<p id=attr style=\"color: red\">x</p>')"
    )
    wait_until(desktop.page, "window.__csp.some((v) => v.startsWith('style-src-attr'))")
    assert (
        desktop.page.evaluate("getComputedStyle(document.getElementById('attr')).color") != "rgb(255, 0, 0)"
    )
    desktop.page.evaluate("document.getElementById('attr').style.color = 'red'")
    assert (
        desktop.page.evaluate("getComputedStyle(document.getElementById('attr')).color") == "rgb(255, 0, 0)"
    )
