"""The license pages: the applicant's list and PDF (only their own; its QR code opens the
verification page), and the staff desk — issue, deliver, revoke — refused outside its scope."""

import datetime as dt
import subprocess

import pytest
import zxingcpp
from PIL import Image

from onewindow.accounts.models import Applicant
from onewindow.licenses import services
from onewindow.licenses.models import Delivery, License
from onewindow.payments.models import PaymentNotice
from onewindow.payments.tests.fixtures import decided
from onewindow.personas import new_user
from onewindow.web.demo import id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def license(world, free):
    return services.issue_license(decided(world, free), by=world.reviewer_a)


@pytest.fixture
def bob(world):
    bob = new_user("bob", "鲍勃")
    Applicant.objects.create(kind="natural", name="鲍勃", id_number=id_number("37140219800101002"),
                             region=world.district, user=bob)  # fmt: skip
    return bob


def test_the_applicant_lists_their_licenses_and_pending_fees(world, license, charged, as_user):
    decided(world, charged)
    page = as_user(world.alice).get("/my/licenses/")
    html = page.content.decode()
    assert page.status_code == 200 and license.number in html and "有效" in html
    assert f"/my/licenses/{license.number}.pdf" in html and "待缴费" in html and "40.00" in html


def test_the_pdf_carries_the_number_and_a_qr_code_to_the_verification_page(
    world, license, as_user, tmp_path, settings
):
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn"
    answer = as_user(world.alice).get(f"/my/licenses/{license.number}.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert license.number in answer["Content-Disposition"]
    pdf = tmp_path / "license.pdf"
    pdf.write_bytes(answer.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert license.number in text and "食品经营许可证" in text and "艾丽" in text and "测试市场监管局" in text
    assert world.alice_applicant.id_number not in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(tmp_path / "page")], check=True
    )
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [c.text for c in codes] == [f"https://zwfw.example.gov.cn/licenses/{license.number}/verify/"]


def test_other_applicants_and_staff_cannot_download_it(world, license, bob, as_user):
    for user in (bob, world.reviewer_a, world.outsider):
        assert as_user(user).get(f"/my/licenses/{license.number}.pdf").status_code == 404
    assert license.number not in as_user(bob).get("/my/licenses/").content.decode()
    assert as_user(None).get(f"/my/licenses/{license.number}.pdf").status_code == 302  # to the login


def test_the_department_issues_and_the_window_delivers_from_the_desk(world, free, as_user):
    case = decided(world, free)
    desk = as_user(world.reviewer_a).get("/staff/licenses/").content.decode()
    assert case.number in desk and "待制证" in desk
    page = as_user(world.reviewer_a).get(f"/staff/licenses/cases/{case.number}/")
    assert 'data-testid="form-issue"' in page.content.decode()
    issued = as_user(world.reviewer_a).post(f"/staff/licenses/cases/{case.number}/issue/",
                                            {"delivery": "pickup", "valid_until": "2031-01-01"})  # fmt: skip
    assert issued.status_code == 302
    assert License.objects.get(case=case).valid_until == dt.date(2031, 1, 1)
    # the clerk of the 出件 window hands it over (no issue form for the clerk)
    clerk_page = as_user(world.clerk).get(f"/staff/licenses/cases/{case.number}/").content.decode()
    assert 'data-testid="form-issue"' not in clerk_page and 'data-testid="form-deliver-pickup"' in clerk_page
    unsigned = as_user(world.clerk).post(
        f"/staff/licenses/cases/{case.number}/deliver/", {"method": "pickup"}
    )
    assert unsigned.status_code == 400 and "签收人" in unsigned.content.decode()
    done = as_user(world.clerk).post(f"/staff/licenses/cases/{case.number}/deliver/",
                                     {"method": "pickup", "signed_by": "艾丽", "id_checked": "on"})  # fmt: skip
    assert done.status_code == 302 and Delivery.objects.get(case=case).id_checked is True


