import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from onewindow.personas import published_item

MONDAY = dt.date(2026, 3, 2)


def test_the_supervisor_sees_lights_the_overdue_case_and_the_trend(world, as_user, week):
    page = as_user(world.supervisor).get("/staff/stats/")
    assert page.status_code == 200
    assert page.context["lights"] == {"red": 1, "yellow": 0, "at_risk": 0, "green": 1}
    html = page.content.decode()
    assert "S2" in html and "逾期办件" in html
    tables = {t["name"]: t for t in page.context["tables"]}
    overdue = [[v for _, v in row] for row in tables["overdue"]["rows"]]
    assert [r[0] for r in overdue] == ["S2"] and overdue[0][5] == 3  # due Tuesday: Wed, Thu, Fri
    trend = [[v for _, v in row] for row in tables["trend"]["rows"]]
    legal = 2 * week["S1"].item_version.legal_limit_days  # S1 (0 promised) and S3 (3 promised) closed
    share = f"{Decimal(3) / Decimal(legal) * 100:.1f}%"
    # 一次办好率: S1 and S3's item asks one visit (the catalog's default) → 2 of 2.
    assert trend == [
        ["2026-03", 4, 4, 1, 2, 2, "25.0%", "100.0%", "50.0%", Decimal("1.00"), share, "—", "100.0%"]
    ]


def test_every_table_exports_to_excel_with_chinese_headers(world, as_user, week):
    client = as_user(world.supervisor)
    for name, first_header in [
        ("overdue", "办件编号"),
        ("trend", "月份"),
        ("departments", "名次"),
        ("windows", "名次"),
        ("items", "事项"),
    ]:
        answer = client.get(f"/staff/stats/{name}.xlsx")
        assert answer.status_code == 200
        assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(answer.content)).active
        assert sheet.cell(1, 1).value == first_header
    sheet = load_workbook(io.BytesIO(client.get("/staff/stats/overdue.xlsx").content)).active
    assert [c.value for c in sheet[2]][:3] == ["S2", "食品经营许可（新办）", world.dept_a.name]
    assert client.get("/staff/stats/nothing.xlsx").status_code == 404


def test_a_department_head_sees_only_their_department(world, as_user, week, db):
    from onewindow.personas import new_staff

    head_b = new_staff("head_b", "部门B负责人", "department_head", world.hall, world.dept_b)
    page = as_user(head_b).get("/staff/stats/")
    assert page.context["lights"] == {"red": 0, "yellow": 0, "at_risk": 0, "green": 1}
    assert "S2" not in page.content.decode().split("<h1>", 1)[1]  # (not the random CSRF token)
    sheet = load_workbook(io.BytesIO(as_user(head_b).get("/staff/stats/overdue.xlsx").content)).active
    assert sheet.max_row == 1  # headers only
    assert as_user(world.head_a).get("/staff/stats/").context["lights"]["red"] == 1


def test_a_clerk_and_a_citizen_may_not_open_it(world, as_user, week):
    assert as_user(world.clerk).get("/staff/stats/").status_code == 403
    assert as_user(world.clerk).get("/staff/stats/overdue.xlsx").status_code == 403
    assert as_user(world.alice).get("/staff/stats/").status_code == 403


def test_the_public_page_shows_counts_per_department_and_no_case(client, world, week):
    page = client.get("/figures/?month=2026-03")
    assert page.status_code == 200
    lines = {r["department"]: r for r in page.context["lines"]}
    assert (lines[world.dept_a.name]["accepted"], lines[world.dept_a.name]["closed"]) == (3, 2)
    html = page.content.decode().split("<h1>", 1)[1]  # the page's own content (the CSRF token is random)
    for private in ("S1", "S2", world.clerk.staff.name, world.alice_applicant.name):
        assert private not in html
    assert client.get("/figures/?month=bad").status_code == 200


def test_the_trend_speed_up_is_against_the_month_before(world, db):
    from onewindow.stats import dashboard
    from onewindow.stats.models import DailyFigure

    item = published_item(world)
    row = {"hall": world.hall, "department": world.dept_a, "item": item}
    DailyFigure.objects.create(day=dt.date(2026, 3, 10), closed=2, days_used=8, **row)  # 4 days on average
    DailyFigure.objects.create(day=dt.date(2026, 4, 10), closed=1, days_used=1, **row)  # 1 day
    months = dashboard.monthly(dashboard.Scope(world.hall.pk), today=dt.date(2026, 4, 30))
    assert [m["speedup"] for m in months] == [None, Decimal("0.7500")]  # (4 − 1) ÷ 4


def test_windows_are_ranked_by_on_time_rate_and_exported(world, as_user, db):
    """窗口排名: window 11 closed its one case on time (100%), window 01 one of two (50%); an
    online case (no window) is not ranked."""
    from onewindow import clock
    from onewindow.stats import rollup
    from onewindow.stats.tests.factory import Plan, record_day

    item = published_item(world)
    w1, wa = world.window_1, world.window_a
    common = {"officer": world.clerk, "accepted_on": MONDAY, "accept_recorded": MONDAY, "outcome": "approved"}
    plans = [
        Plan("X1", item, MONDAY, promised=0, closed_on=MONDAY + dt.timedelta(days=2), window=w1, **common),  # late
        Plan("X2", item, MONDAY, promised=3, closed_on=MONDAY + dt.timedelta(days=1), window=w1, **common),
        Plan("X3", item, MONDAY, promised=3, closed_on=MONDAY + dt.timedelta(days=1), window=wa, **common),
        Plan("X4", item, MONDAY, promised=0, closed_on=MONDAY + dt.timedelta(days=3), window=None, **common),
    ]  # fmt: skip
    cases = {}
    with clock.frozen(MONDAY + dt.timedelta(days=4)):
        for n in range(5):
            record_day(MONDAY + dt.timedelta(days=n), plans, world, cases)
        rollup.rebuild()
        client = as_user(world.supervisor)
        tables = {t["name"]: t for t in client.get("/staff/stats/").context["tables"]}
        rows = [[v for _, v in row] for row in tables["windows"]["rows"]]
        sheet = load_workbook(io.BytesIO(client.get("/staff/stats/windows.xlsx").content)).active
    assert [r[:6] for r in rows] == [
        [1, f"11号窗口 {wa.name}", 1, 1, 1, "100.0%"],
        [2, f"01号窗口 {w1.name}", 2, 2, 1, "50.0%"],
    ]
    assert [c.value for c in sheet[1]][:2] == ["名次", "窗口"]
    assert [[c.value for c in r][:6] for r in sheet.iter_rows(min_row=2)] == [r[:6] for r in rows]


def test_the_page_lists_the_longest_overdue_and_the_export_lists_them_all(world, as_user, week, monkeypatch):
    from onewindow.stats import dashboard

    monkeypatch.setattr(dashboard, "PAGE_ROWS", 0)
    client = as_user(world.supervisor)
    page = client.get("/staff/stats/")
    tables = {t["name"]: t for t in page.context["tables"]}
    assert tables["overdue"]["rows"] == []
    assert "共 1 件；完整清单请导出 Excel" in page.content.decode()
    sheet = load_workbook(io.BytesIO(client.get("/staff/stats/overdue.xlsx").content)).active
    assert sheet.cell(2, 1).value == "S2"
    monkeypatch.setattr(dashboard, "PAGE_ROWS", 50)
    assert "完整清单请导出" not in client.get("/staff/stats/").content.decode()
