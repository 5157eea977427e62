"""证照共享: a department takes a holder's valid license instead of asking for a copy — the
catalog's "shared by a department" materials are satisfied from here; lookups are audited."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import PersonalDataRead
from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.licenses import queries, services
from onewindow.payments.tests.fixtures import decided
from onewindow.personas import asked_required, published_item
from onewindow.web.demo import id_number

pytestmark = pytest.mark.django_db

BUSINESS_LICENSE = {"code": "T-QYDJ-0001", "name": "个体工商户设立登记", "license_type": "营业执照（个体工商户）",
                    "materials": [], "steps": [{"name": "审核", "role": "reviewer", "days": 1},
                                               {"name": "核准发照", "role": "department_head", "days": 0}]}  # fmt: skip


@pytest.fixture
def business_license(world):
    """Alice's 营业执照 from department A, issued 2026-11-03 and valid a year."""
    item = published_item(world, **BUSINESS_LICENSE)
    with clock.frozen(dt.date(2026, 11, 3)):
        return services.issue_license(decided(world, item), by=world.head_a, valid_until=dt.date(2027, 11, 2))


def test_valid_licenses_of_a_holder_leave_out_revoked_and_expired(world, business_license, free):
    with clock.frozen(dt.date(2026, 11, 4)):  # a fixed day after the business license: any date runs
        other = services.issue_license(
            decided(world, free), by=world.head_a, valid_until=dt.date(2026, 12, 31)
        )
    assert list(queries.valid_licenses_of(world.alice_applicant, today=dt.date(2026, 12, 1))) == [
        other, business_license]  # fmt: skip
    assert list(queries.valid_licenses_of(world.alice_applicant, today=dt.date(2027, 1, 1))) == [
        business_license
    ]
    assert list(
        queries.valid_licenses_of(world.alice_applicant, item=other.item, today=dt.date(2026, 12, 1))
    ) == [other]
    services.revoke_license(business_license, by=world.head_a, reason="核查不实")
    assert list(queries.valid_licenses_of(world.alice_applicant, today=dt.date(2027, 1, 1))) == []


def test_the_food_permit_takes_the_business_license_instead_of_a_copy(world, business_license, free):
    # given a food permit application whose 营业执照 is shared by department A
    with clock.frozen(dt.date(2026, 11, 10)):
        case = cases.submit(version=free.current, applicant=world.alice_applicant, hall=world.hall,
                            channel=Channel.WINDOW, by=world.clerk, handed_in=asked_required(free.current))  # fmt: skip
        shared = queries.shared_materials(case)
    # then the material is satisfied by Alice's valid license
    assert [(s["material"].name, s["license"]) for s in shared] == [("营业执照", business_license)]
    # and not once the license is revoked
    services.revoke_license(business_license, by=world.head_a, reason="核查不实")
    assert [s["license"] for s in queries.shared_materials(case, today=dt.date(2026, 11, 10))] == [None]


def test_staff_look_up_a_holder_by_id_number_and_the_lookup_is_audited(world, business_license, as_user):
    # department A issued Alice's license, so its reviewer may look her up (test_lookup_need.py)
    answer = as_user(world.reviewer_a).post("/api/v1/licenses/lookup", {"identifier": world.alice_applicant.id_number},
                                            content_type="application/json")  # fmt: skip
    assert answer.status_code == 200
    with clock.frozen(dt.date(2026, 11, 10)):
        answer = as_user(world.clerk).post("/api/v1/licenses/lookup", {"identifier": world.alice_applicant.id_number},
                                           content_type="application/json").json()  # fmt: skip
    assert answer["holder_name"] == "艾丽"
    assert [lic["number"] for lic in answer["licenses"]] == [business_license.number]
    reads = PersonalDataRead.objects.filter(applicant=world.alice_applicant, fields="licenses")
    assert {r.user for r in reads} == {
        world.reviewer_a,
        world.clerk,
    } and reads.first().purpose == "证照共享查询"


@pytest.mark.parametrize(
    ("identifier", "status", "code"),
    [("371402198501011231", 400, "accounts.id_number_check"),  # Alice's with a wrong check digit
     (id_number("37140219900101004"), 404, "license.holder_not_found"), ("hello", 400, "accounts.credit_code_length")],
)  # fmt: skip
def test_a_wrong_or_unknown_number_is_refused_and_nothing_is_audited(
    world, as_user, identifier, status, code
):
    answer = as_user(world.clerk).post("/api/v1/licenses/lookup", {"identifier": identifier},
                                       content_type="application/json")  # fmt: skip
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert not PersonalDataRead.objects.exists()


@pytest.mark.parametrize("user", ["alice", "outsider", "supervisor"])
def test_only_intake_and_review_staff_look_up_holders(world, as_user, user):
    answer = as_user(getattr(world, user)).post("/api/v1/licenses/lookup", {"identifier": world.alice_applicant.id_number},
                                                content_type="application/json")  # fmt: skip
    assert answer.status_code == 403 and not PersonalDataRead.objects.exists()


def test_the_lookup_page_shows_the_holders_valid_licenses(world, business_license, as_user):
    with clock.frozen(dt.date(2026, 11, 10)):
        page = as_user(world.reviewer_a).post(
            "/staff/licenses/lookup/", {"identifier": world.alice_applicant.id_number}
        )
    assert page.status_code == 200 and business_license.number in page.content.decode()
    assert world.alice_applicant.id_number not in page.content.decode()


def test_the_case_page_fragment_names_the_license_that_satisfies_the_material(
    world, business_license, free, as_user
):
    with clock.frozen(dt.date(2026, 11, 10)):
        case = cases.submit(version=free.current, applicant=world.alice_applicant, hall=world.hall,
                            channel=Channel.WINDOW, by=world.clerk, handed_in=asked_required(free.current))  # fmt: skip
        fragment = as_user(world.reviewer_a).get(f"/staff/licenses/cases/{case.number}/shared/")
        hidden = as_user(world.reviewer_b).get(f"/staff/licenses/cases/{case.number}/shared/")
    assert fragment.status_code == 200 and business_license.number in fragment.content.decode()
    assert hidden.status_code == 404
