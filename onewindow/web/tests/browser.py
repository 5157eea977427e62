"""Headless Chromium for the page tests: Debian's chromium driven by Playwright (no browser
download). Under CI=true a missing browser fails the run; elsewhere those tests skip."""

import os
import shutil
from pathlib import Path

import pytest

from onewindow.web.tests.accessibility import Checker, report

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-results"


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "CI=true: Debian's chromium is required for the browser tests (apt-get install chromium)"
            )
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        chromium.accessibility = Checker()
        chromium.accessibility.watch_browser(chromium)
        yield chromium
        chromium.accessibility.stop()
        chromium.close()


@pytest.fixture(autouse=True)
def accessible(request):
    """Every test that drives the browser ends with no axe-core violation on any page it opened
    (issue 23): the checks run as the pages go (accessibility.py); this fails the test at its
    teardown, after the page fixtures closed their contexts, listing each."""
    if "browser" not in request.fixturenames:
        yield
        return
    checker = request.getfixturevalue("browser").accessibility
    checker.begin()
    yield
    problems = checker.finish()
    if problems:
        pytest.fail(report(problems), pytrace=False)


class Watched:
    """A page that records console errors and failed requests, so a test can assert none."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        # A download ends its request with ERR_ABORTED; that is not a failure.
        page.on(
            "requestfailed",
            lambda req: req.failure != "net::ERR_ABORTED" and self.errors.append(f"failed: {req.url}"),
        )

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    yield Watched(context.new_page())
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield Watched(context.new_page())
    context.close()


@pytest.fixture
def clerk_phone(browser):
    """A second phone, for a member of staff beside the citizen's `phone`."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    yield Watched(context.new_page())
    context.close()


def sample_pdf(text: str) -> bytes:
    """A two-page PDF (a scanned material stands in), made with WeasyPrint."""
    from weasyprint import HTML

    return HTML(string=f"<h1>{text}</h1><p style='page-break-before: always'>{text} 第二页</p>").write_pdf()


def sample_png(size: tuple[int, int] = (300, 200), rgb: tuple[int, int, int] = (30, 90, 200)) -> bytes:
    """A plain PNG image (a photo or a scan stands in)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, rgb).save(out, "PNG")
    return out.getvalue()


def wait_until(page, expression: str, timeout: float = 10.0, every: float = 0.05) -> None:
    """Polls `expression` until it is truthy (or fails after `timeout` seconds). Playwright's own
    wait_for_function evaluates its predicate with eval() inside the page, which the hall's
    Content-Security-Policy refuses (no 'unsafe-eval', decision 45); page.evaluate goes through
    the DevTools protocol, which the policy does not govern."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(every)


def log_in(watched: Watched, base_url: str, username: str, password: str) -> None:
    page = watched.page
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
