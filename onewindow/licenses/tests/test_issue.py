"""制证: the license of an approved case — its number, holder, validity; once; only when paid;
only by the case department's reviewer or head."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases.models import CaseEvent, CaseStep
from onewindow.errors import DomainError
from onewindow.licenses import numbers, services
from onewindow.licenses.models import License
from onewindow.payments import services as payments
from onewindow.payments.models import PaymentNotice
from onewindow.payments.tests.fixtures import DECIDED, decided

pytestmark = pytest.mark.django_db
ISSUED = DECIDED + dt.timedelta(days=1)


def _api(as_user, user, path, body=None):
    return as_user(user).post("/api/v1" + path, body or {}, content_type="application/json")


def test_it_issues_the_license_of_an_approved_free_case(world, free, as_user):
    case = decided(world, free)
    with clock.frozen(ISSUED):
        answer = _api(as_user, world.reviewer_a, f"/cases/{case.number}/issue", {"delivery": "post"})
    assert answer.status_code == 200, answer.content
    assert (answer.json()["status"], answer.json()["outcome"]) == (
        "closed",
        "approved",
    )  # the clock stays stopped
    license = License.objects.get(case=case)
    assert numbers.parse(license.number) == license.number
    assert license.number.startswith(f"T-A-{ISSUED.year}-000001")
    assert (license.name, license.holder, license.holder_name) == (
        "食品经营许可证",
        world.alice_applicant,
        "艾丽",
    )
    assert (license.valid_from, license.valid_until) == (
        ISSUED,
        dt.date(2031, 11, 2),
    )  # 5 years, last day included
    event = CaseEvent.objects.get(case=case, action="issue")
    assert (
        event.payload == {"license": license.number, "delivery": "post"} and event.actor == world.reviewer_a
    )
    shown = as_user(world.reviewer_a).get(f"/api/v1/cases/{case.number}/license").json()
    assert (shown["number"], shown["status"], shown["delivery_method"]) == (license.number, "valid", "post")


def test_a_charged_case_is_not_issued_until_paid(world, charged, finance, bank_teller, as_user):
    case = decided(world, charged)
    # given the notice issued at approval, not yet paid
    unpaid = _api(as_user, world.reviewer_a, f"/cases/{case.number}/issue", {"delivery": "pickup"})
    assert (unpaid.status_code, unpaid.json()["code"]) == (409, "payment.unpaid")
    assert not License.objects.exists() and not CaseEvent.objects.filter(case=case, action="issue").exists()
    # when it is checked and paid at the bank window
    notice = PaymentNotice.objects.get(case=case)
    payments.check_notice(notice, by=finance)
    payments.mark_paid(notice, by=bank_teller, bank_ref="W-1")
    # then the license is issued and the item's 制证 step done (送达 still open)
    with clock.frozen(ISSUED):
        license = services.issue_license(case, by=world.reviewer_a, delivery="pickup")
    assert license.name == "居民身份证"
    steps = {s.name: s.done_at for s in CaseStep.objects.filter(case=case, kind="after")}
    assert steps["制证"] is not None and steps["送达"] is None


def test_a_license_is_issued_once(world, free):
    case = decided(world, free)
    services.issue_license(case, by=world.reviewer_a)
    with pytest.raises(DomainError) as again:
        services.issue_license(case, by=world.head_a)
    assert (again.value.status, again.value.code) == (409, "case.already_issued")
    assert License.objects.count() == 1


@pytest.mark.parametrize(
    ("user", "status", "code"),
    [("reviewer_b", 404, "case.not_found"), ("clerk", 403, "case.role"), ("outsider", 404, "case.not_found"),
     ("alice", 403, "case.role")],
)  # fmt: skip
def test_only_the_case_department_issues(world, free, as_user, user, status, code):
    case = decided(world, free)
    answer = _api(as_user, getattr(world, user), f"/cases/{case.number}/issue")
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert not License.objects.exists()


def test_a_denied_case_gets_no_license(world, free):
    case = decided(world, free, approve=False)
    with pytest.raises(DomainError) as refused:
        services.issue_license(case, by=world.head_a)
    assert refused.value.code == "case.not_approved"


def test_bad_delivery_and_validity_are_refused_and_change_nothing(world, free, as_user):
    from onewindow.personas import published_item

    case = decided(world, free)
    path = f"/cases/{case.number}/issue"
    assert _api(as_user, world.head_a, path, {"delivery": "drone"}).json()["code"] == "case.delivery_method"
    past = _api(as_user, world.head_a, path, {"valid_until": "2020-01-01"})
    assert (past.status_code, past.json()["code"]) == (400, "license.valid_until")
    pickup_only = published_item(world, code="T-PICKUP-0001", delivery=["pickup"])
    other = decided(world, pickup_only)
    refused = _api(as_user, world.head_a, f"/cases/{other.number}/issue", {"delivery": "post"})
    assert refused.json()["code"] == "license.post_not_offered"
    assert not License.objects.exists() and not CaseEvent.objects.filter(action="issue").exists()


def test_an_item_without_a_document_gets_no_license(world):
    from onewindow.personas import published_item

    filing = published_item(world, code="T-BA-0001", result_type="none", license_type="")
    case = decided(world, filing)
    with pytest.raises(DomainError) as refused:
        services.issue_license(case, by=world.head_a)
    assert (refused.value.status, refused.value.code) == (409, "license.no_document")


def test_numbers_run_per_department_and_year(world, free):
    first = services.issue_license(decided(world, free), by=world.head_a)
    second = services.issue_license(decided(world, free), by=world.head_a)
    year = clock.today().year
    assert [n.number[:-3] for n in (first, second)] == [f"T-A-{year}-000001", f"T-A-{year}-000002"]
