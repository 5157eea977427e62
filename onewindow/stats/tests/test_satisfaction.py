"""Acceptance (issue 17): satisfaction figures match between the public page, the dashboard and
the Excel export — read from each rendered output, against a hand-computed month (decision 39).
The ratings: conftest.rated. By hand:
A rated 5, satisfied 3 (60.0%), bad 2, rectified 1 (50.0%), on time 1/1 (100.0%);
B rated 2, satisfied 1 (50.0%), bad 1, rectified 1 (100.0%), on time 0/1 (0.0%);
total 7, 4 (57.1%), 3, 2 (66.7%), 1/2 (50.0%). The follow-up and the excluded rating are not counted."""

import datetime as dt
import io
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from onewindow import clock
from onewindow.ratings.models import Rating
from onewindow.stats.tests.conftest import FRIDAY


class Cells(HTMLParser):
    """The text of each cell of each row of the table with data-testid=`testid`."""

    def __init__(self, testid: str):
        super().__init__()
        self.testid, self.inside, self.rows, self.cell = testid, False, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-testid") == self.testid:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag == "td":
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag == "td" and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def cells(html: str, testid: str) -> list[list[str]]:
    parser = Cells(testid)
    parser.feed(html)
    return [row for row in parser.rows if row]


def expected(world):
    departments = sorted([  # by name, as ratings.figures orders them
        [world.dept_a.name, "5", "3", "60.0%", "2", "1", "50.0%", "100.0%"],
        [world.dept_b.name, "2", "1", "50.0%", "1", "1", "100.0%", "0.0%"],
    ])  # fmt: skip
    return [*departments, ["合计", "7", "4", "57.1%", "3", "2", "66.7%", "50.0%"]]


def test_the_public_page_the_dashboard_and_the_excel_export_show_the_same_figures(
    world, as_user, client, rated
):
    with clock.frozen(FRIDAY):
        public = client.get("/figures/satisfaction/?month=2026-03")
        page = as_user(world.supervisor).get("/staff/stats/?month=2026-03")
        export = as_user(world.supervisor).get("/staff/stats/satisfaction.xlsx?month=2026-03")
    assert public.status_code == page.status_code == export.status_code == 200

    # The public page: every hall's departments (one hall rated here), the hall column dropped.
    shown = [[row[0], *row[2:]] for row in cells(public.content.decode(), "public-satisfaction")]
    shown[-1][0] = shown[-1][0].strip()
    assert shown == expected(world)
    # The dashboard's satisfaction section.
    assert cells(page.content.decode(), "table-satisfaction") == expected(world)
    # The Excel export's first sheet (numbers as numbers, rates as the page prints them).
    book = load_workbook(io.BytesIO(export.content))
    sheet = book.worksheets[0]
    assert sheet.cell(1, 1).value == "部门" and sheet.cell(1, 4).value == "满意度"
    assert [[str(v) for v in row] for row in sheet.iter_rows(min_row=2, values_only=True)] == expected(world)
    assert export["Content-Disposition"].endswith('satisfaction-2026-03.xlsx"')
    # The rectified bad ratings: the page's list and the export's second sheet, the same two.
    listed = cells(public.content.decode(), "public-rectified")
    assert sorted((r[0], r[1], r[4], r[7], r[8]) for r in listed) == sorted(
        [
            ("食品经营许可（新办）", world.dept_a.name, "不满意", "是", "满意"),
            ("饮品经营许可", world.dept_b.name, "不满意", "否", "—"),
        ]
    )
    second = [row for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert [(r[1], r[2], r[6], r[7]) for r in second] == [(r[0], r[1], r[7], r[8]) for r in listed]


def test_the_public_list_shows_no_personal_data(world, client, rated, week):
    Rating.objects.filter(pk=rated["s2_bad"].pk).update(text="张三说窗口态度差", rater_phone="13912345678")
    with clock.frozen(FRIDAY):
        html = client.get("/figures/satisfaction/?month=2026-03").content.decode().split("<h1>", 1)[1]
    assert "窗口人员已联系申请人 ＊＊＊ 重新讲解材料要求" in html  # the number in the measures hidden
    for private in ("1234", "13912345678", "张三", "S2", "B1", world.clerk.staff.name, world.alice_applicant.name,
                    "已电话告知整改结果"):  # fmt: skip
        assert private not in html


def test_an_upheld_appeal_leaves_the_rates(world, rated):
    from onewindow.ratings import figures

    march = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    before = figures.satisfaction(*march, hall_id=world.hall.pk).total
    Rating.objects.filter(pk=rated["b1_bad"].pk).update(excluded=True)
    after = figures.satisfaction(*march, hall_id=world.hall.pk).total
    assert (before.rated - after.rated, before.bad - after.bad, before.rectified - after.rectified) == (
        1,
        1,
        1,
    )
    assert str(after.satisfaction_rate) == "0.6667"  # 4 of 6


@pytest.mark.parametrize("month, code", [
    ("bad", "stats.bad_month"), ("2026-13", "stats.bad_month"), ("2026-03'--", "stats.bad_month"),
    ("2099-01", "stats.future_month"), ("0001-01", "stats.month_too_early"), ("1999-12", "stats.month_too_early"),
])  # fmt: skip
def test_a_bad_month_is_a_clear_error_not_a_crash(client, world, month, code):
    with clock.frozen(FRIDAY):
        answer = client.get("/figures/satisfaction/", {"month": month})
    assert answer.status_code == 400
    assert f'data-error-code="{code}"' in answer.content.decode()


def test_without_ratings_the_page_says_so_and_links_the_months(client, world):
    with clock.frozen(FRIDAY):
        page = client.get("/figures/satisfaction/")  # the last whole month: February 2026
        assert page.status_code == 200 and page.context["first"] == dt.date(2026, 2, 1)
        assert "本月暂无评价" in page.content.decode()
        assert page.context["next"] == dt.date(2026, 3, 1)
        assert (
            client.get("/figures/satisfaction/?month=2026-03").context["next"] is None
        )  # this month: no next
        assert client.get("/figures/satisfaction/?month=2000-01").context["previous"] is None


def test_a_department_head_sees_only_their_department(world, as_user, rated):
    with clock.frozen(FRIDAY):
        page = as_user(world.head_a).get("/staff/stats/?month=2026-03")
    assert cells(page.content.decode(), "table-satisfaction") == [
        [world.dept_a.name, "5", "3", "60.0%", "2", "1", "50.0%", "100.0%"],
        ["合计", "5", "3", "60.0%", "2", "1", "50.0%", "100.0%"],
    ]


def test_each_table_is_one_query_whatever_the_number_of_ratings(world, rated, django_assert_num_queries):
    from onewindow.ratings import figures

    march = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    with django_assert_num_queries(1):
        assert figures.satisfaction(*march).total.rated == 7
    with django_assert_num_queries(1):
        assert len(figures.rectified_list(*march)) == 2
