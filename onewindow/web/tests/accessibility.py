"""Every page a browser test opens is checked with axe-core for the WCAG 2.1 A and AA rules
(issue 23); a violation fails the test at its teardown, with the rule, its impact, the elements'
selectors and the page's address.

How no page escapes: the session's `browser` is watched (`Checker.watch_browser`), so every
context a test makes — through the `phone`/`desktop` fixtures or `browser.new_context()` itself —
marks each page's document as unchecked when it loads. Before the test's next call into
Playwright, whatever it is (a click, a goto, an assertion, closing the page or its context), the
unchecked documents are checked: a page is checked as it loaded, before the test can leave it.
The page a test ends on is checked at its teardown. A document that went before any call could
check it (it navigated itself away, or the browser closed it) is counted and named in the run's
summary; one the test closed is checked before it closes.

The hook is Playwright's one door for every call of its sync API (SyncBase._sync, pinned version):
checking on the "load" event itself would race the test (its handler runs beside the test), and an
evaluate while a navigation is held stalls (the old document answers nothing).

axe runs through page.evaluate (the DevTools protocol, which the hall's Content-Security-Policy
does not govern), so the pages keep their policy; it runs once per document."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import greenlet

AXE_FILE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Checks the document once (a flag on its window), only an HTML page served over http(s):
# about:blank, a data: URL or a PDF in a popup is not a page of the hall.
_RUN = """async (tags) => {
  if (window.__axeChecked) return null;
  window.__axeChecked = true;
  if (!/^https?:$/.test(location.protocol) || !/html/.test(document.contentType)) return null;
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""

_ACTIVE: list[Checker] = []  # the session's checker, once the browser is watched


@dataclass
class Checker:
    """One per session: what the current test's pages broke; the documents still to check."""

    problems: list[str] = field(default_factory=list)
    pending: dict = field(default_factory=dict)  # page → the address of its loaded, unchecked document
    checked: int = 0
    missed: list[str] = field(default_factory=list)  # documents gone before any call could check them
    _busy: bool = False
    _main: object = None
    _source: str | None = None

    @property
    def source(self) -> str:
        if self._source is None:
            self._source = AXE_FILE.read_text(encoding="utf-8")
        return self._source

    # -- checking ------------------------------------------------------------------------------

    def check(self, page) -> None:
        """axe-core over the page's current document (once per document)."""
        loaded = self.pending.pop(page, None)
        if page.is_closed():
            return
        url = page.url
        if loaded is not None and loaded.split("#")[0] != url.split("#")[0]:  # it went: another began
            self.missed.append(loaded)
            return
        if not url.startswith(("http://", "https://")):  # about:blank, a data: URL: not the hall's
            return
        self._busy = True
        try:
            if not page.evaluate("typeof axe !== 'undefined'"):
                for frame in page.frames:  # axe checks an iframe through the axe inside it
                    if not frame.evaluate("typeof axe !== 'undefined'"):
                        frame.evaluate(self.source)
            violations = page.evaluate(_RUN, TAGS)
        except Exception as exc:  # whatever stopped it, the page went unchecked
            if not page.is_closed():
                self.problems.append(f"could not check {url}: {str(exc).splitlines()[0]}")
            else:
                self.missed.append(url)
            return
        finally:
            self._busy = False
        if violations is None:
            return
        self.checked += 1
        for v in violations:
            self.problems.append(
                f"{v['id']} ({v['impact']}) on {url}: {', '.join(v['targets'])} — {v['help']}"
            )

    def check_pending(self) -> None:
        for page in list(self.pending):
            self.check(page)

    def before_call(self) -> None:
        """Playwright is about to run a call of the test's: check what loaded since the last one.
        Not for the calls the checks make, nor for event handlers (they run beside the test)."""
        if self.pending and not self._busy and self._main is not None and greenlet.getcurrent() is self._main:
            self.check_pending()

    # -- the hooks -----------------------------------------------------------------------------

    def watch_browser(self, browser) -> None:
        self._main = greenlet.getcurrent()
        _install(self)
        new_context = browser.new_context

        def watched_new_context(**options):
            context = new_context(**options)
            context.on("page", self._watch_page)
            return context

        def watched_new_page(**options):
            # browser.new_page() makes a context of its own: watch it like any other.
            return watched_new_context(**options).new_page()

        browser.new_context = watched_new_context
        browser.new_page = watched_new_page

    def _watch_page(self, page) -> None:
        def loaded(page):
            url = page.url
            if page in self.pending:  # the document before it went before any call
                self.missed.append(self.pending[page])
            if url.startswith(("http://", "https://")):
                self.pending[page] = url

        def closed(page):
            if page in self.pending:  # closed by the browser, not by the test (that call checks)
                self.missed.append(self.pending.pop(page))

        page.on("load", loaded)
        page.on("close", closed)

    def stop(self) -> None:
        """The browser closes: its pages are no longer the tests'."""
        self._main = None
        self.pending = {}

    def summary(self) -> str:
        missed = list(dict.fromkeys(self.missed))
        line = f"axe-core: {self.checked} pages checked (WCAG 2.1 A/AA)"
        if missed:
            line += f"; {len(self.missed)} left before a call could check them: " + ", ".join(missed[:20])
        return line

    # -- the test's end ------------------------------------------------------------------------

    def begin(self) -> None:
        self.problems = []
        self.pending = {}

    def finish(self) -> list[str]:
        """Checks what is still open and returns the test's problems (once each, in order)."""
        self.check_pending()
        problems, self.problems = list(dict.fromkeys(self.problems)), []
        return problems


def _install(checker: Checker) -> None:
    """Every call of the sync API passes SyncBase._sync: check the pending pages first."""
    from playwright._impl import _sync_base

    _ACTIVE[:] = [checker]
    if getattr(_sync_base.SyncBase._sync, "checks_accessibility", False):
        return
    original = _sync_base.SyncBase._sync

    def _sync(self, awaitable):
        __tracebackhide__ = True
        for active in _ACTIVE:
            active.before_call()
        return original(self, awaitable)

    _sync.checks_accessibility = True
    _sync_base.SyncBase._sync = _sync


def report(problems: list[str]) -> str:
    return "axe-core (WCAG 2.1 A/AA) found:\n  " + "\n  ".join(problems)
