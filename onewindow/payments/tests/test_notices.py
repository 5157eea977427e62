"""A charged case's fee: the notice its approval owes (issued by payments' own sweep, the
periodic job and every page showing fees — decision 20), checked by finance, paid at the bank
window, deposited; who may do what; cancellation and a new notice."""

import pytest

from onewindow import clock
from onewindow.cases.models import Case, Outcome
from onewindow.errors import DomainError
from onewindow.ops import periodic
from onewindow.payments import services
from onewindow.payments.models import PaymentNotice
from onewindow.payments.tests.fixtures import DECIDED, decided

pytestmark = pytest.mark.django_db


def test_the_sweep_issues_the_notice_an_approved_charged_case_owes_once(world, charged, settings):
    # given the city's collection account
    settings.ONEWINDOW_PAYEE_ACCOUNT = "6222000011112222"
    # when department A's head approves a 40-yuan case: the approval itself writes no notice
    case = decided(world, charged, swept=False)
    assert not PaymentNotice.objects.filter(case=case).exists()
    # then the periodic job's sweep issues one, and a second run issues nothing
    with clock.frozen(DECIDED):
        assert services.issue_due_notices() == 1
        assert services.issue_due_notices() == 0
    # issued in the name of the head who approved it, for 4000 fen, payable to that account
    notice = PaymentNotice.objects.get(case=case)
    assert (notice.amount_fen, notice.state, notice.issued_by) == (4000, "issued", world.head_a)
    assert notice.payee_account == "6222000011112222" and "居民身份证法" in notice.basis
    assert notice.number.startswith("3714002026") and len(notice.number) == 18 and notice.number.isdigit()
    assert notice.amount_yuan == "40.00"


def test_a_free_item_gets_no_notice_and_none_can_be_issued(world, free):
    case = decided(world, free)
    assert not PaymentNotice.objects.filter(case=case).exists()
    with pytest.raises(DomainError) as refused:
        services.issue_notice(case, by=world.head_a)
    assert (refused.value.status, refused.value.code) == (409, "payment.item_free")


def test_finance_checks_the_bank_window_collects_and_deposits(world, charged, finance, bank_teller, api):
    number = PaymentNotice.objects.get(case=decided(world, charged)).number
    path = f"/payments/notices/{number}"
    # the bank cannot take money for a notice finance has not checked
    refused = api(bank_teller).post(path + "/pay", {"bank_ref": "ICBC-0001"})
    assert (refused.status_code, refused.json()["code"]) == (409, "payment.invalid_transition")
    # a teller does not check, finance does
    assert api(bank_teller).post(path + "/check").json()["code"] == "auth.forbidden"
    assert api(finance).post(path + "/check").json()["state"] == "checked"
    # finance does not collect money, the bank window does
    assert api(finance).post(path + "/pay", {"bank_ref": "ICBC-0001"}).status_code == 403
    paid = api(bank_teller).post(path + "/pay", {"bank_ref": "ICBC-0001"}).json()
    assert (paid["state"], paid["paid_via"], paid["amount_fen"], paid["currency"]) == (
        "paid",
        "window",
        4000,
        "CNY",
    )
    assert api(finance).post(path + "/deposit").json()["state"] == "deposited"
    notice = PaymentNotice.objects.get(number=number)
    assert (notice.checked_by, notice.paid_by, notice.deposited_by) == (finance, bank_teller, finance)


def test_a_bank_reference_pays_one_notice_only(world, charged, finance, bank_teller, api):
    first, second = (PaymentNotice.objects.get(case=decided(world, charged)) for _ in range(2))
    for notice in (first, second):
        services.check_notice(notice, by=finance)
    services.mark_paid(first, by=bank_teller, bank_ref="ICBC-0001")
    answer = api(bank_teller).post(f"/payments/notices/{second.number}/pay", {"bank_ref": "ICBC-0001"})
    assert (answer.status_code, answer.json()["code"]) == (409, "payment.bank_ref_used")
    second.refresh_from_db()
    assert second.state == "checked"


