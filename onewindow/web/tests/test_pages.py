"""The portal home, login and the staff landing pages."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_serves_a_chinese_portal_home_to_anyone(world, client):
    page = client.get("/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="zh-Hans">' in html and "测试市政务服务中心" in html and "进驻部门" in html
    assert "测试市场监管局" in html


def test_it_logs_in_and_sends_staff_to_the_workbench(world, client):
    answer = client.post("/accounts/login/", {"username": "clerk", "password": "Persona-Pass-2026"})
    assert answer.status_code == 302
    follow = client.get(answer["Location"])
    assert follow.status_code == 302 and follow["Location"] == "/staff/"
    page = client.get("/staff/")
    assert "柯萝" in page.content.decode() and "窗口受理人员" in page.content.decode()


def test_it_sends_applicants_to_their_page_with_masked_numbers(world, as_user):
    client = as_user(world.alice)
    assert client.get("/after-login/")["Location"] == "/my/"
    html = client.get("/my/").content.decode()
    assert world.alice_applicant.id_number not in html
    assert world.alice_applicant.id_number[-4:] in html and "139****5678" in html


def test_it_refuses_a_wrong_password_in_chinese(world, client):
    page = client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
    assert page.status_code == 200 and "请输入一个正确的" in page.content.decode()


def test_it_keeps_applicants_out_of_the_workbench(world, as_user):
    page = as_user(world.alice).get("/staff/")
    assert page.status_code == 403 and "auth.forbidden" in page.content.decode()


def test_it_serves_the_api_document_offline(client):
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "https://" not in docs and "http://" not in docs
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/workdays/add" in schema["paths"]
    operation_ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"workdays_add", "accounts_register_applicant"} <= operation_ids


def test_it_shows_citizens_a_missing_item_in_chinese_without_the_machine_code(client):
    page = client.get("/items/NOPE/")
    html = page.content.decode()
    assert page.status_code == 404 and "未找到事项“NOPE”。" in html
    assert "错误代码" not in html and 'data-error-code="catalog.item_not_found"' in html


def test_the_admin_greets_staff_by_their_display_name(client):
    from onewindow.accounts.models import User

    director = User.objects.create_superuser("wangzr", "wang@example.org", "x", display_name="王主任")
    client.force_login(director)
    html = client.get("/admin/").content.decode()
    assert "<strong>王主任</strong>" in html


def test_a_clerk_chooses_the_window_they_stand_at(world, as_user):
    """当前窗口 on the workbench: one of the clerk's own windows (accounts.Staff.at_window, where
    the intake they answer is recorded); another is refused and changes nothing."""
    from onewindow.accounts.models import Staff

    world.clerk.staff.windows.add(world.window_a)
    client = as_user(world.clerk)
    html = client.get("/staff/").content.decode()
    assert 'data-testid="take-window"' in html and "11号窗口" in html
    client.post("/staff/window/", {"window": world.window_a.pk})
    assert Staff.objects.get(user=world.clerk).at_window_id == world.window_a.pk
    other = world.window_1.__class__.objects.create(
        hall=world.other_hall, number="99", name="外中心", kind="comprehensive"
    )
    for bad in (other.pk, "x", ""):
        client.post("/staff/window/", {"window": bad})
        assert Staff.objects.get(user=world.clerk).at_window_id == world.window_a.pk
    assert as_user(world.alice).post("/staff/window/", {"window": world.window_1.pk}).status_code == 403
