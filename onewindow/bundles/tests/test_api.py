"""The bundles API as a client uses it: the merged form, apply, accept, get, list; who sees what."""

import pytest

from onewindow import clock
from onewindow.accounts.models import Applicant, User
from onewindow.bundles.models import BundleApplication
from onewindow.bundles.tests.conftest import ANSWERS, MONDAY
from onewindow.cases.models import Case
from onewindow.web.demo import id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob(world) -> User:
    """Another citizen with a portal login: must never see 艾丽's application."""
    user = User.objects.create_user(username="bob", password="x", display_name="鲍勃")
    Applicant.objects.create(kind="natural", name="鲍勃", id_number=id_number("37140219900202123"), phone="13911112222",
                             region=world.district, user=user)  # fmt: skip
    return user


def _apply(api, world, **body):
    payload = {
        "applicant": world.alice_applicant.ref,
        "form_data": ANSWERS,
        "materials": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],  # 3 and 6, shared, on paper (Alice holds no license)
    }
    with clock.frozen(MONDAY):
        return api(world.clerk).post("/bundles/T-QYKB/applications", payload | body)


def test_the_merged_form_is_public(client, startup):
    answer = client.get("/api/v1/bundles/T-QYKB/form").json()
    assert [f["key"] for f in answer["fields"]][:2] == ["enterprise_name", "enterprise_type"]
    assert answer["fields"][0]["items"] == ["T-QYDJ", "T-YZKZ", "T-XBNS", "T-SBDJ", "T-GJJ"]
    proxy = next(m for m in answer["materials"] if m["name"] == "经办人授权委托书")
    assert proxy["no"] == 4 and sorted(proxy["items"]) == ["T-GJJ", "T-QYDJ", "T-XBNS", "T-YZKZ"]


def test_apply_and_accept_through_the_api(world, startup, api):
    created = _apply(api, world)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "submitted" and body["children_total"] == 5 and len(body["children"]) == 5
    assert body["applicant_id_number"].startswith("3714") and "*" in body["applicant_id_number"]
    number = body["number"]
    with clock.frozen(MONDAY):
        accepted = api(world.clerk).post(f"/bundle-applications/{number}/accept")
    assert accepted.status_code == 200, accepted.json()
    body = accepted.json()
    assert body["status"] == "in_review" and body["due_on"] == "2026-11-26" and body["light"] is not None
    assert {c["status"] for c in body["children"]} == {"in_review"}
    assert {c["department"] for c in body["children"]} == {"T-A", "T-D", "T-E", "T-F", "T-G"}


def test_a_wrong_form_is_a_400_naming_every_field(world, startup, api):
    answer = _apply(api, world, form_data={**ANSWERS, "employees": "很多", "enterprise_name": ""})
    assert answer.status_code == 400
    assert answer.json()["code"] == "bundle.form_invalid"
    assert set(answer.json()["details"]["errors"]) == {"employees", "enterprise_name"}
    assert not Case.objects.exists()


def test_accept_by_the_wrong_people(world, startup, api):
    number = _apply(api, world).json()["number"]
    assert api(world.reviewer_a).post(f"/bundle-applications/{number}/accept").status_code == 403
    assert api(world.reviewer_b).post(f"/bundle-applications/{number}/accept").status_code == 404
    assert api(world.outsider).post(f"/bundle-applications/{number}/accept").status_code == 404
    assert api(None).post(f"/bundle-applications/{number}/accept").status_code == 401
    assert {c.status for c in Case.objects.filter(bundle_number=number)} == {"submitted"}


def test_a_department_sees_only_its_own_child_and_others_see_nothing(world, startup, api, bob):
    number = _apply(api, world).json()["number"]
    mine = api(world.reviewer_a).get(f"/bundle-applications/{number}").json()
    assert [c["department"] for c in mine["children"]] == ["T-A"] and mine["children_total"] == 5
    assert {a["key"] for a in mine["form"]} == {
        "enterprise_name",
        "enterprise_type",
        "legal_representative",
        "registered_capital",
    }  # its own item's answers only
    assert {m["name"] for m in mine["materials"]} == {
        "公司登记申请书",
        "公司章程",
        "股东身份证明",
        "经办人授权委托书",
    }
    assert api(world.alice).get(f"/bundle-applications/{number}").json()["children_total"] == 5
    assert len(api(world.alice).get(f"/bundle-applications/{number}").json()["children"]) == 5
    for stranger in (world.reviewer_b, bob, world.outsider):
        answer = api(stranger).get(f"/bundle-applications/{number}")
        assert answer.status_code == 404 and "艾丽" not in answer.content.decode()
    assert api(world.reviewer_b).get("/bundle-applications").json()["count"] == 0
    assert api(bob).get("/bundle-applications").json()["count"] == 0


def test_the_list_filters_by_derived_status_and_applicant(world, startup, api):
    first = _apply(api, world).json()["number"]
    _apply(api, world)
    with clock.frozen(MONDAY):
        api(world.clerk).post(f"/bundle-applications/{first}/accept")
    clerk = api(world.clerk)
    assert clerk.get("/bundle-applications").json()["count"] == 2
    accepted = clerk.get("/bundle-applications", {"status": "in_review"}).json()
    assert accepted["count"] == 1 and accepted["results"][0]["number"] == first
    assert accepted["results"][0]["children_done"] == 0 and accepted["results"][0]["children_total"] == 5
    assert clerk.get("/bundle-applications", {"status": "submitted"}).json()["count"] == 1
    assert clerk.get("/bundle-applications", {"applicant": world.alice_applicant.ref}).json()["count"] == 2
    assert clerk.get("/bundle-applications", {"applicant": "P000000000000"}).json()["count"] == 0
    assert clerk.get("/bundle-applications", {"page_size": 1, "page": 2}).json()["count"] == 2
    bad = clerk.get("/bundle-applications", {"status": "done"})
    assert bad.status_code == 400 and bad.json()["code"] == "bundle.status_filter"


def test_the_applicant_applies_on_the_portal(world, startup, api):
    with clock.frozen(MONDAY):
        answer = api(world.alice).post(
            "/bundles/T-QYKB/applications", {"form_data": ANSWERS, "channel": "window"}
        )
    assert answer.status_code == 201, answer.json()
    application = BundleApplication.objects.get(number=answer.json()["number"])
    assert application.channel == "portal" and application.hall == world.hall
    assert application.submitted_by == world.alice


def test_a_retried_post_with_its_idempotency_key_creates_one_application(world, startup, api):
    payload = {"applicant": world.alice_applicant.ref, "form_data": ANSWERS}
    client = api(world.clerk)
    with clock.frozen(MONDAY):
        first = client.post("/bundles/T-QYKB/applications", payload, **{"Idempotency-Key": "k-1"})
        again = client.post("/bundles/T-QYKB/applications", payload, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["number"] == again.json()["number"]
    assert BundleApplication.objects.count() == 1 and Case.objects.count() == 5


def test_unknown_material_numbers_are_a_400(world, startup, api):
    answer = _apply(api, world, materials=[1, 99])
    assert answer.status_code == 400 and answer.json()["code"] == "bundle.unknown_material"
