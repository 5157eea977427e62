"""The market API after the selection, as a client uses it: the contract read and its steps (an
unknown or foreign purchase a 404, a wrong step 403/409 in the one error shape), the public
grades of a year, the agency's appeal and hall management's compute, publish, misconduct and
decision."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.market.models import YearGrade
from onewindow.market.tests import contracting
from onewindow.market.tests.contracting import at

selected = contracting.selected  # the fixture
pytestmark = pytest.mark.django_db
D = dt.date


def test_the_contract_through_the_api(world, market, new_agency, selected, api):
    agency, other = new_agency(1), new_agency(2)
    purchase = selected(agency, offer_fen=1_880_000, offer_days=5)
    path = f"/market/purchases/{purchase.number}/contract"
    owner, office = api(market.owner), api(agency.user)
    with clock.frozen(at(D(2026, 9, 30))):
        before = owner.get(path).json()
        assert (before["status"], before["due_on"], before["allowed_actions"]) == ("selected", None, ["sign"])
        assert api(other.user).get(path).status_code == 404
        assert api(other.user).post(path + "/sign").json()["code"] == "market.contract_not_found"
        refused = office.post(path + "/sign")
        assert (refused.status_code, refused.json()["code"]) == (403, "market.contract_not_yours")
        signed = owner.post(path + "/sign").json()
    assert (signed["status"], signed["due_on"], signed["fee_fen"], signed["currency"]) == (
        "contracted", "2026-10-13", 1_880_000, "CNY")  # fmt: skip
    with clock.frozen(at(D(2026, 10, 12))):
        seen = office.get(path).json()
        assert (seen["days_left"], seen["light"], seen["allowed_actions"]) == (1, "yellow", ["deliver"])
        assert office.post(path + "/deliver", {}).status_code == 400  # the schema: a note is required
        delivered = office.post(path + "/deliver", {"note": "成果"}).json()
        assert (delivered["status"], delivered["delivered_on_time"], delivered["light"]) == (
            "delivered",
            True,
            "",
        )
        assert owner.post(path + "/accept").json()["status"] == "completed"
        rated = owner.post(
            path + "/evaluate", {"quality": 5, "timeliness": 5, "conduct": 4, "comment": "好"}
        ).json()
        assert rated["evaluations"][0]["direction"] == "of_agency" and rated["allowed_actions"] == []
        again = owner.post(path + "/evaluate", {"quality": 5, "timeliness": 5, "conduct": 4})
        assert (again.status_code, again.json()["code"]) == (409, "market.evaluated_once")
        assert api(world.supervisor).get(path).json()["allowed_actions"] == []  # management reads


def test_grades_through_the_api(world, market, new_agency, selected, api, as_user):
    agency, quiet = new_agency(1), new_agency(2)
    purchase = selected(agency, offer_days=5)
    path = f"/market/purchases/{purchase.number}/contract"
    with clock.frozen(at(D(2026, 9, 30))):
        api(market.owner).post(path + "/sign")
    with clock.frozen(at(D(2026, 10, 14))):  # a working day late
        api(agency.user).post(path + "/deliver", {"note": "成果"})
        api(market.owner).post(path + "/accept")
        api(market.owner).post(path + "/evaluate", {"quality": 4, "timeliness": 3, "conduct": 5})
    boss = api(world.hall_admin)
    with clock.frozen(at(D(2027, 1, 6))):
        assert api(agency.user).post("/market/grades/2026/compute").status_code == 403
        made = boss.post("/market/misconduct", {"agency": quiet.credit_code, "kind": "violation",
                                                "occurred_on": "2026-06-01", "detail": "转包。"})  # fmt: skip
        assert made.status_code == 201 and made.json()["kind_display"] == "违规行为"
        computed = {
            g["agency"]: (g["points"], g["grade"]) for g in boss.post("/market/grades/2026/compute").json()
        }
        # agency: avg (4+3+5)/3 = 4.00 → 60 × 4 / 5 = 48; on time 0/1 → 0: 48.00, D
        # quiet: no contract → 48 + 32 = 80, a violation − 10: 70.00, C
        assert computed == {agency.credit_code: ("48.00", "D"), quiet.credit_code: ("70.00", "C")}
        assert api(None).get("/market/grades", {"year": 2026}).json() == {"count": 0, "results": []}
        assert boss.post("/market/grades/2026/publish").json() == {"year": 2026, "published": 2}
        public = as_user(None).get("/api/v1/market/grades", {"year": 2026, "grade": "D"}).json()
        assert public["count"] == 1 and public["results"][0]["agency"] == agency.credit_code
        assert public["results"][0]["appeal_due_on"] == "2027-01-20"
        appealed = api(agency.user).post("/market/grades/2026/appeal", {"reason": "业主延迟提供资料。"})
        assert appealed.status_code == 201 and appealed.json()["status"] == "pending"
        assert api(quiet.user).post(f"/market/grades/2026/appeals/{agency.credit_code}/decide",
                                    {"upheld": True, "decision": "x", "new_grade": "C"}).status_code == 403  # fmt: skip
        decided = boss.post(f"/market/grades/2026/appeals/{agency.credit_code}/decide",
                            {"upheld": True, "decision": "逾期系业主原因。", "new_grade": "C"}).json()  # fmt: skip
        assert (decided["status"], decided["grade"]) == ("upheld", "C")
    assert YearGrade.objects.get(agency=agency).adjusted is True
