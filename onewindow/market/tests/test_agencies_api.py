"""Agencies API (API.md): the public directory paged with its filters (credit codes in full, phones
masked), one agency (404 for an application to anyone but its account and hall management),
applying (201, 400 with the rule, 409 for a code taken) and the steps by those allowed."""

import pytest

from onewindow.market.models import Agency
from onewindow.market.tests.conftest import credit_code
from onewindow.market.tests.test_agencies import QUAL, application
from onewindow.market.tests.test_agencies_pages import make_cast
from onewindow.personas import new_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world, market, new_agency):
    return make_cast(new_agency)


def test_the_public_list(client, cast):
    answer = client.get("/api/v1/market/agencies", {"page_size": 2})
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 4 and len(body["results"]) == 2  # admitted: A, C, D and the ungraded one
    everyone = client.get("/api/v1/market/agencies").json()["results"]
    by_name = {a["name"]: a for a in everyone}
    assert set(by_name) == {
        "德州远景测绘有限公司",
        "德州环评咨询有限公司",
        "德州失信测量有限公司",
        "德州避雷检测中心",
    }
    a = by_name["德州远景测绘有限公司"]
    assert (
        a["credit_code"] == cast["A"].credit_code
        and a["phone"] == cast["A"].phone[:3] + "****" + cast["A"].phone[-4:]
    )
    assert a["qualifications"][0]["service_type"] == "CH" and a["allowed_actions"] == []
    assert by_name["德州失信测量有限公司"]["blacklisted"] and by_name["德州环评咨询有限公司"]["warning_list"]
    assert by_name["德州避雷检测中心"]["grade_display"] == "暂未评级"
    names = lambda **q: [x["name"] for x in client.get("/api/v1/market/agencies", q).json()["results"]]  # noqa: E731
    assert names(service_type="CH") == ["德州失信测量有限公司", "德州远景测绘有限公司"]
    assert names(grade="D") == ["德州失信测量有限公司"] and names(q="避雷") == ["德州避雷检测中心"]
    assert client.get("/api/v1/market/agencies", {"grade": "E"}).json()["code"] == "market.grade"


def test_other_states_are_hall_managements(client, api, world, cast):
    assert client.get("/api/v1/market/agencies", {"status": "applied"}).status_code == 403
    assert api(world.clerk).get("/market/agencies", {"status": "applied"}).status_code == 403
    body = api(world.supervisor).get("/market/agencies", {"status": "applied"}).json()
    assert [a["ref"] for a in body["results"]] == [cast["applied"].ref]
    assert body["results"][0]["phone"] == cast["applied"].phone  # management sees the number


def test_one_agency(client, api, world, cast):
    answer = client.get(f"/api/v1/market/agencies/{cast['A'].ref}")
    assert answer.status_code == 200 and answer.json()["ref"] == cast["A"].ref
    applied = cast["applied"]
    assert client.get(f"/api/v1/market/agencies/{applied.ref}").json()["code"] == "market.agency_not_found"
    assert api(world.clerk).get(f"/market/agencies/{applied.ref}").status_code == 404
    mine = api(applied.user).get(f"/market/agencies/{applied.ref}").json()
    assert mine["status"] == "applied" and mine["allowed_actions"] == ["update", "exit"]
    assert api(world.hall_admin).get(f"/market/agencies/{applied.ref}").json()["allowed_actions"] == [
        "admit",
        "refuse",
    ]


def _body(**overrides):
    fields = application(**overrides)
    return {**fields, "qualifications": fields["qualifications"]}


def test_apply_and_decide_through_the_api(api, client, world, market):
    user = new_user("tongxin", "德州同信测绘有限公司")
    assert client.post("/api/v1/market/agencies", _body(), content_type="application/json").status_code == 401
    good = credit_code(501)
    wrong = api(user).post(
        "/market/agencies", _body(credit_code=good[:17] + ("0" if good[17] != "0" else "1"))
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "accounts.credit_code_check"
    bad_date = api(user).post("/market/agencies", _body(qualifications=[{**QUAL, "valid_from": "soon"}]))
    assert bad_date.status_code == 400 and bad_date.json()["code"] == "request.invalid"
    answer = api(user).post("/market/agencies", _body())
    assert answer.status_code == 201, answer.json()
    ref = answer.json()["ref"]
    assert answer.json()["status"] == "applied" and answer.json()["phone"] == "0534-2681234"
    other = new_user("copycat", "冒名机构")
    taken = api(other).post("/market/agencies", _body())
    assert taken.status_code == 409 and taken.json()["code"] == "market.credit_code_taken"
    assert api(world.clerk).post("/market/agencies", _body(credit_code=credit_code(777))).status_code == 403

    assert api(other).post(f"/market/agencies/{ref}/admit", {}).status_code == 404  # cannot see it
    assert api(world.clerk).post(f"/market/agencies/{ref}/admit", {}).status_code == 404
    assert api(user).post(f"/market/agencies/{ref}/admit", {}).json()["code"] == "market.not_management"
    refused = api(world.supervisor).post(f"/market/agencies/{ref}/refuse", {"note": ""})
    assert refused.status_code == 400
    admitted = api(world.supervisor).post(f"/market/agencies/{ref}/admit", {"note": "同意"})
    assert admitted.status_code == 200 and admitted.json()["status"] == "admitted"
    again = api(world.hall_admin).post(f"/market/agencies/{ref}/admit", {})
    assert again.status_code == 409 and again.json()["code"] == "market.agency_state"
    assert api(other).post(f"/market/agencies/{ref}/expel", {"reason": "x"}).status_code == 403
    out = api(user).post(f"/market/agencies/{ref}/exit", {"reason": "业务调整"})
    assert out.status_code == 200 and out.json()["status"] == "exited"
    assert Agency.objects.get(ref=ref).exit_reason == "业务调整"
    assert client.get(f"/api/v1/market/agencies/{ref}").status_code == 404  # gone from the directory
