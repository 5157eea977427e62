"""Issue 13's acceptance, in Chromium: a citizen applies online without uploading a required
material — the clerk sees it missing, and the one-time notice lists it (with the shared 营业执照
that 证照共享 did not find: Alice holds no license)."""

import pytest

from onewindow.documents.tests.pdfs import text_of
from onewindow.personas import PASSWORD, published_item
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTICE = "[data-testid=form-request-supplement]"


def _apply_with_one_file(phone, base_url, scan) -> str:
    """Alice uploads the application form only: 食品安全管理制度 (required) is left out."""
    log_in(phone, base_url, "alice", PASSWORD)
    page = phone.page
    page.goto(base_url + "/items/T-SPJY-0001/")
    page.click("[data-testid=apply]")
    page.locator("input[type=file]").first.set_input_files(str(scan))
    phone.screenshot("missing-apply-phone")
    page.click("text=提交申请")
    page.wait_for_url("**/my/cases/**")
    assert page.inner_text("[data-testid=status]") == "已接件"
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _row(page, name: str) -> str:
    return page.locator("[data-testid=materials] tr", has_text=name).inner_text()


def test_a_material_not_uploaded_is_missing_and_the_one_time_notice_lists_it(
    world, live_server, phone, desktop, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    settings.ONEWINDOW_PUBLIC_URL = live_server.url
    published_item(world)
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    # given Alice's online application with one file of the two she supplies
    number = _apply_with_one_file(phone, live_server.url, scan)
    # when the clerk opens the case
    log_in(desktop, live_server.url, "clerk", PASSWORD)
    page = desktop.page
    page.goto(f"{live_server.url}/staff/cases/{number}/")
    page.wait_for_selector("[data-testid=shared]")  # the 证照共享 fragment (htmx)
    # then the material not uploaded is missing, and so is the 营业执照 sharing did not find
    assert "已收" in _row(page, "食品经营许可申请书")
    assert "缺少" in _row(page, "食品安全管理制度")
    assert "缺少" in _row(page, "营业执照") and "未找到申请人有效的共享证照" in _row(page, "营业执照")
    assert "未找到申请人有效的共享证照" in page.inner_text("[data-testid=shared]")
    desktop.screenshot("missing-case-clerk-desktop")
    # and 受理 is not offered: the service would refuse it (issue 14, allowed_actions)
    assert page.locator("[data-testid=form-accept]").count() == 0
    # and a notice leaving out the missing 管理制度 is refused, naming it
    form = page.locator(NOTICE)
    form.locator("label", has_text="营业执照").locator("input[type=checkbox]").check()
    form.locator("label", has_text="食品安全管理制度").locator("input[type=checkbox]").uncheck()
    form.get_by_label("营业执照的补正要求").fill("未找到有效营业执照，请提交营业执照复印件")
    form.locator("button").click()
    assert "食品安全管理制度" in page.inner_text("[data-testid=action-error]")
    assert page.inner_text("[data-testid=status]") == "已接件"
    desktop.screenshot("missing-notice-refused-desktop")
    # (the refusal answered 400, as it should: Chromium logs that status)
    assert [e for e in desktop.errors if "status of 409" not in e and "status of 400" not in e] == []
    desktop.errors.clear()
    # when the clerk lists every missing material at once
    form = page.locator(NOTICE)
    form.locator("label", has_text="食品安全管理制度").locator("input[type=checkbox]").check()
    form.get_by_label("营业执照的补正要求").fill("未找到有效营业执照，请提交营业执照复印件")
    form.get_by_label("食品安全管理制度的补正要求").fill("请上传加盖公章的食品安全管理制度")
    form.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert page.inner_text("[data-testid=status]") == "待补正"
    desktop.screenshot("missing-notice-issued-desktop")
    # then the printed one-time notice lists both, each with what to do
    answers = []

    def keep(route):
        answer = route.fetch()
        answers.append(answer.body())
        route.fulfill(response=answer)

    page.context.route("**/notices/*.pdf", keep)
    with page.context.expect_page() as popup:
        page.click("[data-testid=print-supplement_request]")
    popup.value.wait_for_load_state()
    text = text_of(answers[0])
    assert number in text and "一次性告知书" in text
    assert "食品安全管理制度缺少请上传加盖公章的食品安全管理制度" in text
    assert "营业执照缺少未找到有效营业执照，请提交营业执照复印件" in text
    assert "食品经营许可申请书" not in text  # received: not asked again
    # and Alice reads the same on her own case
    phone.page.goto(f"{live_server.url}/my/cases/{number}/")
    told = phone.page.inner_text("[data-testid=notice]")
    assert "食品安全管理制度" in told and "营业执照" in told
    phone.screenshot("missing-my-case-phone")
    assert desktop.errors == [] and phone.errors == []
