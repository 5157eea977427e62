"""In headless Chromium, 不见面 to the end (issue 15 item 3): Alice applies online on her phone
for a charged item, choosing the post; once approved and checked she goes 去缴费 → the
provider simulator → 支付成功 → 已缴费; the department issues the license (the post she chose
preselected) and she downloads and verifies it — no step at a window."""

import subprocess

import pytest

from onewindow.cases import services as cases
from onewindow.cases.models import Case
from onewindow.licenses.models import License
from onewindow.payments import services
from onewindow.payments.models import PaymentNotice
from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_an_online_applicant_pays_online_and_downloads_her_license(
    world, charged, finance, bank_secret, settings, live_server, phone, desktop, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.ONEWINDOW_PAYMENT_PROVIDER = "simulator"
    scan = tmp_path / "登记表.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page = phone.page
    # given Alice applies online on her phone, the license to be posted to her
    log_in(phone, live_server.url, "alice", PASSWORD)
    page.goto(live_server.url + "/items/T-SFZ-0002/apply/")
    page.locator("input[type=file]").first.set_input_files(str(scan))
    page.check("input[name=delivery_method][value=post]")
    page.fill("#delivery_recipient", "艾丽")
    page.fill("#delivery_phone", "13912345678")
    page.fill("#delivery_address", "德州市德城区东风中路1号")
    assert page.evaluate(FITS), "the apply page is wider than the phone"
    phone.screenshot("pay-apply-delivery-phone")
    page.click("text=提交申请")
    page.wait_for_url("**/my/cases/**")
    assert "免费邮寄" in page.inner_text("[data-testid=delivery-choice]")
    # and the hall accepts, reviews and approves it; finance checks the notice it owes
    case = Case.objects.get()
    cases.accept(case, by=world.clerk)
    cases.review(case, by=world.reviewer_a, opinion="经审查，符合条件")
    cases.decide(case, by=world.head_a, approve=True)
    services.issue_due_notices(Case.objects.filter(pk=case.pk))
    services.check_notice(PaymentNotice.objects.get(case=case), by=finance)
    # when she opens her case and goes 去缴费
    page.reload()
    page.click("[data-testid=go-pay]")
    page.wait_for_url("**/my/payments/*/")
    assert page.inner_text("[data-testid=state]") == "未缴费" and "40.00 元" in page.inner_text(
        "[data-testid=amount]"
    )
    assert page.evaluate(FITS)
    phone.screenshot("pay-notice-phone")
    page.click("[data-testid=form-pay-online] button")
    # then the provider's page (the simulator) says what it is
    page.wait_for_url("**/dev/pay/*/")
    assert "模拟支付 · 仅供演示，不产生真实交易" in page.inner_text("[data-testid=simulator-label]")
    assert page.evaluate(FITS)
    phone.screenshot("pay-simulator-phone")
    # and 支付成功 brings her back to 已缴费
    page.click("button[value=paid]")
    page.wait_for_url(lambda url: url.endswith("?result=paid"))
    assert page.inner_text("[data-testid=state]") == "已缴费"
    assert PaymentNotice.objects.get(case=case).state == "paid"
    phone.screenshot("pay-paid-phone")
    # when the department issues the license, the post she chose preselected
    log_in(desktop, live_server.url, "reviewer_a", PASSWORD)
    desktop.page.goto(f"{live_server.url}/staff/licenses/cases/{case.number}/")
    assert "139****5678" in desktop.page.inner_text("[data-testid=delivery-choice]")
    assert desktop.page.locator("select[name=delivery]").input_value() == "post"
    desktop.screenshot("pay-license-desk-desktop")
    desktop.page.click("[data-testid=form-issue] button")
    desktop.page.wait_for_selector("[data-testid=license-number]")
    license = License.objects.get(case=case)
    assert license.delivery_method == "post"
    # then she downloads it from 我的证照 and it verifies as valid
    page.goto(live_server.url + "/my/licenses/")
    with page.expect_download() as download:
        page.click("[data-testid=download]")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True).stdout
    assert license.number in text
    page.click("[data-testid=verify-link]")
    page.wait_for_url(f"**/licenses/{license.number}/verify/")
    assert page.inner_text("[data-testid=license-status]") == "有效"
    phone.screenshot("pay-license-verified-phone")
    assert phone.errors == [] and desktop.errors == []
