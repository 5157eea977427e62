"""关怀版 and the keyboard, in headless Chromium (issue 23). An elder on a phone switches to 关怀版,
finds an item by a plain question, follows a case on the progress page and books an appointment,
and the mode stays on across pages, a login and a reload. A citizen without a mouse applies online
for an item from the portal home with Tab, Enter and Space alone. The clock is frozen (the live
server's thread reads the same clock): Thursday 2026-11-26 10:00 in the hall."""

import datetime as dt
from pathlib import Path

import pytest

from onewindow import clock
from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.catalog import search
from onewindow.personas import PASSWORD, published_item
from onewindow.queueing.models import Category, SlotRule
from onewindow.web.tests.browser import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THURSDAY_10 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=clock.hall_tz())
SHOTS = Path("/tmp/shots")
IN_CARE = "document.documentElement.classList.contains('care')"
# A mobile viewport widens itself to what overflows: the page must fit the phone's own width.
FITS = f"document.documentElement.scrollWidth <= {PHONE['width']} + 1"
# Every control a finger presses, at least 44 px high (WCAG 2.5.5): the header's links and
# buttons, the page's buttons, fields, chips and item rows; the smallest's height and text.
SMALLEST_TARGET = """() => {
  const controls = Array.from(document.querySelectorAll(
    "header a, header button, main button, main .button, main input:not([type=hidden]), main select, main a.chip, main a.item-row"));
  const sizes = controls.filter((c) => c.offsetParent !== null)
    .map((c) => [c.getBoundingClientRect().height, (c.innerText || c.name || "").trim().slice(0, 20)]);
  sizes.sort((a, b) => a[0] - b[0]);
  return sizes[0];
}"""
FOCUS_SHOWN = """() => {
  const style = getComputedStyle(document.activeElement);
  return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
}"""


@pytest.fixture
def fresh_search():
    """The guided-search index is per process: this test's catalog in, nothing left behind."""
    search.invalidate()
    yield
    search.invalidate()


@pytest.fixture
def thursday():
    with clock.frozen(THURSDAY_10):
        yield


def shot(watched, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(SHOTS / f"elder-{name}.png"), full_page=True)


def in_care(page) -> bool:
    return page.evaluate(IN_CARE)


def _check_the_mode(page) -> None:
    assert in_care(page), page.url
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    height, label = page.evaluate(SMALLEST_TARGET)
    assert height >= 44, f"{label!r} is {height} px high on {page.url}"
    assert page.evaluate(FITS), f"{page.url} is wider than the phone"


def test_an_elder_on_a_phone_finds_follows_and_books_in_the_care_mode(
    world, fresh_search, thursday, live_server, phone
):
    food = published_item(world)
    case = cases.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                        channel=Channel.WINDOW, by=world.clerk, handed_in=[])  # fmt: skip
    category = Category.objects.create(hall=world.hall, letter="B", name="社会事务", order=1)
    SlotRule.objects.create(hall=world.hall, category=category, weekday=THURSDAY_10.weekday(),
                            start=dt.time(14), end=dt.time(15), capacity=2)  # fmt: skip
    page = phone.page
    # given the portal home in the standard mode
    page.goto(live_server.url + "/")
    assert not in_care(page)
    shot(phone, "home-normal")
    # when the elder presses 关怀版
    page.click("[data-testid=care-switch]")
    page.wait_for_load_state("networkidle")
    # then the home is in the mode, its navigation the five things citizens do most
    _check_the_mode(page)
    labels = page.locator("[data-testid=care-nav] a").all_inner_texts()
    assert labels == ["找事项", "网上办事", "我的办件", "办件查询", "取号预约"]
    shot(phone, "home-care")
    # the elder asks a plain question and finds the item
    page.fill("input[name=q]", "餐饮许可证怎么办")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/guide/**")
    _check_the_mode(page)
    shot(phone, "guide-care")
    page.click("#hits >> text=食品经营许可（新办）")
    page.wait_for_load_state("networkidle")
    assert "食品经营许可（新办）" in page.inner_text("h1")
    _check_the_mode(page)
    # follows the case on the progress page, with the last four digits of the phone
    page.click("[data-testid=care-progress]")
    page.wait_for_load_state("networkidle")
    page.fill("#number", case.number)
    page.fill("#phone_last4", "5678")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert case.number in page.inner_text("[data-testid=progress]")
    assert page.inner_text("[data-testid=status]") == "已接件"
    _check_the_mode(page)
    shot(phone, "progress-care")
    # the mode survives a reload
    page.reload()
    page.wait_for_load_state("networkidle")
    assert in_care(page)
    # logs in (the mode stays on a page that is not in it by default) and books an appointment
    page.click("header >> text=登录")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/my/")
    _check_the_mode(page)
    page.click("[data-testid=care-queue]")
    page.wait_for_load_state("networkidle")
    page.click("main a.chip >> text=社会事务")
    page.wait_for_load_state("networkidle")
    _check_the_mode(page)
    page.click("[data-testid=appointment-slots] button >> text=预约")
    page.wait_for_load_state("networkidle")
    assert "预约成功：社会事务　2026年11月26日 14:00-15:00" in page.inner_text(
        "[data-testid=appointment-booked]"
    )
    _check_the_mode(page)
    shot(phone, "appointment-care")
    assert phone.errors == []


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Tab until `selector` has the focus, each focused control showing its focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_SHOWN), f"no visible focus on {selector} ({page.url})"
            return
    raise AssertionError(f"{selector} not reached in {limit} Tabs on {page.url}")


def test_a_citizen_applies_online_from_the_portal_home_by_keyboard_alone(
    world, fresh_search, thursday, live_server, desktop, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    published_item(world)
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page = desktop.page
    page.goto(live_server.url + "/")
    # the first Tab reaches the skip link, shown; Enter moves the focus to the main content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"
    assert page.evaluate(FOCUS_SHOWN)
    assert page.evaluate("document.activeElement.getBoundingClientRect().left >= 0")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # the guided search: the question, Enter, the item
    tab_to(page, "input[name=q]")
    page.keyboard.type("餐饮许可证怎么办")
    page.keyboard.press("Enter")  # sends the question: the guided search's own page
    page.wait_for_url("**/guide/?q=**")
    page.wait_for_load_state("networkidle")
    tab_to(page, "#hits a.item-row")
    assert "食品经营许可（新办）" in page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/items/T-SPJY-0001/")
    tab_to(page, "[data-testid=apply]")
    page.keyboard.press("Enter")
    # 网上申请 asks to log in first: by keyboard too
    page.wait_for_url("**/accounts/login/**")
    tab_to(page, "#id_username")
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/items/T-SPJY-0001/apply/")
    # the application form: a file chosen with Space, then submitted with Enter
    tab_to(page, "[data-testid=apply-form] input[type=file]")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(scan))
    shot(desktop, "apply-keyboard")
    tab_to(page, "[data-testid=apply-form] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/my/cases/**")
    assert page.inner_text("[data-testid=status]") == "已接件"
    assert desktop.errors == []
