"""The grade pages: hall management's (compute, publish, misconduct form, appeals to decide; others
refused), the public report (counts, the warning list, the blacklist; anyone), and the agency's
appeal form (its own grade only, within the window)."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.market.models import Agency, GradeAppeal, Misconduct, YearGrade
from onewindow.market.tests.contracting import at

pytestmark = pytest.mark.django_db
D = dt.date
STAFF = "/staff/market/grades/"


def test_management_computes_records_and_publishes_on_its_page(world, market, new_agency, as_user):
    good, bad = new_agency(1), new_agency(2)
    boss = as_user(world.hall_admin)
    assert as_user(good.user).get(STAFF).status_code == 403
    assert as_user(world.head_a).get(STAFF).status_code == 403
    with clock.frozen(at(D(2027, 1, 6))):
        assert "2026年度等级尚未计算" in boss.get(STAFF, {"year": 2026}).content.decode()
        for _ in range(3):
            done = boss.post(STAFF + "misconduct/", {"year": "2026", "agency": bad.pk, "kind": "violation",
                                                      "occurred_on": "2026-05-01", "detail": "出具虚假报告。"})  # fmt: skip
            assert done.status_code == 302
        refused = boss.post(STAFF + "misconduct/", {"year": "2026", "agency": bad.pk, "kind": "violation",
                                                     "occurred_on": "2027-05-01", "detail": "x"})  # fmt: skip
        assert refused.status_code == 400 and "不能晚于今天" in refused.content.decode()
        assert Misconduct.objects.count() == 3
        assert boss.post(STAFF + "compute/", {"year": "2026"}).status_code == 302
        page = boss.get(STAFF, {"year": 2026}).content.decode()
        assert "已计算，未公布" in page and "50.00" in page and "80.00" in page  # 80 − 3 × 10; neutral 80
        assert boss.post(STAFF + "publish/", {"year": "2026"}).status_code == 302
        assert boss.post(STAFF + "compute/", {"year": "2026"}).status_code == 409
        assert "已公布" in boss.get(STAFF, {"year": 2026}).content.decode()
    assert Agency.objects.get(pk=bad.pk).grade == "D" and Agency.objects.get(pk=good.pk).grade == "B"


def test_the_public_report_and_the_agencys_appeal(world, market, new_agency, as_user, client):
    a, c, d = new_agency(1), new_agency(2), new_agency(3)
    boss = as_user(world.supervisor)
    with clock.frozen(at(D(2027, 1, 6))):
        for agency, n in ((c, 2), (d, 3)):  # 80 − 20 = 60 C; 80 − 30 = 50 D
            for _ in range(n):
                boss.post(STAFF + "misconduct/", {"agency": agency.pk, "kind": "violation", "occurred_on": "2026-03-03",
                                                  "detail": "违规"})  # fmt: skip
        boss.post(STAFF + "compute/", {"year": "2026"})
        assert "尚未公布" in client.get("/market/grades/", {"year": 2026}).content.decode()
        boss.post(STAFF + "publish/", {"year": "2026"})
        page = client.get("/market/grades/", {"year": 2026}).content.decode()
    assert 'data-testid="count-B">1<' in page and 'data-testid="count-C">1<' in page
    assert 'data-testid="count-D">1<' in page and 'data-testid="count-A">0<' in page
    blacklist = page.split('data-testid="blacklist"')[1].split("</div>")[0]
    warning = page.split('data-testid="warning-list"')[1].split("</div>")[0]
    assert d.name in blacklist and c.name not in blacklist and c.name in warning and a.name not in warning
    # the agency: its own grade, the appeal form until 2027-01-20, once
    office = as_user(d.user)
    with clock.frozen(at(D(2027, 1, 20))):
        assert 'data-testid="appeal-link"' in office.get("/market/grades/").content.decode()
        assert as_user(a.user).get("/market/grades/2025/appeal/").status_code == 404
        assert as_user(world.alice).get("/market/grades/2026/appeal/").status_code == 403
        assert (
            office.post("/market/grades/2026/appeal/", {"reason": "三起违规系同一事实重复记录。"}).status_code
            == 302
        )
        page = office.get("/market/grades/2026/appeal/").content.decode()
        assert "待处理" in page and 'data-testid="form-appeal"' not in page
    with clock.frozen(at(D(2027, 1, 21))):
        late = as_user(c.user).post("/market/grades/2026/appeal/", {"reason": "x"})
        assert late.status_code == 409 and "申诉期限已于2027-01-20截止" in late.content.decode()
        # management decides on its page
        appeal = GradeAppeal.objects.get()
        assert "三起违规系同一事实重复记录" in boss.get(STAFF, {"year": 2026}).content.decode()
        done = boss.post(STAFF + "decide/", {"year": "2026", "appeal": appeal.pk, "upheld": "1",
                                             "decision": "核实为重复记录，改为C级。", "new_grade": "C"})  # fmt: skip
        assert done.status_code == 302
    assert YearGrade.objects.get(agency=d).grade == "C" and Agency.objects.get(pk=d.pk).grade == "C"
