"""Issue 19 acceptance: a blacklisted agency cannot register; a B-or-better rule refuses a C
agency on a government-invested purchase; an offer above the cap is refused — every refusal a
stable code, a Chinese message and nothing written. Posting keeps the budget inside the legal cap
after fee relief; the draw's seed is secret and only its commitment published."""

import datetime as dt

import pytest

from onewindow import clock, draws
from onewindow.errors import DomainError
from onewindow.market import services
from onewindow.market.audit import chain_broken_at
from onewindow.market.models import FeeRelief, OwnerType, Purchase, Registration
from onewindow.market.tests.conftest import DEADLINE, MONDAY

pytestmark = pytest.mark.django_db


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def test_a_posted_purchase_publishes_the_commitment_of_a_secret_seed(market, post):
    purchase = post()
    assert purchase.number.startswith("ZJ2026") and purchase.status == Purchase.Status.POSTED
    assert purchase.seed_commitment == draws.commitment(purchase.seed) and purchase.seed not in str(
        list(purchase.events.values_list("payload", flat=True))
    )
    assert purchase.events.get().payload["seed_commitment"] == purchase.seed_commitment
    assert chain_broken_at(purchase) is None


def test_the_budget_stays_inside_the_cap_after_relief(market, post):
    # 工程测绘: cap 50,000 元; a small or micro enterprise pays at most 50 % (25,000 元).
    error = refused(lambda: post(owner_type=OwnerType.SMALL_MICRO, budget_fen=2_600_000))
    assert error.code == "market.budget_above_cap" and "25,000.00元" in error.message
    assert post(owner_type=OwnerType.SMALL_MICRO, budget_fen=2_500_000).budget_fen == 2_500_000
    # A relief of its own for this service type wins over the owner type's default.
    FeeRelief.objects.create(owner_type=OwnerType.SMALL_MICRO, service_type=market.survey, max_percent=40)
    assert services.fee_cap(market.survey, OwnerType.SMALL_MICRO) == 2_000_000
    assert services.fee_cap(market.assessment, OwnerType.SMALL_MICRO) == 5_000_000
    assert services.fee_cap(market.survey, OwnerType.OTHER) == 5_000_000
    assert refused(lambda: post(time_limit_days=21)).code == "market.time_limit_above_cap"
    assert (
        refused(lambda: post(registration_deadline=MONDAY + dt.timedelta(hours=2))).code
        == "market.deadline_too_soon"
    )
    assert refused(lambda: post(by=market.owner, title="")).code == "market.required"
    assert refused(lambda: post(title="测绘\x00项目")).code == "market.control_character"
    assert refused(lambda: post(title="测" * 101)).code == "market.too_long"
    assert post(scope="第一行\n第二行\t（表格）").scope == "第一行\n第二行\t（表格）"
    assert Purchase.objects.count() == 2


def test_only_a_legal_persons_account_posts(world, market, post):
    assert refused(lambda: post(by=world.alice)).code == "market.not_owner"
    assert refused(lambda: post(by=world.clerk)).code == "market.not_owner"
    assert not Purchase.objects.exists()


def test_an_offer_above_a_cap_is_refused_and_writes_nothing(market, post, new_agency, register):
    purchase, agency = post(budget_fen=3_000_000, time_limit_days=15), new_agency(1)
    error = refused(lambda: register(purchase, agency, offer_fen=3_000_001))
    assert error.code == "market.offer_above_cap" and "30,000.00元" in error.message
    assert refused(lambda: register(purchase, agency, offer_days=16)).code == "market.offer_above_time_cap"
    assert not Registration.objects.exists()
    purchase.refresh_from_db()
    assert purchase.event_count == 1
    assert register(purchase, agency, offer_fen=3_000_000, offer_days=15).offer_fen == 3_000_000


def test_grades_and_qualifications_decide_who_registers(market, post, new_agency, register):
    plain, public = post(), post(government_invested=True, owner_type=OwnerType.GOVERNMENT)
    black, warned, good, new = (
        new_agency(1, grade="D"),
        new_agency(2, grade="C"),
        new_agency(3, grade="B"),
        new_agency(4),
    )
    assert refused(lambda: register(plain, black)).code == "market.blacklisted"
    assert refused(lambda: register(public, black)).code == "market.blacklisted"
    error = refused(lambda: register(public, warned))
    assert error.code == "market.grade_too_low" and "B级及以上" in error.message and error.status == 403
    assert register(plain, warned).grade_then == "C"  # C: a warning, not a bar on others' purchases
    assert register(public, good).grade_then == "B"
    assert register(public, new).grade_then == ""  # not graded yet: counts as B
    unqualified = new_agency(5, types=("HP",))
    assert refused(lambda: register(plain, unqualified)).code == "market.not_qualified"
    expired = new_agency(6)
    expired.qualifications.update(valid_until=dt.date(2026, 10, 31))
    assert refused(lambda: register(plain, expired)).code == "market.not_qualified"
    exited = new_agency(7, status="exited")
    assert refused(lambda: register(plain, exited)).code == "market.agency_not_admitted"
    assert set(Registration.objects.values_list("agency__grade", flat=True)) == {"C", "B", ""}


def test_once_per_agency_until_the_deadline_and_a_withdrawal_may_come_back(
    market, post, new_agency, register
):
    purchase, agency = post(), new_agency(1)
    first = register(purchase, agency)
    assert refused(lambda: register(purchase, agency)).code == "market.registered_once"
    with clock.frozen(MONDAY):
        services.withdraw(first, by=agency.user)
    again = register(purchase, agency, offer_fen=2_000_000)
    assert (again.pk, again.offer_fen, again.withdrawn_at) == (first.pk, 2_000_000, None)
    late = new_agency(2)
    assert refused(lambda: register(purchase, late, at=DEADLINE)).code == "market.registration_closed"
    assert register(purchase, late, at=DEADLINE - dt.timedelta(microseconds=1)).agency == late
    with clock.frozen(DEADLINE):
        assert refused(lambda: services.withdraw(again, by=agency.user)).code == "market.registration_closed"
    assert (
        refused(lambda: register(purchase, new_agency(3), at=DEADLINE)).code == "market.registration_closed"
    )
    purchase.refresh_from_db()
    actions = list(purchase.events.values_list("action", flat=True))
    assert actions == ["post", "register", "withdraw", "register", "register"]
    assert chain_broken_at(purchase) is None
