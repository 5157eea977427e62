"""In headless Chromium: the applicant downloads her license from "my licenses" on a phone and
opens its verification page, which shows 有效 and her masked name only."""

import subprocess

import pytest

from onewindow.licenses import services
from onewindow.payments.tests.fixtures import decided
from onewindow.personas import PASSWORD
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_the_applicant_downloads_her_license_and_verifies_it(world, free, live_server, phone, tmp_path):
    # given Alice's approved food permit, issued by department A
    license = services.issue_license(decided(world, free), by=world.reviewer_a)
    # when she opens "my licenses" on her phone
    log_in(phone, live_server.url, "alice", PASSWORD)
    page = phone.page
    page.goto(live_server.url + "/my/licenses/")
    row = page.locator("[data-testid=license-row]")
    assert row.count() == 1 and license.number in row.inner_text() and "有效" in row.inner_text()
    assert page.evaluate(FITS), "my licenses is wider than the phone"
    phone.screenshot("my-licenses-phone")
    # and downloads the PDF
    with page.expect_download() as download:
        page.click("[data-testid=download]")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True, check=True).stdout
    assert license.number in text
    # then its verification page says it is valid, with her name masked
    page.click("[data-testid=verify-link]")
    page.wait_for_url(f"**/licenses/{license.number}/verify/")
    assert page.inner_text("[data-testid=license-status]") == "有效"
    assert page.inner_text("[data-testid=holder]") == "艾*"
    assert "艾丽" not in page.inner_text("[data-testid=verification]")
    assert page.evaluate(FITS)
    phone.screenshot("license-verify-phone")
    assert phone.errors == []
