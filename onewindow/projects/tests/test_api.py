"""The projects API as another system uses it: register (the code comes back), get by code,
stage accept / opinion / close, list — with the one error shape."""

import pytest

from onewindow import clock
from onewindow.projects import codes
from onewindow.projects.models import Project
from onewindow.projects.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db
REGISTRATION = {"name": "德州临空经济区物流园", "region": "371402000000", "investment_fen": 8_000_000_000,
                "industry": "59", "approval_type": "filing", "key_project": True}  # fmt: skip


def test_a_stage_through_the_api(world, cast, api):
    with clock.frozen(MONDAY):
        answer = api(cast.owner).post("/projects", REGISTRATION)
        assert answer.status_code == 201, answer.json()
        code = answer.json()["code"]
        assert codes.code_error(code) is None and answer.json()["stages"][0]["status"] == "open"
        assert (
            api(cast.owner)
            .post(f"/projects/{code}/stages/1/apply", {"form_data": {"scale": "仓库4栋"}})
            .status_code
            == 200
        )
        accepted = api(world.reviewer_a).post(f"/projects/{code}/stages/1/accept", {})
        assert accepted.status_code == 200 and accepted.json()["stages"][0]["due_on"] == "2026-11-09"
        assert len(accepted.json()["cases"]) == 1
        refused = api(world.reviewer_b).post(f"/projects/{code}/stages/1/opinion", {"kind": "disagree"})
        assert refused.status_code == 400 and refused.json()["code"] == "project.disagree_reason_required"
        for user in (world.reviewer_b, cast.reviewer_d):
            assert api(user).post(f"/projects/{code}/stages/1/opinion", {"kind": "agree"}).status_code == 200
        closed = api(world.reviewer_a).post(f"/projects/{code}/stages/1/close", {"conclusion": "同意"})
    assert closed.status_code == 200
    body = closed.json()
    assert [s["status"] for s in body["stages"]] == ["closed", "open", "waiting", "waiting"]
    assert {o["department"]: o["kind"] for o in body["stages"][0]["opinions"]} == {
        "T-B": "agree",
        "T-D": "agree",
    }
    assert body["currency"] == "CNY" and body["investment_fen"] == 8_000_000_000


def test_a_simulated_opinion_and_its_confirmation(world, cast, project, api):
    code = project.code
    with clock.frozen(MONDAY):
        early = api(world.reviewer_b).post(f"/projects/{code}/stages/1/opinion", {"kind": "agree"})
        assert early.status_code == 409 and early.json()["code"] == "project.stage_not_accepted"
        simulated = api(world.reviewer_b).post(f"/projects/{code}/stages/1/opinion",
                                               {"kind": "agree_with_conditions", "conditions": "取得土地证后", "simulated": True})  # fmt: skip
        assert simulated.json()["stages"][0]["opinions"][0]["state"] == "simulated"
        api(world.reviewer_a).post(f"/projects/{code}/stages/1/accept", {"form_data": {"scale": "厂房"}})
        confirmed = api(world.reviewer_b).post(f"/projects/{code}/stages/1/confirm-opinion", {})
    opinion = confirmed.json()["stages"][0]["opinions"][0]
    assert (opinion["state"], opinion["kind"], opinion["conditions"]) == (
        "given",
        "agree_with_conditions",
        "取得土地证后",
    )


def test_registering_twice_with_one_idempotency_key_allocates_one_code(cast, api):
    with clock.frozen(MONDAY):
        first = api(cast.owner).post("/projects", REGISTRATION, **{"Idempotency-Key": "reg-1"})
        again = api(cast.owner).post("/projects", REGISTRATION, **{"Idempotency-Key": "reg-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["code"] == again.json()["code"] and Project.objects.count() == 1


def test_bad_input_answers_400_with_the_error_shape(cast, api):
    answer = api(cast.owner).post("/projects", REGISTRATION | {"investment_fen": -1})
    assert answer.status_code == 400 and answer.json()["code"] == "request.invalid"
    answer = api(cast.owner).post("/projects", REGISTRATION | {"industry": "00"})
    assert answer.status_code == 400 and answer.json()["code"] == "project.industry"
    assert set(answer.json()) == {"code", "message", "details"}


def test_the_list_pages_and_filters(world, cast, project, api):
    with clock.frozen(MONDAY):
        api(cast.owner).post("/projects", REGISTRATION | {"key_project": False, "name": "普通项目"})
    listed = api(world.reviewer_b).get("/projects", {"page_size": 1})
    assert listed.json()["count"] == 2 and len(listed.json()["results"]) == 1
    keys = api(world.reviewer_b).get("/projects", {"key_project": "true"}).json()
    assert [r["code"] for r in keys["results"]] == [project.code]
    assert api(world.outsider).get("/projects").json()["count"] == 0
    assert api(world.reviewer_b).get("/projects", {"status": "bogus"}).status_code == 400


def test_the_operations_are_in_the_openapi_document(as_user):
    paths = as_user(None).get("/api/v1/openapi.json").json()["paths"]
    ids = {op["operationId"] for path in paths.values() for op in path.values()}
    assert {
        "projects_register",
        "projects_list",
        "projects_get",
        "projects_board",
        "projects_apply_stage",
        "projects_accept_stage",
        "projects_give_opinion",
        "projects_confirm_opinion",
        "projects_close_stage",
    } <= ids
