"""Issue 15's acceptance story in one run, in headless Chromium, every step through the pages —
no step at a window: Alice applies online with two files and chooses the post; the clerk finds
the application in 网上预审 on a phone, opens both files, marks one 需补正 and gives the one-time
notice; Alice uploads the corrected file; the clerk accepts; the reviewer and the head decide;
finance checks the fee notice; Alice pays through the provider simulator; the department issues
the license and Alice downloads it and verifies it. (The halves are told in more detail by
cases/tests/test_browser_materials.py and payments/tests/test_browser.py.)"""

import subprocess

import pytest

from onewindow.accounts.models import Role
from onewindow.cases.models import Case, MaterialFile, MaterialRead
from onewindow.licenses.models import License
from onewindow.payments.models import PaymentNotice
from onewindow.payments.tests.fixtures import CHARGED
from onewindow.personas import PASSWORD, new_staff, published_item
from onewindow.web.tests.browser import Watched, log_in, sample_pdf, sample_png, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TWO_FILES = {
    **CHARGED,
    "code": "T-SFZ-0003",
    "materials": [
        {"name": "居民身份证申领登记表", "form": "original", "copies": 1, "required": True, "condition": "",
         "key": True, "tolerable": False, "source": "applicant", "shared_by": ""},
        {"name": "居民身份证数字相片", "form": "original", "copies": 1, "required": True, "condition": "",
         "key": False, "tolerable": False, "source": "applicant", "shared_by": ""},
    ],
}  # fmt: skip


def _office(desktop: Watched, base: str, username: str, path: str):
    desktop.page.context.clear_cookies()
    log_in(desktop, base, username, PASSWORD)
    desktop.page.goto(base + path)
    return desktop.page


