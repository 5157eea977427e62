"""The weekly category report (issue 18 acceptance: "The weekly category report flags a category
seeded to rise in generated data"): nine weeks of generated orders, one category rising in the
last week, one steady, one small; only the rising one is flagged, per category and per
department. And the rule's floor, the monthly period, the page and its Excel export."""

import datetime as dt
import io
import random

import pytest
from openpyxl import load_workbook

from onewindow.accounts.models import Role
from onewindow.hotline import report
from onewindow.hotline.models import Category, OrderStatus, WorkOrder
from onewindow.hotline.tests.helpers import move, received
from onewindow.personas import new_staff

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 11, 23)  # the report's week: Mon 23 – Sun 29 November 2026


@pytest.fixture
def tree(world):
    top = Category.objects.create(code="01", name="城乡建设")
    return {
        "heating": Category.objects.create(code="0102", name="供暖", parent=top, department=world.dept_b),
        "property": Category.objects.create(
            code="0101", name="物业管理", parent=top, department=world.dept_b
        ),
        "wages": Category.objects.create(code="0401", name="拖欠工资", department=world.dept_a),
        "noise": Category.objects.create(code="0801", name="噪声污染"),
    }


def generate(world, tree, seed=18):
    """Nine weeks: heating ~3 a week for 8 weeks then 12 (rising); property ~10 every week
    (steady, 13 in the last: busier but under 2×); wages 1 a week then 4 (doubled, but under the
    floor of 5); noise only in the baseline. Days within each week drawn at random. Each order is
    dispatched to its category's department (set directly: the flow is another module's)."""
    rng = random.Random(seed)
    weekly = {"heating": [3, 2, 4, 3, 3, 2, 3, 4, 12], "property": [10, 9, 11, 10, 10, 12, 9, 10, 13],
              "wages": [1] * 8 + [4], "noise": [2] * 8 + [0]}  # fmt: skip
    for key, counts in weekly.items():
        for w, count in enumerate(counts):
            start = MONDAY - dt.timedelta(weeks=8 - w)
            for _ in range(count):
                (order,) = received(world, tree[key], start + dt.timedelta(days=rng.randint(0, 6)),
                                    phone=f"139{rng.randint(0, 99999999):08d}")  # fmt: skip
                if tree[key].department_id:
                    move(order, lead_department_id=tree[key].department_id, status=OrderStatus.DISPATCHED)
    return weekly


def test_the_category_seeded_to_rise_is_flagged_and_the_steady_one_is_not(world, tree):
    weekly = generate(world, tree)
    # A merged duplicate of the last week is not counted (the order kept counts once).
    (dup,) = received(world, tree["property"], MONDAY + dt.timedelta(days=2))
    move(dup, status=OrderStatus.MERGED)

    data = report.category_report(report.week(MONDAY + dt.timedelta(days=3)))  # any day of the week
    assert (data.period.start, data.period.end) == (MONDAY, MONDAY + dt.timedelta(days=6))
    lines = {x.code: x for x in data.categories}
    heating, steady, wages = lines["0102"], lines["0101"], lines["0401"]
    assert heating.count == 12 and heating.before == sum(weekly["heating"][:8])
    assert heating.rising
    assert steady.count == 13 and steady.before == sum(weekly["property"][:8]) == 81
    assert not steady.rising  # 13 < 2 × 10.125
    assert wages.count == 4 and not wages.rising  # 4 ≥ 2 × 1, but under the floor of 5
    assert lines["0801"].count == 0 and not lines["0801"].rising  # only in the baseline
    assert [x.code for x in data.rising] == ["0102"] and data.categories[0].code == "0102"
    assert data.total == 12 + 13 + 4
    assert heating.name == "城乡建设 › 供暖"
    # Per department: the housing bureau's heating is rising, its property management is not.
    by_dept = {(x.department, x.code): x for x in data.departments}
    assert by_dept[("测试住建局", "0102")].rising and not by_dept[("测试住建局", "0101")].rising
    assert ("测试市场监管局", "0401") in by_dept and not by_dept[("测试市场监管局", "0401")].rising
    # The week before: nothing rises.
    assert report.category_report(report.week(MONDAY - dt.timedelta(days=1))).rising == []


def test_a_department_scope_counts_only_its_orders(world, tree):
    generate(world, tree)
    data = report.category_report(report.week(MONDAY), department_id=world.dept_a.pk)
    assert [(x.code, x.count) for x in data.categories] == [("0401", 4)]
    assert WorkOrder.objects.filter(received_on__gte=MONDAY, lead_department=world.dept_a).count() == 4


@pytest.mark.parametrize("count, before, rising", [
    (5, 0, True), (4, 0, False), (10, 40, True), (9, 40, False), (5, 20, True), (6, 25, False), (25, 100, True),
])  # fmt: skip
def test_the_rising_rule(count, before, rising):
    """count ≥ 5 and count ≥ 2 × before / 8 (6 vs an average of 3.125: not rising, though a
    rounded 3.1 would say so)."""
    assert report.is_rising(count, before, 8) is rising


def test_the_month_and_the_period_parameters():
    period = report.period_of(None, "2026-03", MONDAY)
    assert (period.start, period.end, period.baseline_start, period.baseline_n) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
        dt.date(2025, 9, 1),
        6,
    )
    assert report.period_of("2026-11-26", None, MONDAY).start == MONDAY
    assert report.period_of(None, None, dt.date(2026, 11, 29)).start == MONDAY  # a Sunday: its week
    from onewindow.errors import DomainError

    with pytest.raises(DomainError) as bad:
        report.period_of("2026-13-01", None, MONDAY)
    assert bad.value.code == "hotline.invalid_period"


def test_the_page_and_its_export(client, world, tree):
    generate(world, tree)
    operator = new_staff("operator", "吴倩", Role.HOTLINE_OPERATOR, world.hall)
    client.force_login(operator)
    page = client.get("/staff/hotline/report/", {"week": MONDAY.isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        'data-testid="rising"' in html
        and "城乡建设 › 供暖" in html.split('data-testid="rising"')[1].split("</ul>")[0]
    )
    exported = client.get("/staff/hotline/report.xlsx", {"week": MONDAY.isoformat()})
    assert exported.status_code == 200
    book = load_workbook(io.BytesIO(exported.content))
    rows = list(book["分类统计"].iter_rows(values_only=True))
    assert rows[0][:3] == ("分类编码", "分类", "本期件数")
    assert ("0102", "城乡建设 › 供暖", 12) == rows[1][:3] and rows[1][5] == "是"
    assert {r[0] for r in rows[1:]} == {"0102", "0101", "0401", "0801"}
    assert book["办理指标"].max_row >= 2
    assert client.get("/staff/hotline/report/", {"week": "bad"}).status_code == 400
    # The month of November against the 6 months before (only part of October has orders): rising.
    monthly = client.get("/staff/hotline/report/", {"month": "2026-11"}).content.decode()
    assert (
        "2026年11月" in monthly
        and "城乡建设 › 供暖" in monthly.split('data-testid="rising"')[1].split("</ul>")[0]
    )


def test_a_department_head_sees_their_department_and_a_clerk_nothing(client, world, tree):
    generate(world, tree)
    client.force_login(world.head_a)  # the head of 测试市场监管局
    html = client.get("/staff/hotline/report/", {"week": MONDAY.isoformat()}).content.decode()
    assert "拖欠工资" in html and "供暖" not in html
    client.force_login(world.clerk)
    assert client.get("/staff/hotline/report/").status_code == 403
