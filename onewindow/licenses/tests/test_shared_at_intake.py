"""证照共享 at intake (issue 13, rule 4; decision 14): a shared material is taken from the
applicant's valid license when there is one; when the case page says 「未找到申请人有效的共享证照」
the material is missing — on the one-time notice, and 受理 waits until it is found or handed in."""

import datetime as dt

import pytest
from django.db import connection

from onewindow import clock, fastsql
from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.documents import notices
from onewindow.documents.tests.pdfs import text_of
from onewindow.errors import DomainError
from onewindow.licenses import queries, services
from onewindow.licenses.tests.test_sharing import BUSINESS_LICENSE
from onewindow.payments.tests.fixtures import decided
from onewindow.personas import asked_required, published_item

pytestmark = pytest.mark.django_db
NOV_10 = dt.date(2026, 11, 10)
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: round trips")


def _apply(world, item):
    """Alice at the window hands in what she supplies herself; the 营业执照 is left to sharing."""
    return cases.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                        channel=Channel.WINDOW, by=world.clerk, handed_in=asked_required(item.current))  # fmt: skip


def _business_license(world):
    item = published_item(world, **BUSINESS_LICENSE)
    return services.issue_license(decided(world, item, on=dt.date(2026, 11, 3)), by=world.head_a,
                                  valid_until=dt.date(2027, 11, 2))  # fmt: skip


def _materials(case):
    return [(m.name, m.state, m.note) for m in case.materials.order_by("material__order")]


def test_a_food_permit_for_a_person_without_a_business_license_is_not_accepted(world, free, as_user):
    # given Alice, who holds no business license, applies for a food permit
    with clock.frozen(NOV_10):
        case = _apply(world, free)
        fragment = as_user(world.clerk).get(f"/staff/licenses/cases/{case.number}/shared/").content.decode()
        # then the case page says the license was not found, and the material is missing
        assert "未找到申请人有效的共享证照" in fragment
        assert ("营业执照", "missing", "未找到申请人有效的共享证照") in _materials(case)
        # and 受理 is refused
        with pytest.raises(DomainError) as refused:
            cases.accept(case, by=world.clerk)
        assert refused.value.code == "case.materials_incomplete" and "营业执照" in refused.value.message
        # and the one-time notice lists it
        shared = case.materials.get(name="营业执照").material_id
        cases.request_supplement(case, by=world.clerk, items=[
            {"material": shared, "note": "未找到有效营业执照，请提交营业执照复印件"}])  # fmt: skip
    text = text_of(notices.render(notices.case_for(case.number), "supplement_request"))
    assert "营业执照缺少未找到有效营业执照，请提交营业执照复印件" in text


def test_a_valid_business_license_satisfies_the_material_at_submission(world, free):
    with clock.frozen(NOV_10):
        license = _business_license(world)
        case = _apply(world, free)
        assert ("营业执照", "shared", f"共享证照 {license.number}") in _materials(case)
        accepted = cases.accept(case, by=world.clerk)
    assert accepted.status == "in_review"


def test_a_license_issued_after_the_submission_is_found_at_acceptance(world, free):
    with clock.frozen(NOV_10):
        case = _apply(world, free)
        assert ("营业执照", "missing", "未找到申请人有效的共享证照") in _materials(case)
        license = _business_license(world)
        cases.accept(case, by=world.clerk)
    assert ("营业执照", "shared", f"共享证照 {license.number}") in _materials(case)


def test_a_revoked_license_is_not_found(world, free):
    with clock.frozen(NOV_10):
        license = _business_license(world)
        services.revoke_license(license, by=world.head_a, reason="核查不实")
        case = _apply(world, free)
    assert ("营业执照", "missing", "未找到申请人有效的共享证照") in _materials(case)


def test_the_hot_path_look_up_finds_what_the_orm_finds(world, free):
    # given a valid business license, a revoked one, and one that expired
    item = published_item(world, **BUSINESS_LICENSE)
    issued = []
    for valid_until in (dt.date(2027, 11, 2), dt.date(2027, 11, 2), dt.date(2026, 11, 9)):
        case = decided(world, item, on=dt.date(2026, 11, 3))
        with clock.frozen(dt.date(2026, 11, 3)):
            issued.append(services.issue_license(case, by=world.head_a, valid_until=valid_until))
    valid, revoked, _ = issued
    with clock.frozen(NOV_10):
        services.revoke_license(revoked, by=world.head_a, reason="核查不实")
    shared = [m for m in free.current.materials.all() if m.source == "shared"]
    assert shared
    # then the plain SQL of intake's hot path (a fastsql.Read) and the ORM's query agree, day by day
    for day in (dt.date(2026, 11, 2), NOV_10, dt.date(2027, 11, 2), dt.date(2027, 11, 3)):
        fast = queries.shared_found(world.alice_applicant, shared, day, fast=True)()
        plain = queries.shared_found(world.alice_applicant, shared, day, fast=False)()
        assert fast == plain
    found = queries.shared_found(world.alice_applicant, shared, NOV_10, fast=True)()
    assert found == {shared[0].pk: valid.number}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_look_up_goes_with_the_case_number_round_trip(world, free, settings):
    # given fastsql on and a business license to find (decision 17: submit stays at its round trips)
    settings.ONEWINDOW_FASTSQL = True
    with clock.frozen(NOV_10):
        license = _business_license(world)
        _apply(world, free)  # the day's number sequence exists and is known to this process
        handed = asked_required(free.current)
        with fastsql.round_trips() as trips:
            case = cases.submit(version=free.current, applicant=world.alice_applicant, hall=world.hall,
                                channel=Channel.WINDOW, by=world.clerk, handed_in=handed)  # fmt: skip
    # then the look-up went with BEGIN and the number, the rows with COMMIT: two round trips
    assert trips.count == 2
    assert ("营业执照", "shared", f"共享证照 {license.number}") in _materials(case)
