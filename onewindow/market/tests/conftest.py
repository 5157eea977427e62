"""The market's test world: three service types with their caps, small and micro enterprises
paying at most 50 %, an owner (a legal person with a portal account) and admitted agencies with
qualifications; every step at a fixed Monday unless a test moves the clock."""

import datetime as dt
from dataclasses import dataclass

import pytest

from onewindow import clock
from onewindow.accounts.identity import credit_code_check_char
from onewindow.accounts.models import Applicant
from onewindow.market import services
from onewindow.market.models import Agency, FeeRelief, OwnerType, Qualification, ServiceType
from onewindow.personas import new_user

# Monday 2026-11-02 10:00 in the hall's time zone; registrations close Friday 11-06 17:00.
MONDAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=clock.hall_tz())
DEADLINE = dt.datetime(2026, 11, 6, 17, 0, tzinfo=clock.hall_tz())


def credit_code(n: int) -> str:
    """A well-formed unified social credit code (GB 32100), distinct for each n."""
    first17 = f"91371400MA{n:07d}"
    return first17 + credit_code_check_char(first17)


@dataclass
class Market:
    survey: ServiceType
    assessment: ServiceType
    lightning: ServiceType
    owner: object  # the owner's portal user (a legal person)
    owner_applicant: Applicant


@pytest.fixture
def market(world) -> Market:
    survey = ServiceType.objects.create(code="CH", name="工程测绘", fee_cap_fen=5_000_000, time_cap_days=20,
                                        fee_basis="鲁价费发〔2016〕1号")  # fmt: skip
    assessment = ServiceType.objects.create(
        code="HP", name="环境影响评价", fee_cap_fen=10_000_000, time_cap_days=30
    )
    lightning = ServiceType.objects.create(code="FL", name="防雷检测", fee_cap_fen=800_000, time_cap_days=10)
    FeeRelief.objects.create(owner_type=OwnerType.SMALL_MICRO, max_percent=50, note="小微企业减半")
    user = new_user("owner", "德州宏达机械有限公司")
    applicant = Applicant.objects.create(kind=Applicant.Kind.LEGAL, name="德州宏达机械有限公司",
                                         credit_code=credit_code(1), legal_representative="王宏",
                                         phone="13905340101", region=world.hall.region, user=user)  # fmt: skip
    return Market(survey, assessment, lightning, user, applicant)


@pytest.fixture
def new_agency(world, market):
    """new_agency(n, grade="", types=("CH",)) → an admitted agency qualified for those types."""

    def make(n: int, *, grade: str = "", types=("CH",), status=Agency.Status.ADMITTED) -> Agency:
        user = new_user(f"agency{n}", f"中介机构{n}")
        agency = Agency.objects.create(
            ref=f"AG{n:06d}", name=f"德州第{n}测绘有限公司", credit_code=credit_code(1000 + n), legal_representative="李明",
            phone=f"1390534{n:04d}", region=world.hall.region, user=user, status=status, applied_at=MONDAY,
            decided_at=MONDAY, grade=grade, grade_year=2025 if grade else None,
        )  # fmt: skip
        for code in types:
            Qualification.objects.create(agency=agency, service_type=ServiceType.objects.get(code=code),
                                         certificate_no=f"ZS-{code}-{n}", valid_from=dt.date(2026, 1, 1),
                                         valid_until=dt.date(2027, 12, 31))  # fmt: skip
        return agency

    return make


@pytest.fixture
def post(market):
    """post(**overrides) → a purchase posted on MONDAY by the owner."""

    def make(at=MONDAY, **kw) -> object:
        fields = {"by": market.owner, "owner_type": OwnerType.OTHER, "title": "厂房扩建项目地形测绘",
                  "service_type": market.survey, "scope": "1:500 地形图测绘，约 20 公顷。", "budget_fen": 3_000_000,
                  "time_limit_days": 15, "method": "random", "registration_deadline": DEADLINE}  # fmt: skip
        fields.update(kw)
        with clock.frozen(at):
            return services.post(**fields)

    return make


@pytest.fixture
def register():
    """register(purchase, agency, offer_fen=…, offer_days=…, at=…) as the agency's account."""

    def make(purchase, agency, *, offer_fen=2_500_000, offer_days=10, at=MONDAY, note=""):
        with clock.frozen(at):
            return services.register(
                purchase, by=agency.user, offer_fen=offer_fen, offer_days=offer_days, note=note
            )

    return make
