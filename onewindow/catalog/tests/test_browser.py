"""A citizen finds an item in Chromium, reads its guide and downloads the checklist."""

import subprocess

import pytest
from django.core.management import call_command

from onewindow.catalog.models import ItemVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_hall():
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def test_it_finds_the_food_permit_and_downloads_its_checklist(demo_hall, live_server, phone, tmp_path):
    page = phone.page
    page.goto(live_server.url + "/")
    page.fill("input[name=q]", "饭店")
    page.wait_for_selector("#hits a.item-row")  # htmx answers while typing
    page.get_by_role("link", name="食品经营许可（新办）").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "食品经营许可（新办）"
    with page.expect_download() as download:
        page.click("[data-testid=checklist]")
    path = tmp_path / "checklist.pdf"
    download.value.save_as(path)
    raw = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = "".join(raw.split())  # names wrap inside their table cells
    materials = ItemVersion.objects.get(item__code="SPJY-XK-0001", state="published").materials.all()
    assert len(materials) >= 2
    for material in materials:
        assert "".join(material.name.split()) in text, material.name
    phone.screenshot("catalog-guide-phone")
    assert phone.errors == []


def test_every_demo_item_guide_renders_without_errors(demo_hall, live_server, desktop):
    codes = list(ItemVersion.objects.filter(state="published").values_list("item__code", flat=True))
    assert len(codes) >= 40
    page = desktop.page
    for code in codes:
        answer = page.goto(f"{live_server.url}/items/{code}/")
        assert answer.status == 200, code
        assert page.locator("table.materials tr").count() >= 2, code
    assert desktop.errors == []


def test_the_guide_materials_keep_each_form_on_one_line_on_a_phone(demo_hall, live_server, phone):
    # At 390 px the five-column table squeezed 形式 to one character per line (issue 15 item 8).
    page = phone.page
    page.goto(live_server.url + "/items/SPJY-XK-0001/")
    cells = page.locator("[data-testid=materials] td[data-label=形式]")
    assert cells.count() >= 2
    for i in range(cells.count()):
        height, font = cells.nth(i).evaluate(
            "td => [td.getBoundingClientRect().height, parseFloat(getComputedStyle(td).fontSize)]"
        )
        assert height < 2.2 * font, f"形式 cell {i} wraps: {height}px for a {font}px font"
    phone.screenshot("catalog-guide-materials-phone")
    assert phone.errors == []


def test_a_question_with_no_item_gets_the_honest_answer_on_a_phone(demo_hall, live_server, phone):
    from onewindow.catalog.models import UnmatchedQuestion
    from onewindow.web.demo import DEMO_PASSWORD
    from onewindow.web.tests.browser import log_in

    # given: a citizen on a phone asks for something the catalog has no item for
    page = phone.page
    page.goto(live_server.url + "/")
    page.fill("input[name=q]", "公司要申请专利")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("[data-testid=no-match]")
    # then: the honest answer, 12345 and the hall's phone, and no item at all
    answer = page.locator("[data-testid=no-match]").inner_text()
    assert "没有找到与您的问题相符的事项" in answer and "12345" in answer and "0534-12345" in answer
    assert page.locator("#hits a.item-row").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot("guide-no-match-phone")
    # and a question the catalog now answers shows its item first
    page.fill("input[name=q]", "公司要注销")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("#hits a.item-row")
    assert "企业简易注销登记" in page.locator("#hits a.item-row").first.inner_text()
    phone.screenshot("guide-company-cancellation-phone")
    asked = UnmatchedQuestion.objects.get(text="公司要申请专利")
    assert asked.count == 6  # the demo hall had it 5 times already
    # when: the hall admin opens 未找到事项的提问 on a phone and marks it handled
    page.context.clear_cookies()
    log_in(phone, live_server.url, "admin", DEMO_PASSWORD)
    page.goto(live_server.url + "/staff/catalog/questions/")
    row = page.locator("[data-testid=question]", has_text="公司要申请专利")
    assert row.locator("td[data-label=次数]").inner_text().strip() == "6"
    assert (
        page.locator("[data-testid=question]").first.inner_text().startswith("公司要申请专利")
    )  # most asked
    phone.screenshot("guide-unmatched-questions-phone")
    row.get_by_role("button", name="标记已处理").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=question]", has_text="公司要申请专利").count() == 0
    asked.refresh_from_db()
    assert asked.handled_at is not None
    assert phone.errors == []
