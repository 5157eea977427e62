"""证照共享 lookups only for a department's own need (issue 14 item 4; decision 18): a reviewer
cannot turn any ID number into a name and licenses. Department staff may look a holder up only
while their department has an unfinished case of the holder or once it issued the holder a
license; intake staff (who find any applicant at the window) may always; each lookup is logged
(PersonalDataRead), a refused one answers like an unknown number and logs nothing."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import PersonalDataRead
from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.licenses import services
from onewindow.payments.tests.fixtures import decided
from onewindow.personas import asked_required, published_item

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 10)


@pytest.fixture
def alices_license(world):
    """Alice holds a license of department A (issued 2026-11-03, valid a year)."""
    item = published_item(world, code="T-QYDJ-0001", name="个体工商户设立登记", materials=[])
    with clock.frozen(dt.date(2026, 11, 3)):
        return services.issue_license(decided(world, item), by=world.head_a, valid_until=dt.date(2027, 11, 2))


def _look_up(as_user, user, number):
    with clock.frozen(DAY):
        return as_user(user).post(
            "/api/v1/licenses/lookup", {"identifier": number}, content_type="application/json"
        )


def _reads(user):
    return PersonalDataRead.objects.filter(user=user, fields="licenses").count()


def test_a_reviewer_of_another_department_learns_nothing_until_a_case_of_the_holder_reaches_it(
    world, alices_license, as_user
):
    alice = world.alice_applicant
    # given Alice's license from department A and nothing of hers at department B
    refused = _look_up(as_user, world.reviewer_b, alice.id_number)
    # then department B's reviewer gets the unknown-number answer: no name, no licenses, no log
    assert refused.status_code == 404 and refused.json()["code"] == "license.holder_not_found"
    assert "艾丽" not in refused.content.decode() and _reads(world.reviewer_b) == 0
    # while the issuing department and the window may, and each lookup is logged
    for user in (world.reviewer_a, world.head_a, world.clerk):
        answer = _look_up(as_user, user, alice.id_number)
        assert answer.status_code == 200 and answer.json()["holder_name"] == "艾丽", user
        assert _reads(user) == 1, user
    # when Alice hands in a case for an item of department B
    item_b = published_item(world, code="T-B-0001", department=world.dept_b.code)
    with clock.frozen(DAY):
        case = cases.submit(version=item_b.current, applicant=alice, hall=world.hall, channel=Channel.WINDOW,
                            by=world.clerk, handed_in=asked_required(item_b.current))  # fmt: skip
    # then department B needs her licenses (证照共享 for its review): the lookup answers, logged
    answer = _look_up(as_user, world.reviewer_b, alice.id_number)
    assert answer.status_code == 200
    assert [lic["number"] for lic in answer.json()["licenses"]] == [alices_license.number]
    assert _reads(world.reviewer_b) == 1
    # and once that case is finished without a license from B, the need is gone again
    with clock.frozen(DAY):
        cases.withdraw(case, by=world.clerk, reason="申请人撤回")
    assert _look_up(as_user, world.reviewer_b, alice.id_number).status_code == 404
    assert _reads(world.reviewer_b) == 1


def test_the_lookup_page_refuses_the_same_way(world, alices_license, as_user):
    with clock.frozen(DAY):
        page = as_user(world.reviewer_b).post(
            "/staff/licenses/lookup/", {"identifier": world.alice_applicant.id_number}
        )
    body = page.content.decode()
    assert page.status_code == 404 and "未找到该证件号码的持证人" in body and "艾丽" not in body
    assert not PersonalDataRead.objects.filter(user=world.reviewer_b).exists()
