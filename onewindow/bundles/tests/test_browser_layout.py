"""The merged form's long questions (基本存款账户开户银行 …) on a 一件事's page, in headless Chromium:
each label sits clear of its answer on a desktop, and above it on a phone (issue 15 item 8: they ran
into their values)."""

import pytest

from onewindow import clock
from onewindow.bundles.tests.conftest import MONDAY, apply, build_startup
from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
# For each question: [label's right, answer's left, label's bottom, answer's top].
BOXES = """() => [...document.querySelectorAll('[data-testid=answers] dt')].map(dt => {
  const a = dt.getBoundingClientRect(), b = dt.nextElementSibling.getBoundingClientRect();
  return [a.right, b.left, a.bottom, b.top];
})"""


def test_long_labels_never_run_into_their_values(world, live_server, desktop, phone):
    startup = build_startup(world)
    with clock.frozen(MONDAY):
        application = apply(world, startup)
    for watched, stacked in ((desktop, False), (phone, True)):
        log_in(watched, live_server.url, "alice", PASSWORD)
        page = watched.page
        page.goto(f"{live_server.url}/my/bundle-applications/{application.number}/")
        boxes = page.evaluate(BOXES)
        assert len(boxes) >= 5
        for label_right, value_left, label_bottom, value_top in boxes:
            if stacked:
                assert label_bottom <= value_top + 0.5
            else:
                assert label_right + 8 <= value_left
        assert page.evaluate(FITS)
        watched.screenshot(f"bundle-answers-{'phone' if stacked else 'desktop'}")
