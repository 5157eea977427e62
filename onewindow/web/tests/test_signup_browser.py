"""A citizen registered at a window claims her record on a phone (issue 15 item 4): she signs up
with her ID number, reads the code sent to her phone on file (here: the demo SMS outbox page,
/dev/sms/, which exists only with DEBUG), and finds her window case in 我的办件."""

import re

import pytest

from onewindow.accounts.models import Applicant
from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.personas import all_required, published_item
from onewindow.web.demo import id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WALK_IN_ID = id_number("37140219700520402")


def _fill(page, number, username):
    page.fill("#id_name", "王秀兰")
    page.fill("#id_id_number", number)
    page.fill("#id_phone", "13911112222")
    page.select_option("#id_region", "371402000000")
    page.fill("#id_username", username)
    page.fill("#id_password", "Wang-xiulan-2026")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_window_citizen_claims_her_record_on_a_phone(world, live_server, phone, desktop, settings):
    settings.DEBUG = True  # the demo SMS outbox page
    applicant = Applicant.objects.create(kind="natural", name="王秀兰", id_number=WALK_IN_ID, phone="13705341234",
                                         region=world.district)  # fmt: skip
    item = published_item(world)
    case = cases.submit(version=item.current, applicant=applicant, hall=world.hall, channel=Channel.WINDOW,
                        by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
    page = phone.page
    page.goto(live_server.url + "/register/")
    _fill(page, WALK_IN_ID, "wangxl")
    assert page.url.endswith("/register/verify/")
    text = page.inner_text("main")
    assert "139****2222" in text and "1234" not in text and "已登记" not in text
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        "wider than the phone"
    )
    phone.screenshot("signup-verify-phone")
    # a wrong code first: refused, with the tries left
    page.fill("#code", "000000")
    page.click("text=完成注册")
    page.wait_for_load_state("networkidle")
    assert "验证码不正确，还可以再试4次" in page.inner_text("[data-testid=verify-error]")
    # the SMS went to the phone on file: read it in the demo outbox (another tab, on the desktop)
    outbox = desktop.page
    outbox.goto(live_server.url + "/dev/sms/")
    sms = outbox.locator("[data-testid=dev-message][data-event=signup_code]").first
    assert sms.locator("[data-testid=dev-phone]").inner_text() == "137****1234"
    code = re.search(r"验证码(\d{6})", sms.locator("[data-testid=dev-text]").inner_text()).group(1)
    desktop.screenshot("signup-dev-outbox-desktop")
    page.fill("#code", code)
    page.click("text=完成注册")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/my/") and "注册成功" in page.inner_text("main")
    page.click("text=我的办件")
    page.wait_for_load_state("networkidle")
    assert case.number in page.inner_text("main")
    phone.screenshot("signup-my-cases-phone")
    # (the wrong code's page answered 400 on purpose; nothing else failed)
    assert [e for e in phone.errors if "status of 400" not in e] == [] and desktop.errors == []
