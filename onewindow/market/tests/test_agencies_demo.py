"""The market's demo (market.demo through seed_demo): service types with their caps, fee relief
(50 % by default, 40/60 % by type), agencies applied and admitted through the steps (chains
whole), graded A–D with a published year, one waiting for review; the `agency` and `owner` logins;
a second run adds nothing."""

import pytest

from onewindow import clock
from onewindow.accounts.identity import credit_code_error
from onewindow.accounts.models import Applicant, User
from onewindow.market import demo, services
from onewindow.market.audit import chain_broken_at
from onewindow.market.models import Agency, FeeRelief, OwnerType, ServiceType, YearGrade
from onewindow.web import demo as web_demo

pytestmark = pytest.mark.django_db


def test_the_market_demo():
    web_demo.seed()
    assert demo.seed() == len(demo.AGENCIES)
    assert demo.seed() == 0  # idempotent
    assert ServiceType.objects.count() == 8 and FeeRelief.objects.count() == 3
    survey, lightning = ServiceType.objects.get(code="CH"), ServiceType.objects.get(code="FL")
    assert services.fee_cap(survey, OwnerType.SMALL_MICRO) == 3_000_000  # 60 % of 50,000 yuan
    assert services.fee_cap(lightning, OwnerType.SMALL_MICRO) == 320_000  # 40 % of 8,000 yuan
    assert (
        services.fee_cap(ServiceType.objects.get(code="HP"), OwnerType.SMALL_MICRO) == 5_000_000
    )  # the default 50 %
    agencies = {a.user.username: a for a in Agency.objects.select_related("user")}
    assert len(agencies) == 13
    assert all(
        credit_code_error(a.credit_code) is None and chain_broken_at(a) is None for a in agencies.values()
    )
    assert agencies["agency_new"].status == Agency.Status.APPLIED
    grades = sorted(a.grade for a in agencies.values() if a.status == Agency.Status.ADMITTED)
    assert grades == ["", "A", "A", "A", "A", "B", "B", "B", "B", "B", "C", "D"]
    assert YearGrade.objects.filter(status="published").count() == 11
    mine = agencies["agency"]
    assert mine.grade == "A" and mine.qualifications.get().service_type == survey
    assert list(mine.events.order_by("seq").values_list("action", flat=True)) == ["apply", "admit", "grade"]
    agency_login = User.objects.get(username="agency")
    assert agency_login.check_password(web_demo.DEMO_PASSWORD) and services.agency_of(agency_login) == mine
    owner = User.objects.get(username="owner")
    assert owner.check_password(web_demo.DEMO_PASSWORD)
    applicant = services.owner_of(owner)
    assert applicant is not None and applicant.kind == Applicant.Kind.LEGAL
    assert credit_code_error(applicant.credit_code) is None
    assert ("agency", demo.LOGIN_ROLES[0][1]) in web_demo.LOGIN_ROLES and "owner" in dict(
        web_demo.LOGIN_ROLES
    )
    # The blacklisted one may not register; the expired lightning qualification no longer counts.
    d = agencies["agency_d"]
    assert d.grade == "D"
    expired = agencies["agency_ch2"].qualifications.get(service_type=lightning)
    assert expired.valid_until < clock.today()
