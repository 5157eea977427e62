"""Bottleneck steps, the one-visit rate, the monthly report PDF and the department head's scope,
against the hand-made week (conftest) and hand-computed figures."""

import re
import subprocess
from decimal import Decimal

from onewindow import clock
from onewindow.personas import new_staff, published_item
from onewindow.stats import dashboard, kpis, rollup
from onewindow.stats.tests.conftest import FRIDAY, MONDAY, TUESDAY
from onewindow.stats.tests.factory import Plan, record_day


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    raw = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", "", raw)  # narrow table cells wrap their Chinese text


def test_bottleneck_steps_against_the_hand_computed_week(world, week_steps):
    scope = dashboard.Scope(world.hall.pk)
    table = dashboard.bottlenecks(scope)
    assert table.rows == [
        ["食品经营许可（新办）", "审查", world.dept_a.name, 3, Decimal("2.00"), 4, 1],  # (0 + 2 + 4) ÷ 3
        ["饮品经营许可", "审查", world.dept_b.name, 1, Decimal("2.00"), 2, 0],
        ["食品经营许可（新办）", "决定", world.dept_a.name, 2, Decimal("0.00"), 0, 0],
    ]
    # Only the steps finished in the period: from Tuesday, S1's (Monday) drop out: (2 + 4) ÷ 2.
    a = dashboard.bottleneck_figures(scope, TUESDAY, FRIDAY)[0]
    assert (a["name"], a["steps"], a["average"], a["late"]) == ("审查", 2, Decimal("3.00"), 1)
    # A department head's scope: their department's steps only.
    assert [r[:2] for r in dashboard.bottlenecks(dashboard.Scope(world.hall.pk, world.dept_b.pk)).rows] == [
        ["饮品经营许可", "审查"]
    ]


def test_the_bottleneck_table_on_the_page_and_in_excel(world, as_user, week_steps):
    import io

    from openpyxl import load_workbook

    client = as_user(world.supervisor)
    tables = {t["name"]: t for t in client.get("/staff/stats/").context["tables"]}
    assert [[v for _, v in row][:2] for row in tables["bottlenecks"]["rows"]][0] == [
        "食品经营许可（新办）",
        "审查",
    ]
    sheet = load_workbook(io.BytesIO(client.get("/staff/stats/bottlenecks.xlsx").content)).active
    assert [c.value for c in sheet[1]][:5] == ["事项", "环节", "办理部门", "完成环节数", "平均用时（工作日）"]
    assert [c.value for c in sheet[2]][:4] == ["食品经营许可（新办）", "审查", world.dept_a.name, 3]


def test_one_visit_rate_against_a_hand_computed_example(world):
    """Closed Monday: two cases of an item needing 0 visits (A 级), one of 1 visit (B 级), one
    of 2 visits, one of 2 visits withdrawn; an open 2-visit case counts nowhere. 3 of 5 closed → 60%."""
    zero = published_item(world, code="T-V0", name="零跑腿事项", visits=0)
    one = published_item(world, code="T-V1", name="一次跑腿事项", visits=1)
    two = published_item(world, code="T-V2", name="两次跑腿事项", visits=2)
    closed = {"officer": world.clerk, "accepted_on": MONDAY, "accept_recorded": MONDAY, "closed_on": MONDAY}
    todo = [
        Plan("V01", zero, MONDAY, outcome="approved", **closed),
        Plan("V02", zero, MONDAY, outcome="approved", **closed),
        Plan("V11", one, MONDAY, outcome="denied", **closed),
        Plan("V21", two, MONDAY, outcome="approved", **closed),
        Plan("V22", two, MONDAY, outcome="withdrawn", **closed),
        Plan("V23", two, MONDAY, officer=world.clerk, accepted_on=MONDAY, accept_recorded=MONDAY, promised=5),
    ]
    record_day(MONDAY, todo, world, {})
    with clock.frozen(MONDAY):
        rollup.rebuild()
    k = kpis.kpis(kpis.totals())
    assert (k["closed"], k["one_visit"]) == (5, 3)
    assert k["one_visit_rate"] == Decimal("0.6000")
    months = dashboard.monthly(dashboard.Scope(world.hall.pk), today=MONDAY)
    assert months[-1]["one_visit_rate"] == Decimal("0.6000")
    with clock.frozen(MONDAY):
        assert dashboard.trend(dashboard.Scope(world.hall.pk)).rows[-1][-1] == "60.0%"
    assert kpis.kpis(dict.fromkeys(rollup.COUNTS, 0))["one_visit_rate"] is None  # nothing closed


def test_the_public_page_shows_the_one_visit_rate(client, world, week):
    page = client.get("/figures/?month=2026-03")
    lines = {r["department"]: r for r in page.context["lines"]}
    assert lines[world.dept_a.name]["one_visit_rate"] == Decimal("1.0000")  # S1, S3: 1 visit each
    assert "一次办好率" in page.content.decode() and "100.0%" in page.content.decode()