def test_the_department_cancels_before_payment_and_issues_again(world, charged, finance, bank_teller, api):
    case = decided(world, charged)
    notice = PaymentNotice.objects.get(case=case)
    # a second live notice for the same case is refused
    again = api(world.reviewer_a).post("/payments/notices", {"case": case.number})
    assert (again.status_code, again.json()["code"]) == (409, "payment.notice_exists")
    assert (
        api(world.head_a).post(f"/payments/notices/{notice.number}/cancel", {"reason": ""}).status_code == 400
    )
    cancelled = api(world.head_a).post(f"/payments/notices/{notice.number}/cancel", {"reason": "金额有误"})
    assert cancelled.json()["state"] == "cancelled"
    fresh = api(world.reviewer_a).post("/payments/notices", {"case": case.number})
    assert fresh.status_code == 201 and fresh.json()["number"] != notice.number
    # once paid, a notice cannot be cancelled
    paid = PaymentNotice.objects.get(number=fresh.json()["number"])
    services.check_notice(paid, by=finance)
    services.mark_paid(paid, by=bank_teller, bank_ref="ICBC-0002")
    late = api(world.head_a).post(f"/payments/notices/{paid.number}/cancel", {"reason": "申请人要求"})
    assert (late.status_code, late.json()["code"]) == (409, "payment.invalid_transition")


def test_another_department_and_other_applicants_see_nothing(world, charged, head_b, as_user, api):
    from onewindow.accounts.models import Applicant
    from onewindow.personas import new_user
    from onewindow.web.demo import id_number

    case = decided(world, charged)
    number = PaymentNotice.objects.get(case=case).number
    assert api(world.reviewer_b).get(f"/payments/notices/{number}").status_code == 404
    assert api(head_b).post(f"/payments/notices/{number}/cancel", {"reason": "越权"}).status_code == 404
    assert api(head_b).post("/payments/notices", {"case": case.number}).status_code == 404
    # the applicant sees their own notice; another applicant does not
    assert api(world.alice).get(f"/payments/notices/{number}").json()["amount_fen"] == 4000
    bob = new_user("bob", "鲍勃")
    Applicant.objects.create(kind="natural", name="鲍勃", id_number=id_number("37140219800101002"),
                             region=world.district, user=bob)  # fmt: skip
    assert api(bob).get(f"/payments/notices/{number}").status_code == 404
    assert as_user(bob).get(f"/staff/payments/{number}/").status_code == 403


def test_a_denied_case_gets_no_notice(world, charged):
    case = decided(world, charged, approve=False)
    assert case.outcome == Outcome.DENIED and not PaymentNotice.objects.filter(case=case).exists()
    with pytest.raises(DomainError) as refused:
        services.issue_notice(case, by=world.head_a)
    assert refused.value.code == "payment.case_not_approved"


def test_the_worker_issues_it_and_a_page_showing_the_fee_issues_it_at_once(world, charged, free, as_user):
    # the periodic job list carries the sweep
    case = decided(world, charged, swept=False)
    with clock.frozen(DECIDED):
        assert periodic.run_jobs()["fee_notices"] == 1
    assert PaymentNotice.objects.filter(case=case).count() == 1
    # the applicant's "my licenses" page lists the fee owed by an approval the job has not swept yet
    other = decided(world, charged, swept=False)
    page = as_user(world.alice).get("/my/licenses/").content.decode()
    assert PaymentNotice.objects.get(case=other).number in page
    # nothing for a free item, a denied case, or one already billed
    decided(world, free, swept=False)
    decided(world, charged, approve=False, swept=False)
    assert services.issue_due_notices(Case.objects.all()) == 0


def test_a_cancelled_notice_is_not_replaced_by_the_sweep(world, charged):
    """After a cancellation the department issues the next notice itself (a wrong amount is
    corrected by a person, not re-issued unchanged by the job)."""
    case = decided(world, charged)
    services.cancel_notice(PaymentNotice.objects.get(case=case), by=world.head_a, reason="金额有误")
    assert services.issue_due_notices(Case.objects.filter(pk=case.pk)) == 0
    assert list(PaymentNotice.objects.filter(case=case).values_list("state", flat=True)) == ["cancelled"]
