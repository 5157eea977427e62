"""The trading's test world: the trading center's officer, an owner (a legal person with a portal
account), the supervising department (world.dept_a), bidders with credit codes and an expert pool;
a project announced on a Monday whose bids open three weeks later. `at(when)` moves the clock."""

import contextlib
import datetime as dt
from dataclasses import dataclass

import pytest

from onewindow import clock
from onewindow.accounts.identity import credit_code_check_char
from onewindow.accounts.models import Applicant, Role
from onewindow.personas import new_staff, new_user
from onewindow.trading import bids, committee, services
from onewindow.trading.models import Bidder, Expert

TZ = clock.hall_tz()
# Monday 2026-11-02 09:00; clarifications until Friday 11-13 17:00; the bids open Monday 11-23
# 09:30 (15 working days after the announcement: the shortest period of a tender).
MONDAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
CLARIFY = dt.datetime(2026, 11, 13, 17, 0, tzinfo=TZ)
OPENING = dt.datetime(2026, 11, 23, 9, 30, tzinfo=TZ)
BEFORE = OPENING - dt.timedelta(days=2)
SPECIALTY = "房屋建筑"


def credit_code(n: int) -> str:
    """A well-formed unified social credit code (GB 32100), distinct for each n."""
    first17 = f"91371400MB{n:07d}"
    return first17 + credit_code_check_char(first17)


@dataclass
class Trading:
    officer: object
    owner: object  # the owner's portal user
    owner_applicant: Applicant
    supervisor: object  # the supervising department


@pytest.fixture
def at():
    """at(datetime) → freezes the clock there until the test ends (later calls move it on)."""
    with contextlib.ExitStack() as stack:
        yield lambda when: stack.enter_context(clock.frozen(when))


@pytest.fixture
def trading(world) -> Trading:
    officer = new_staff("trading_officer", "交易中心刘敏", Role.TRADING_OFFICER, world.hall)
    user = new_user("owner_t", "德州市第一中学")
    owner = Applicant.objects.create(kind=Applicant.Kind.LEGAL, name="德州市第一中学", credit_code=credit_code(1),
                                     legal_representative="王校长", phone="13905340001", region=world.hall.region,
                                     user=user)  # fmt: skip
    return Trading(officer, user, owner, world.dept_a)


@pytest.fixture
def new_bidder(world):
    """new_bidder(n) → a registered bidder (its account: bidder<n>)."""

    def make(n: int) -> Bidder:
        user = new_user(f"bidder{n}", f"投标人{n}")
        return Bidder.objects.create(ref=f"TB{n:06d}", name=f"德州第{n}建设有限公司", credit_code=credit_code(100 + n),
                                     legal_representative="张三", phone=f"1390534{n:04d}", region=world.hall.region,
                                     user=user, registered_at=MONDAY)  # fmt: skip

    return make


@pytest.fixture
def pool(world):
    """pool(technical, economic, specialty=SPECIALTY, start=1) → that many experts with accounts."""

    def make(
        technical: int = 8, economic: int = 4, specialty: str = SPECIALTY, start: int = 1
    ) -> list[Expert]:
        made = []
        for i in range(start, start + technical + economic):
            category = Expert.Category.TECHNICAL if i < start + technical else Expert.Category.ECONOMIC
            user = new_user(f"expert{i}", f"专家{i}")
            made.append(Expert.objects.create(
                number=f"EX{i:05d}", name=f"专家{i}", user=user, phone=f"1380000{i:04d}", category=category,
                specialty=specialty if category == Expert.Category.TECHNICAL else "工程造价",
                employer=f"德州第{i}设计院", employer_credit_code=credit_code(5000 + i), region=world.hall.region,
            ))  # fmt: skip
        return made

    return make


@pytest.fixture
def announce(trading, at):
    """announce(**overrides) → a government procurement, open tender, announced on MONDAY."""

    def make(**kw):
        at(kw.pop("when", MONDAY))
        fields = {"by": trading.officer, "owner": trading.owner_applicant, "kind": "procurement",
                  "method": "open_tender", "title": "教学楼改造工程", "budget_fen": 200_000_000,
                  "supervisor": trading.supervisor, "description": "教学楼外墙及屋面改造。",
                  "documents": "资格条件：具备建筑工程施工总承包三级以上资质。", "clarification_until": CLARIFY,
                  "opening_at": OPENING, "price_weight": 30, "committee_size": 5, "economic_experts": 1,
                  "specialty": SPECIALTY, "reserves": 2}  # fmt: skip
        fields.update(kw)
        return services.announce(**fields)

    return make


@pytest.fixture
def bid(at):
    """bid(project, bidder, price_fen, days=90, proposal=…) → (Bid, bytes), submitted BEFORE the opening."""

    def make(project, bidder, price_fen, days=90, proposal="施工组织设计：分三段流水施工。", when=BEFORE):
        at(when)
        return bids.submit(project, by=bidder.user, price_fen=price_fen, days=days, proposal=proposal)

    return make


@pytest.fixture
def opened(announce, new_bidder, bid, pool, at, trading):
    """opened(prices=(…)) → a project with those bids, opened at OPENING, and a drawn pool ready."""

    def make(prices=(180_000_000, 170_000_000, 190_000_000), **kw):
        project = announce(**kw)
        for n, price in enumerate(prices, start=1):
            bid(project, new_bidder(n), price)
        at(OPENING)
        return bids.open_bids(project, by=trading.officer)

    return make


@pytest.fixture
def evaluating(opened, pool, at, trading):
    """evaluating() → an opened project whose committee was drawn, confirmed and started."""

    def make(**kw):
        pool()
        project = opened(**kw)
        committee.draw(project, by=trading.officer)
        for seat in committee.members(project):
            committee.answer(project, by=seat.expert.user, accept=True)
        return committee.start_evaluation(project, by=trading.officer)

    return make