def test_apply_supplement_decide_pay_and_download_without_a_visit(
    world, live_server, phone, clerk_phone, desktop, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ONEWINDOW_PUBLIC_URL = live_server.url
    settings.ONEWINDOW_PAYMENT_PROVIDER = "simulator"
    settings.ONEWINDOW_BANK_CALLBACK_SECRET = "story-secret"
    published_item(world, **TWO_FILES)
    new_staff("finance", "费雯", Role.FINANCE, world.hall, phone="13800000007")
    base = live_server.url
    form, photo, signed = (tmp_path / n for n in ("登记表.pdf", "相片.png", "登记表-已签字.pdf"))
    form.write_bytes(sample_pdf("居民身份证申领登记表（未签字）"))
    photo.write_bytes(sample_png((240, 320), (200, 220, 240)))
    signed.write_bytes(sample_pdf("居民身份证申领登记表（已签字）"))

    # Alice applies online on her phone with both files, the card to be posted
    log_in(phone, base, "alice", PASSWORD)
    citizen = phone.page
    citizen.goto(base + "/items/T-SFZ-0003/apply/")
    files = citizen.locator("input[type=file]")
    files.nth(0).set_input_files(str(form))
    files.nth(1).set_input_files(str(photo))
    citizen.check("input[name=delivery_method][value=post]")
    citizen.fill("#delivery_recipient", "艾丽")
    citizen.fill("#delivery_phone", "13912345678")
    citizen.fill("#delivery_address", "德州市德城区东风中路1号")
    citizen.click("text=提交申请")
    citizen.wait_for_url("**/my/cases/**")
    number = citizen.url.rstrip("/").rsplit("/", 1)[-1]

    # the clerk finds it in 网上预审 on a phone and opens both files
    log_in(clerk_phone, base, "clerk", PASSWORD)
    clerk = clerk_phone.page
    clerk.goto(base + "/staff/pre-review/")
    clerk.locator("[data-testid=pre-review-row]", has_text=number).locator(f"a:text('{number}')").click()
    clerk.wait_for_url(f"**/staff/cases/{number}/")
    clerk.click("[data-testid=open-material-1]")
    clerk.wait_for_selector("[data-testid=thumbnails] img")
    opened = clerk.request.get(base + clerk.get_attribute("[data-testid=open-file]", "href"))
    assert opened.status == 200 and opened.headers["content-type"] == "application/pdf"
    mark = clerk.locator("[data-testid=form-mark]")
    mark.get_by_role("radio", name="需补正").check()
    mark.locator("[data-testid=mark-note]").fill("登记表未签字，请签字后重新上传")
    mark.locator("button").click()
    clerk.wait_for_url(f"**/staff/cases/{number}/")
    clerk.click("[data-testid=open-material-2]")
    wait_until(clerk, "document.querySelector('[data-testid=image]').complete && document.querySelector('[data-testid=image]').naturalWidth > 0")  # fmt: skip
    mark = clerk.locator("[data-testid=form-mark]")
    mark.get_by_role("radio", name="合格").check()
    mark.locator("button").click()
    clerk.wait_for_url(f"**/staff/cases/{number}/")

    # and gives the one-time notice, prefilled from her marks
    notice = clerk.locator("[data-testid=form-request-supplement]")
    assert (
        notice.get_by_label("居民身份证申领登记表的补正要求").input_value()
        == "登记表未签字，请签字后重新上传"
    )
    notice.locator("button").click()
    clerk.wait_for_load_state("networkidle")
    assert clerk.inner_text("[data-testid=status]") == "待补正"
    clerk_phone.screenshot("story-01-noticed-clerk-phone")

    # Alice reads the notice in 我的办件 and uploads the signed form
    citizen.goto(f"{base}/my/cases/{number}/")
    assert "登记表未签字" in citizen.inner_text("[data-testid=notice]")
    upload = citizen.locator("[data-testid=form-online-supplement]")
    upload.get_by_label("居民身份证申领登记表").set_input_files(str(signed))
    upload.locator("button").click()
    citizen.wait_for_load_state("networkidle")
    assert citizen.inner_text("[data-testid=status]") == "已接件"
    phone.screenshot("story-02-supplemented-phone")

    # back in 网上预审: the clerk accepts
    clerk.goto(base + "/staff/pre-review/")
    clerk.locator("[data-testid=pre-review-row]", has_text=number).locator(f"a:text('{number}')").click()
    clerk.wait_for_url(f"**/staff/cases/{number}/")
    clerk.locator("[data-testid=form-accept] button").click()
    clerk.wait_for_load_state("networkidle")
    assert clerk.inner_text("[data-testid=status]") == "办理中"

    # the reviewer and the head decide
    office = _office(desktop, base, "reviewer_a", f"/staff/cases/{number}/")
    office.fill("[data-testid=form-review] textarea", "户籍信息核对无误")
    office.locator("[data-testid=form-review] button").click()
    office.wait_for_load_state("networkidle")
    office = _office(desktop, base, "head_a", f"/staff/cases/{number}/")
    office.locator("[data-testid=form-decide]").get_by_role("radio", name="准予", exact=True).check()
    office.locator("[data-testid=form-decide] button").click()
    office.wait_for_load_state("networkidle")
    assert office.inner_text("[data-testid=status]") == "已办结"

    # finance checks the fee notice the approval owes (its list issues it, as the worker would)
    office = _office(desktop, base, "finance", "/staff/payments/")
    office.locator("tbody tr", has_text="居民身份证补领").locator("a").first.click()
    office.locator("[data-testid=form-check] button").click()
    office.wait_for_load_state("networkidle")
    assert PaymentNotice.objects.get(case__number=number).state == "checked"

    # Alice pays through the provider simulator
    citizen.goto(f"{base}/my/cases/{number}/")
    citizen.click("[data-testid=go-pay]")
    citizen.wait_for_url("**/my/payments/*/")
    citizen.click("[data-testid=form-pay-online] button")
    citizen.wait_for_url("**/dev/pay/*/")
    assert "模拟支付 · 仅供演示，不产生真实交易" in citizen.inner_text("[data-testid=simulator-label]")
    citizen.click("button[value=paid]")
    citizen.wait_for_url(lambda url: url.endswith("?result=paid"))
    assert citizen.inner_text("[data-testid=state]") == "已缴费"
    phone.screenshot("story-03-paid-phone")

    # the department issues the license, the post she chose preselected
    office = _office(desktop, base, "reviewer_a", f"/staff/licenses/cases/{number}/")
    assert office.locator("select[name=delivery]").input_value() == "post"
    office.click("[data-testid=form-issue] button")
    office.wait_for_selector("[data-testid=license-number]")
    license = License.objects.get(case__number=number)

    # and she downloads it from 我的证照 and verifies it
    citizen.goto(base + "/my/licenses/")
    with citizen.expect_download() as download:
        citizen.click("[data-testid=download]")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True).stdout
    assert license.number in text
    citizen.click("[data-testid=verify-link]")
    citizen.wait_for_url(f"**/licenses/{license.number}/verify/")
    assert citizen.inner_text("[data-testid=license-status]") == "有效"
    phone.screenshot("story-04-license-verified-phone")

    case = Case.objects.get(number=number)
    assert case.channel == "portal" and case.outcome == "approved"
    assert MaterialFile.objects.filter(material__case=case).count() == 1  # the unsigned form kept
    assert MaterialRead.objects.filter(case=case, result="served").count() >= 2
    assert phone.errors == [] and clerk_phone.errors == [] and desktop.errors == []
