"""Trading statistics (trading/stats.py; the Jinan Shizhong table): the demo's savings rate
recomputed by hand from its declared figures; the table on a handmade set (months in the hall's
time zone, kinds apart, only awarded projects); the page and the API, and who is refused."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.personas import new_staff, new_user
from onewindow.trading import stats
from onewindow.trading.models import Project
from onewindow.trading.tests.test_demo import TODAY, seed_all

pytestmark = pytest.mark.django_db
TZ = clock.hall_tz()

# The demo's awarded projects (demo_projects.PLANS): budget and award in yuan, the award being
# the first-ranked bid worked out by hand from the declared bids — price score = weight × lowest
# valid price ÷ price, plus the declared technical points:
DEMO_TENDERS = {
    # 40×17.28/17.65 = 39.16 + 55 = 94.16 beats 40 + 52 = 92 (the lowest price) and 38.61 + 50
    "德州市城区雨污分流改造工程（一期）": (18_600_000, 17_650_000),
    "德州市人民医院彩色多普勒超声诊断仪采购": (6_800_000, 6_350_000),  # lowest price, best points: 92
    "德州市第一中学智慧教室建设项目": (2_400_000, 2_256_000),  # 29.23 + 63 = 92.23 > 30 + 60
    "德城区老旧小区改造配套绿化工程": (3_250_000, 3_080_000),  # 38.83 + 54 = 92.83 > 39.73 + 50 > 40 + 48
    "德州市第一中学办公用品及耗材采购": (480_000, 446_500),  # 询价, price only: the lowest
    "德州市人民医院信息系统运维服务采购": (1_560_000, 1_452_000),  # 28.88 + 60 = 88.88 > 30 + 56
    "德州市第一中学理化生实验室设备采购": (3_600_000, 3_420_000),  # 29.65 + 60 = 89.65 > 30 + 52
}
DEMO_AUCTIONS = {  # the highest price
    "德城区天衢东路北侧15号地块国有建设用地使用权": (56_000_000, 61_500_000),
    "德州宾馆有限公司30%国有股权转让": (8_000_000, 8_960_000),
}


def percent(part: int, whole: int) -> str:
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def test_the_demo_savings_rate_matches_the_hand_computation():
    with clock.frozen(TODAY):
        seed_all()
        table = stats.table(TODAY.year)
    awarded = {p.title: (p.budget_fen, p.award_fen) for p in Project.objects.filter(awarded_at__isnull=False)}
    assert awarded == {t: (b * 100, a * 100) for t, (b, a) in {**DEMO_TENDERS, **DEMO_AUCTIONS}.items()}
    budget = sum(b for b, _ in DEMO_TENDERS.values())  # 36,690,000
    award = sum(a for _, a in DEMO_TENDERS.values())  # 34,654,500
    assert (budget, award) == (36_690_000, 34_654_500)
    tenders = table["tenders"]
    assert (
        tenders["projects"] == 7
        and tenders["budget_fen"] == budget * 100
        and tenders["award_fen"] == award * 100
    )
    assert tenders["saving_fen"] == (budget - award) * 100 == 203_550_000
    assert str(tenders["saving_rate"]) == percent(budget - award, budget) == "5.55"
    reserve = sum(b for b, _ in DEMO_AUCTIONS.values())
    sold = sum(a for _, a in DEMO_AUCTIONS.values())
    auctions = table["auctions"]
    assert auctions["projects"] == 2 and auctions["premium_fen"] == (sold - reserve) * 100
    assert str(auctions["premium_rate"]) == percent(sold - reserve, reserve) == "10.09"
    # The rows add up to the totals, several months, and each kind's subtotal.
    assert sum(r["projects"] for r in table["rows"]) == 9 and len({r["month"] for r in table["rows"]}) >= 5
    kinds = {k["kind"]: k for k in table["kinds"]}
    assert kinds["works"]["budget_fen"] == (18_600_000 + 3_250_000) * 100
    assert str(kinds["works"]["saving_rate"]) == percent(950_000 + 170_000, 21_850_000)


@pytest.fixture
def handmade(announce, trading):
    """Projects announced by the test world, then marked awarded at chosen times (a handmade set:
    the statistics read only kind, method, budget, award and its time)."""

    def make(kind, method, budget_yuan, award_yuan, awarded_at, status=Project.Status.CONTRACTED):
        extra = {"committee_size": 3, "economic_experts": 1} if method in ("inquiry", "negotiation") else {}
        if kind in ("land", "property"):
            extra = {"committee_size": 0, "economic_experts": 0}
        project = announce(kind=kind, method=method, budget_fen=budget_yuan * 100, **extra)
        Project.objects.filter(pk=project.pk).update(status=status, awarded_at=awarded_at,
                                                     award_fen=award_yuan * 100 if award_yuan else None)  # fmt: skip
        return project

    return make


def test_the_table_on_a_handmade_set(handmade):
    at = lambda y, m, d, h=10, mi=0: dt.datetime(y, m, d, h, mi, tzinfo=TZ)  # noqa: E731
    handmade("procurement", "open_tender", 1_000_000, 940_000, at(2026, 3, 2))
    handmade("procurement", "open_tender", 3_000_000, 2_880_000, at(2026, 3, 31, 23, 30))  # 15:30 UTC: March
    handmade("procurement", "inquiry", 200_000, 191_000, at(2026, 3, 20), status=Project.Status.AWARDED)
    handmade("works", "open_tender", 5_000_000, 4_750_000, at(2026, 4, 1, 0, 30))  # still March in UTC: April
    handmade("land", "auction", 10_000_000, 12_500_000, at(2026, 12, 31, 20))
    handmade("works", "open_tender", 7_000_000, 6_000_000, at(2027, 1, 1, 0, 30))  # next year (hall time)
    handmade("works", "open_tender", 9_000_000, None, None, status=Project.Status.PUBLICITY)  # not awarded
    with clock.frozen(at(2027, 2, 1)):
        table = stats.table(2026)
    rows = [(r["month"], r["kind"], r["method"], r["projects"], r["budget_fen"] // 100, r["award_fen"] // 100,
             r["saving_fen"] // 100 if r["saving_fen"] is not None else None,
             str(r["saving_rate"] if r["saving_rate"] is not None else r["premium_rate"])) for r in table["rows"]]  # fmt: skip
    assert rows == [
        ("2026-03", "procurement", "open_tender", 2, 4_000_000, 3_820_000, 180_000, "4.50"),
        ("2026-03", "procurement", "inquiry", 1, 200_000, 191_000, 9_000, "4.50"),
        ("2026-04", "works", "open_tender", 1, 5_000_000, 4_750_000, 250_000, "5.00"),
        ("2026-12", "land", "auction", 1, 10_000_000, 12_500_000, None, "25.00"),
    ]
    # 439,000 saved of 9,200,000: 4.7717… %
    assert table["tenders"]["saving_fen"] == 43_900_000 and str(table["tenders"]["saving_rate"]) == "4.77"
    assert table["tenders"]["premium_fen"] is None and table["auctions"]["saving_fen"] is None
    assert str(table["auctions"]["premium_rate"]) == "25.00"
    assert [k["kind"] for k in table["kinds"]] == ["works", "procurement", "land"]
    assert stats.years() == [2027, 2026]
    with clock.frozen(at(2027, 2, 1)):
        assert stats.table(2027)["tenders"]["projects"] == 1 and stats.table(2025)["rows"] == []


def test_the_page_and_the_api(client, handmade, trading, world):
    handmade("works", "open_tender", 5_000_000, 4_750_000, dt.datetime(2026, 11, 5, 10, tzinfo=TZ))
    supervisor = new_staff("sup_t", "陈静", Role.SUPERVISOR, world.hall)
    citizen = new_user("citizen_t", "张伟")
    with clock.frozen(dt.datetime(2026, 12, 1, 9, tzinfo=TZ)):
        for user in (trading.officer, supervisor):
            client.force_login(user)
            page = client.get("/staff/trading/statistics/?year=2026")
            assert page.status_code == 200 and "5.00%" in page.content.decode()
            answer = client.get("/api/v1/trading/statistics?year=2026").json()
            assert answer["currency"] == "CNY" and answer["tenders"]["saving_rate"] == "5.00"
            assert answer["rows"] == [{"month": "2026-11", "kind": "works", "kind_display": "工程建设招标",
                                       "method": "open_tender", "method_display": "公开招标", "projects": 1,
                                       "budget_fen": 500_000_000, "award_fen": 475_000_000, "saving_fen": 25_000_000,
                                       "saving_rate": "5.00", "premium_fen": None, "premium_rate": None}]  # fmt: skip
        bad = client.get("/api/v1/trading/statistics?year=1999")
        assert bad.status_code == 400 and bad.json()["code"] == "trading.year"
        assert client.get("/staff/trading/statistics/?year=abc").status_code == 400
        client.force_login(citizen)
        refused = client.get("/api/v1/trading/statistics")
        assert refused.status_code == 403 and refused.json()["code"] == "trading.not_statistics_reader"
        assert client.get("/staff/trading/statistics/").status_code == 403
        client.logout()
        assert client.get("/api/v1/trading/statistics").status_code == 401
        assert client.get("/staff/trading/statistics/").status_code == 302
