"""Agencies in headless Chromium: on a 390 px phone a company's portal account applies (with a
qualification and a practitioner); on a desktop hall management admits it on the admission
page; the public directory on a phone then lists it beside the graded agencies, D apart in the
黑名单. Screenshots in /tmp/shots/mk-agencies-*.png."""

from pathlib import Path

import pytest

from onewindow.market.models import Agency
from onewindow.market.tests.conftest import credit_code
from onewindow.personas import PASSWORD, new_user
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
SHOTS = Path("/tmp/shots")


def shot(watched, name):
    watched.screenshot(f"mk-agencies-{name}")
    SHOTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(SHOTS / f"mk-agencies-{name}.png"), full_page=True)


def test_an_agency_applies_on_a_phone_and_is_admitted_and_listed(world, market, new_agency, live_server, phone,
                                                                 desktop):  # fmt: skip
    for n, grade, name in (
        (1, "A", "德州远景测绘有限公司"),
        (2, "C", "德州环评咨询有限公司"),
        (3, "D", "德州失信测量有限公司"),
    ):
        agency = new_agency(n, grade=grade)
        agency.name, agency.fee_commitment = name, "按收费标准下浮20%"
        agency.save()
    new_user("tongxin", "德州同信测绘有限公司")
    base = live_server.url

    log_in(phone, base, "tongxin", PASSWORD)
    page = phone.page
    page.goto(base + "/my/market/agency/")
    page.fill("#f-name", "德州同信测绘有限公司")
    page.fill("#f-credit_code", credit_code(501))
    page.fill("#f-legal_representative", "赵立新")
    page.fill("#f-contact", "孙悦")
    page.fill("#f-phone", "0534-2681234")
    page.fill("#f-fee_commitment", "按收费标准下浮25%")
    page.select_option("select[name=q-0-service_type]", "CH")
    page.fill("input[name=q-0-certificate_no]", "乙测资字37500123")
    page.fill("input[name=q-0-level]", "乙级")
    page.fill("input[name=q-0-valid_from]", "2026-01-01")
    page.fill("input[name=q-0-valid_until]", "2028-12-31")
    page.fill("input[name=s-0-name]", "孙悦")
    page.fill("input[name=s-0-title]", "注册测绘师")
    assert page.evaluate(FITS), "the application form is wider than the phone"
    shot(phone, "apply-phone")
    page.click("[data-testid=apply-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("[data-testid=agency-status]") == "待审核"
    assert page.evaluate(FITS), "the workbench is wider than the phone"
    shot(phone, "applied-phone")
    agency = Agency.objects.get(credit_code=credit_code(501))

    log_in(desktop, base, "hall_admin", PASSWORD)
    staff = desktop.page
    staff.goto(base + "/staff/market/agencies/")
    card = f"[data-testid=pending-{agency.ref}]"
    assert "乙测资字37500123" in staff.inner_text(card)
    staff.fill(f"{card} [data-testid=form-admit] input[name=note]", "资质、人员材料齐全")
    shot(desktop, "admission-desktop")
    staff.click(f"{card} [data-testid=form-admit] button")
    staff.wait_for_load_state("networkidle")
    assert staff.locator("[data-testid=no-pending]").count() == 1
    shot(desktop, "admitted-desktop")
    agency.refresh_from_db()
    assert agency.status == Agency.Status.ADMITTED

    page.goto(base + "/market/agencies/")
    listed = page.inner_text("[data-testid=directory]")
    assert "德州同信测绘有限公司" in listed and "德州远景测绘有限公司" in listed and "警示名单" in listed
    assert "德州失信测量有限公司" not in listed
    assert "德州失信测量有限公司" in page.inner_text("[data-testid=blacklist]")
    assert page.evaluate(FITS), "the directory is wider than the phone"
    shot(phone, "directory-phone")
    page.click("[data-testid=directory] >> text=德州同信测绘有限公司")
    page.wait_for_load_state("networkidle")
    assert "乙测资字37500123" in page.inner_text("[data-testid=qualifications]")
    assert page.evaluate(FITS), "the agency page is wider than the phone"
    shot(phone, "detail-phone")
    page.goto(base + "/my/market/agency/")
    assert page.inner_text("[data-testid=agency-status]") == "已入驻"
    shot(phone, "workbench-admitted-phone")
    assert phone.errors == [] and desktop.errors == []
