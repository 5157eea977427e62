"""Every operation runs concurrently with itself: two issues of one case make one license; two
deliveries make one delivery (threads with their own connections; PostgreSQL shows the races)."""

import pytest

from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.licenses import services
from onewindow.licenses.models import Delivery, License
from onewindow.payments.tests.fixtures import decided

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_issues_of_one_case_at_once_make_one_license(world, free):
    case = decided(world, free)
    results = run_together(
        lambda: services.issue_license(case, by=world.reviewer_a),
        lambda: services.issue_license(case, by=world.head_a, delivery="post"),
    )
    licenses = [r for r in results if isinstance(r, License)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(licenses) == 1 and len(refused) == 1, results
    assert (refused[0].status, refused[0].code) == (409, "case.already_issued")
    assert License.objects.filter(case=case).count() == 1
    assert case.events.filter(action="issue").count() == 1


def test_issues_of_different_cases_at_once_get_different_numbers(world, free):
    cases = [decided(world, free) for _ in range(4)]
    results = run_together(*[lambda c=c: services.issue_license(c, by=world.reviewer_a) for c in cases])
    assert all(isinstance(r, License) for r in results), results
    assert len({r.number for r in results}) == 4


def test_two_deliveries_at_once_make_one(world, free):
    case = decided(world, free)
    services.issue_license(case, by=world.reviewer_a)
    results = run_together(
        lambda: services.deliver_license(case, by=world.clerk, method="pickup", signed_by="艾丽"),
        lambda: services.deliver_license(
            case,
            by=world.reviewer_a,
            method="post",
            courier="EMS",
            tracking_number="1190000000001",
            address="德州市德城区",
        ),  # fmt: skip
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Delivery"], results
    assert Delivery.objects.filter(case=case).count() == 1