def test_the_portal_home_links_to_the_public_figures(client, world):
    html = client.get("/").content.decode()
    assert 'href="/figures/"' in html and "公开数据" in html


def test_the_monthly_report_pdf_of_the_hall(world, as_user, week_steps, tmp_path):
    answer = as_user(world.supervisor).get("/staff/stats/report.pdf?month=2026-03")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert "stats-report-2026-03.pdf" in answer["Content-Disposition"]
    text = pdf_text(answer.content, tmp_path)
    assert "2026年3月办件统计月度报告" in text and "2026年3月1日至2026年3月6日" in text  # the month so far
    # The month's KPIs (the trend's figures): 4 accepted, 2 closed → 即期办结率 50.0%; 即办 1 of 4.
    assert "50.0%" in text and "25.0%" in text and "一次办好率" in text
    assert world.dept_a.name in text and world.dept_b.name in text  # the ranking
    assert "饮品经营许可" in text and "审查" in text  # the bottleneck steps
    # The most-overdue items of the month: S2 still overdue on the 6th (1 case), none closed late.
    late = dashboard.late_items(dashboard.Scope(world.hall.pk), MONDAY.replace(day=1), FRIDAY)
    assert late.rows == [["食品经营许可（新办）", world.dept_a.name, 0, 1]]


def test_the_monthly_report_of_a_department_head_is_their_department_only(
    world, as_user, week_steps, tmp_path
):
    head_b = new_staff("head_b", "部门B负责人", "department_head", world.hall, world.dept_b)
    text = pdf_text(as_user(head_b).get("/staff/stats/report.pdf?month=2026-03").content, tmp_path)
    assert world.dept_b.name in text and "饮品经营许可" in text
    assert world.dept_a.name not in text and "食品经营许可" not in text
    assert "0.0%" in text  # 即期办结率: B1 accepted, nothing closed → 0 ÷ 1


def test_the_monthly_report_refuses_a_bad_or_future_month_and_strangers(world, as_user, week):
    client = as_user(world.supervisor)
    bad = client.get("/staff/stats/report.pdf?month=2026-13")
    assert bad.status_code == 400 and "格式不对" in bad.content.decode()
    future = client.get("/staff/stats/report.pdf?month=2026-04")  # the week's clock: 2026-03-06
    assert future.status_code == 400 and "尚未开始" in future.content.decode()
    assert as_user(world.clerk).get("/staff/stats/report.pdf?month=2026-03").status_code == 403


def test_the_dashboard_of_a_department_head(world, as_user, week):
    """A department head sees their department only in every table, and the report form."""
    page = as_user(world.head_a).get("/staff/stats/")
    assert page.status_code == 200 and page.context["scope"].department_id == world.dept_a.pk
    tables = {t["name"]: [[v for _, v in row] for row in t["rows"]] for t in page.context["tables"]}
    assert [r[1] for r in tables["departments"]] == [world.dept_a.name]
    assert {r[1] for r in tables["items"]} == {world.dept_a.name}
    assert tables["trend"][0][2] == 3  # S1, S2, S3 accepted (not B1)
    html = page.content.decode()
    assert "仅本部门" in html and 'data-testid="report-link"' in html


def test_the_demo_department_heads_see_their_department_and_the_supervisor_the_hall(db, tmp_path):
    """The seeded demo: `head_sp` (行政审批服务局, which decides 食品经营许可) sees the demo's overdue
    case, `head` (市场监管局) does not; the workbench links the dashboard; the report is scoped too."""
    from django.core.management import call_command

    from onewindow.accounts.models import User
    from onewindow.conftest import client_for
    from onewindow.stats import monthly_report

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    users = {u.username: u for u in User.objects.filter(username__in=["head", "head_sp", "supervisor"])}

    def tables(user):
        page = client_for(user).get("/staff/stats/")
        return {t["name"]: [[v for _, v in row] for row in t["rows"]] for t in page.context["tables"]}

    approval, market = users["head_sp"].staff.department.name, users["head"].staff.department.name
    assert "统计分析" in client_for(users["head"]).get("/staff/").content.decode()
    mine = tables(users["head_sp"])
    assert mine["overdue"] and {r[2] for r in mine["overdue"]} == {approval}
    assert [r[1] for r in mine["departments"]] == [approval]
    theirs = tables(users["head"])
    assert theirs["overdue"] == [] and {r[1] for r in theirs["departments"]} <= {market}
    # The supervisor sees the whole hall: every department's open cases (live, on any date).
    lights = {
        u: client_for(users[u]).get("/staff/stats/").context["lights"] for u in ("head_sp", "supervisor")
    }
    assert sum(lights["supervisor"].values()) > sum(lights["head_sp"].values()) > 0
    assert approval in [r[1] for r in tables(users["supervisor"])["departments"]]
    month = f"{monthly_report.month_of(None):%Y-%m}"
    text = pdf_text(client_for(users["head"]).get(f"/staff/stats/report.pdf?month={month}").content, tmp_path)
    assert market in text and approval not in text
