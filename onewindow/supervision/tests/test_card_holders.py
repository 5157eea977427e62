"""The cards of officers and windows, one implementation given the holder (supervision.holders):
the cards page reads every listed holder's violations and clearances at once — its queries do
not grow with the number of holders — and each holder keeps its own words and error codes."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from onewindow import clock
from onewindow.accounts.models import User, Window
from onewindow.conftest import client_for
from onewindow.errors import Conflict, DomainError
from onewindow.supervision import queries, report, services
from onewindow.supervision.holders import HOLDERS, OFFICER, WINDOW
from onewindow.supervision.models import CardClearance, Violation

pytestmark = pytest.mark.django_db
D = dt.date
DEC_7 = dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)


def _holders(world, accept, start: int, n: int) -> list[tuple[User, Window]]:
    """n more officers and windows (numbered from `start`), each with an upheld violation."""
    made = []
    for i in range(start, start + n):
        officer = User.objects.create_user(username=f"officer{i}", password="x", display_name=f"责任人{i:02}")
        window = Window.objects.create(hall=world.hall, number=f"9{i}", name=f"测试窗口{i}",
                                       kind=Window.Kind.COMPREHENSIVE)  # fmt: skip
        case = accept(D(2026, 11, 2))
        Violation.objects.create(kind=Violation.Kind.OVER_TIME, case=case, department=case.department,
                                 officer=officer, window=window, found_on=D(2026, 12, 1), found_at=DEC_7,
                                 status=Violation.Status.UPHELD, decided_by=world.supervisor,
                                 decided_at=DEC_7 + dt.timedelta(hours=i), decision_reason="超期")  # fmt: skip
        made.append((officer, window))
    return made


def _queries(world, holder) -> tuple[int, list[dict]]:
    supervisor = User.objects.get(pk=world.supervisor.pk)  # nothing cached (its staff, hall)
    with CaptureQueriesContext(connection) as captured:
        rows = queries.carded(supervisor, holder)
    return len(captured), rows


def test_the_cards_queries_do_not_grow_with_the_holders(world, accept):
    _holders(world, accept, 0, 1)
    client = client_for(world.supervisor)
    one = {holder.kind: _queries(world, holder) for holder in HOLDERS}
    with CaptureQueriesContext(connection) as page_one:
        assert client.get("/staff/supervision/cards/").status_code == 200
    _holders(world, accept, 1, 4)
    five = {holder.kind: _queries(world, holder) for holder in HOLDERS}
    with CaptureQueriesContext(connection) as page_five:
        page = client.get("/staff/supervision/cards/").content.decode()
    for holder in HOLDERS:
        (n_one, rows_one), (n_five, rows_five) = one[holder.kind], five[holder.kind]
        assert (len(rows_one), len(rows_five)) == (1, 5)
        assert n_one == n_five <= 5, holder.kind
    assert len(page_one) == len(page_five)
    assert page.count('data-testid="carded-row"') == 5 and page.count('data-testid="carded-window"') == 5


def test_carded_rows_match_each_holders_card(world, accept):
    made = _holders(world, accept, 0, 3)
    officer, window = made[1]
    # A second upheld for officer 1 (red), then a clearance of window 1's card (none, after 1).
    case = accept(D(2026, 11, 3))
    Violation.objects.create(kind=Violation.Kind.OVER_TIME, case=case, department=case.department,
                             officer=officer, window=window, found_on=D(2026, 12, 1), found_at=DEC_7,
                             status=Violation.Status.UPHELD, decided_by=world.supervisor,
                             decided_at=DEC_7 + dt.timedelta(days=1), decision_reason="超期")  # fmt: skip
    with clock.frozen(D(2026, 12, 9)):
        services.clear_card(WINDOW, window, reason="已整改", by=world.supervisor)
    for holder in HOLDERS:
        rows = queries.carded(world.supervisor, holder)
        for row in rows:
            pk = row[holder.kind].pk
            upheld = Violation.objects.filter(status=Violation.Status.UPHELD, **holder.of(pk)).count()
            assert (row["card"], row["upheld"]) == (queries.card(holder, pk), upheld)
    officers = {
        r["officer"].pk: (r["card"], r["label"], r["upheld"])
        for r in queries.carded(world.supervisor, OFFICER)
    }
    assert officers[officer.pk] == ("red", "红牌", 2) and officers[made[0][0].pk] == ("yellow", "黄牌", 1)
    windows = {r["window"].pk: (r["card"], r["upheld"]) for r in queries.carded(world.supervisor, WINDOW)}
    assert windows[window.pk] == ("none", 2) and windows[made[2][1].pk] == ("yellow", 1)
    assert [r["officer"].display_name for r in queries.carded(world.supervisor, OFFICER)] == [
        "责任人00",
        "责任人01",
        "责任人02",
    ]


def test_each_holder_keeps_its_words_and_codes(world, accept):
    officer, window = _holders(world, accept, 0, 1)[0]
    expected = {
        OFFICER: (officer, "该责任人", "supervision.officer_not_found", "未找到该责任人的违规记录。"),
        WINDOW: (window, "该窗口", "supervision.window_not_found", "未找到该窗口的违规记录。"),
    }
    for holder, (subject, noun, code, message) in expected.items():
        assert holder.not_found == (code, message)
        with pytest.raises(DomainError) as refused:
            report.report_pdf(holder, subject, hall_name="测试")
        assert refused.value.code == "supervision.no_report"
        assert refused.value.message == f"{noun}未达到报告市政府的情形（第三次认定违规）。"
        with clock.frozen(D(2026, 12, 9)):
            services.clear_card(holder, subject, reason="已整改", by=world.supervisor)
            with pytest.raises(Conflict) as again:
                services.clear_card(holder, subject, reason="再销", by=world.supervisor)
        assert again.value.code == "supervision.no_open_card"
        assert again.value.message == f"{noun}当前没有未销的黄牌或红牌。"
    # Each clearance names its own holder only (the check constraint: one of the two).
    assert set(CardClearance.objects.values_list("officer_id", "window_id")) == {
        (officer.pk, None),
        (None, window.pk),
    }
    client = client_for(world.supervisor)
    for url, message in ((f"/staff/supervision/cards/{world.clerk.pk}/", "未找到该责任人的违规记录。"),
                         (f"/staff/supervision/cards/windows/{world.window_a.pk}/", "未找到该窗口的违规记录。")):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 404 and message in response.content.decode()
    page = client.get(f"/staff/supervision/cards/{officer.pk}/").content.decode()
    assert "<title>责任人00 · 黄牌红牌</title>" in page and 'data-testid="clear"' not in page
    page = client.get(f"/staff/supervision/cards/windows/{window.pk}/").content.decode()
    assert "<title>90号窗口 · 黄牌红牌</title>" in page and "90号窗口 测试窗口0" in page


def test_the_card_urls_keep_their_names_and_paths():
    assert reverse("supervision:officer", args=[7]) == "/staff/supervision/cards/7/"
    assert reverse("supervision:officer-report", args=[7]) == "/staff/supervision/cards/7/report.pdf"
    assert reverse("supervision:window", args=[7]) == "/staff/supervision/cards/windows/7/"
    assert reverse("supervision:window-report", args=[7]) == "/staff/supervision/cards/windows/7/report.pdf"
    assert resolve("/staff/supervision/cards/7/").kwargs == {"pk": 7, "holder": OFFICER}
    assert resolve("/staff/supervision/cards/windows/7/report.pdf").kwargs == {"pk": 7, "holder": WINDOW}
    assert OFFICER.report_file(User(pk=7)) == "report-officer-7.pdf"
    assert WINDOW.report_file(Window(pk=7, number="03")) == "report-window-03.pdf"