def test_an_unpaid_case_shows_why_it_cannot_be_issued(world, charged, as_user):
    case = decided(world, charged)
    page = as_user(world.reviewer_a).post(
        f"/staff/licenses/cases/{case.number}/issue/", {"delivery": "pickup"}
    )
    assert page.status_code == 409 and "尚未缴款" in page.content.decode()
    assert PaymentNotice.objects.get(case=case).number in page.content.decode()


def test_another_department_gets_404_on_the_case_desk(world, free, as_user):
    case = decided(world, free)
    assert as_user(world.reviewer_b).get(f"/staff/licenses/cases/{case.number}/").status_code == 404
    assert (
        as_user(world.reviewer_b).post(f"/staff/licenses/cases/{case.number}/issue/", {}).status_code == 404
    )
    assert not License.objects.exists()


def test_the_head_revokes_with_a_reason_the_reviewer_cannot(world, license, as_user):
    assert (
        as_user(world.reviewer_a)
        .post(f"/staff/licenses/{license.number}/revoke/", {"reason": "x"})
        .status_code
        == 403
    )
    empty = as_user(world.head_a).post(f"/staff/licenses/{license.number}/revoke/", {"reason": ""})
    assert empty.status_code == 400
    done = as_user(world.head_a).post(
        f"/staff/licenses/{license.number}/revoke/", {"reason": "核查发现承诺不实"}
    )
    assert done.status_code == 302
    page = as_user(world.head_a).get(f"/staff/licenses/{license.number}/").content.decode()
    assert "已撤销" in page and "核查发现承诺不实" in page and 'data-testid="form-revoke"' not in page
    again = as_user(world.head_a).post(f"/api/v1/licenses/{license.number}/revoke", {"reason": "再次"},
                                       content_type="application/json")  # fmt: skip
    assert (again.status_code, again.json()["code"]) == (409, "license.already_revoked")


def test_the_holder_and_the_department_read_the_license_others_do_not(world, license, bob, as_user):
    assert as_user(world.alice).get(f"/api/v1/licenses/{license.number}").json()["holder_name"] == "艾丽"
    assert as_user(world.head_a).get(f"/api/v1/licenses/{license.number}").json()["status"] == "valid"
    for user in (bob, world.reviewer_b, world.outsider):
        assert as_user(user).get(f"/api/v1/licenses/{license.number}").status_code == 404


def test_the_fee_pages_follow_the_notice_through_its_states(world, charged, finance, bank_teller, as_user):
    case = decided(world, charged)
    number = PaymentNotice.objects.get(case=case).number
    todo = as_user(finance).get("/staff/payments/?state=issued").content.decode()
    assert number in todo
    assert as_user(finance).post(f"/staff/payments/{number}/check/").status_code == 302
    teller_page = as_user(bank_teller).get(f"/staff/payments/{number}/").content.decode()
    assert 'data-testid="form-pay"' in teller_page and 'data-testid="form-check"' not in teller_page
    assert as_user(bank_teller).post(f"/staff/payments/{number}/pay/", {"bank_ref": ""}).status_code == 400
    assert as_user(bank_teller).post(f"/staff/payments/{number}/pay/", {"bank_ref": "W-9"}).status_code == 302
    assert PaymentNotice.objects.get(number=number).state == "paid"
    assert as_user(world.reviewer_b).get(f"/staff/payments/{number}/").status_code == 404


def test_hall_management_sees_late_deliveries_on_the_desk_finance_does_not_see_the_desk(
    world, free, finance, as_user
):
    from onewindow import clock

    case = decided(world, free)
    with clock.frozen(dt.date(2026, 11, 30)):
        page = as_user(world.supervisor).get("/staff/licenses/")
    html = page.content.decode()
    assert page.status_code == 200 and "逾期送达" in html and case.number in html
    assert 'data-testid="to-issue"' not in html  # issuing is the department's
    assert as_user(finance).get("/staff/licenses/").status_code == 403
    assert as_user(world.alice).get("/staff/licenses/").status_code == 403
