"""At the window, in Chromium: the clerk accepts a walk-in case and prints its acceptance notice
from the case page; the PDF that comes back is the notice of that case."""

import pytest

from onewindow.catalog import search
from onewindow.documents.tests.pdfs import qr_codes_of, text_of
from onewindow.personas import PASSWORD, published_item
from onewindow.web.demo import id_number
from onewindow.web.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fresh_search():
    """The guided-search index is per process: this test's catalog in, nothing left behind."""
    search.invalidate()
    yield
    search.invalidate()


def test_the_clerk_accepts_a_walk_in_and_prints_the_acceptance_notice(world, fresh_search, live_server, desktop,
                                                                       settings):  # fmt: skip
    settings.ONEWINDOW_PUBLIC_URL = live_server.url
    published_item(world)
    page = desktop.page
    # given a walk-in registered at the workbench, with every material handed in
    log_in(desktop, live_server.url, "clerk", PASSWORD)
    page.click("header >> text=办件受理")
    page.click("[data-testid=register] summary")
    page.fill("#id_name", "李四")
    page.fill("#id_id_number", id_number("37140219900307001"))
    page.fill("#id_phone", "13700004321")
    page.select_option("#id_region", "371402000000")
    page.click("text=登记申请人")
    page.fill("input[name=q]", "开饭店")
    page.click("#item-hits >> text=食品经营许可（新办）")
    for box in page.locator("input[name=handed_in]").all():
        box.check()
    page.click("text=接件，生成办件")
    page.wait_for_url("**/staff/cases/**")
    assert page.locator("[data-testid=notices]").count() == 0  # no written answer yet
    # when the clerk accepts it
    page.click("[data-testid=form-accept] button")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("[data-testid=status]") == "办理中"
    number = page.inner_text("[data-testid=number]")
    desktop.screenshot("notice-links-desktop")
    # and prints the acceptance notice (Chromium's PDF viewer shows it; the route keeps a copy
    # of the server's answer on its way to the viewer)
    answers = []

    def keep(route):
        answer = route.fetch()
        answers.append((route.request.url, answer.status, answer.headers, answer.body()))
        route.fulfill(response=answer)

    page.context.route("**/notices/*.pdf", keep)
    with page.context.expect_page() as popup:
        page.click("[data-testid=print-acceptance]")
    popup.value.wait_for_load_state()
    # then the PDF of this case came back, inline so that it can be printed at once
    [(url, status, headers, pdf)] = answers
    assert url == f"{live_server.url}/staff/cases/{number}/notices/acceptance.pdf"
    assert status == 200
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("inline;")
    text = text_of(pdf)
    assert number in text and "受理通知书" in text and "食品经营许可（新办）" in text and "李四" in text
    [qr] = qr_codes_of(pdf)
    assert qr == f"{live_server.url}/progress/?number={number}"
    # and the QR code, scanned, opens the progress form with the case number filled in
    page.goto(qr)
    assert page.input_value("#number") == number
    assert desktop.errors == []


def test_the_applicant_finds_the_notices_on_their_case_on_a_phone(world, live_server, phone):
    import datetime as dt

    from onewindow import clock
    from onewindow.cases import services

    # given Alice's case, accepted tolerantly: an acceptance notice and a promise to sign
    version = published_item(world).current
    by_no = {m.order: m.pk for m in version.materials.all()}
    with clock.frozen(dt.date(2026, 9, 30)):
        case = services.submit(version=version, applicant=world.alice_applicant, hall=world.hall, channel="window",
                               by=world.clerk, handed_in=[by_no[1], by_no[2]])  # fmt: skip
        services.accept_tolerantly(case, by=world.clerk, supply_by=dt.date(2026, 10, 10))
    # when she opens it on her phone
    log_in(phone, live_server.url, "alice", PASSWORD)
    page = phone.page
    page.goto(f"{live_server.url}/my/cases/{case.number}/")
    # then both notices are offered for download from her own case, and the page fits the phone
    links = page.locator("[data-testid=notices] a")
    assert links.all_inner_texts() == ["下载受理通知书", "下载容缺受理承诺书"]
    assert page.get_attribute("[data-testid=download-tolerance_promise]", "href") == (
        f"/my/cases/{case.number}/notices/tolerance_promise.pdf"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.screenshot("my-case-notices-phone")
    assert phone.errors == []
