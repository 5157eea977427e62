"""The public guide pages and the one-time checklist PDF."""

import subprocess

import pytest

from onewindow.catalog import services
from onewindow.personas import published_item

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_it_shows_every_element_of_an_item(world, client):
    published_item(world)
    html = client.get("/items/T-SPJY-0001/").content.decode()
    for text in (
        "食品经营许可（新办）",
        "承诺 <strong>5</strong> 个工作日（法定 20 个工作日）",
        "食品经营许可申请书",
        "由测试市场监管局共享获取",
        "可容缺",
        "审查（3个工作日）",
        "餐饮许可证",
        "不收费",
    ):
        assert text in html, text  # fmt: skip


def test_it_makes_a_checklist_pdf_with_the_material_names(world, client, tmp_path):
    published_item(world)
    answer = client.get("/items/T-SPJY-0001/checklist.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = pdf_text(answer.content, tmp_path)
    for name in ("一次性告知单", "食品经营许可申请书", "营业执照", "食品安全管理制度", "T-SPJY-0001"):
        assert name in text, name


def test_it_keeps_an_old_version_readable_with_a_note(world, client):
    item = published_item(world)
    draft = services.start_draft(item, by=world.hall_admin)
    services.save_draft(draft, by=world.hall_admin, elements={"name": "食品经营许可（新版）"})
    services.propose(draft, by=world.head_a)
    services.withdraw(item, by=world.hall_admin)
    old = client.get("/items/T-SPJY-0001/?version=1").content.decode()
    assert "食品经营许可（新办）" in old and "您正在查看第 1 版" in old


def test_it_lists_items_by_department_life_event_and_type(world, client):
    published_item(world)
    assert "食品经营许可" in client.get("/items/", {"life_event": "餐饮经营"}).content.decode()
    assert "食品经营许可" not in client.get("/items/", {"type": "filing"}).content.decode()
    assert "食品经营许可" in client.get("/departments/T-A/").content.decode()


def test_it_answers_typing_on_the_home_page_with_a_partial(world, client):
    published_item(world)
    # (the one-item catalog has no "开": "开饭店" would be half unknown — decision 0026)
    partial = client.get("/guide/", {"q": "饭店餐饮"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="hits"') and "食品经营许可" in partial
    full = client.get("/guide/", {"q": "饭店餐饮"}).content.decode()
    assert "<html" in full and "食品经营许可" in full


def test_it_answers_unknown_items_with_a_404_page(world, client):
    page = client.get("/items/NOPE/")
    assert page.status_code == 404 and "未找到事项" in page.content.decode()
