"""GET /api/v1/items, /items/{code}, /bundles and /guide for other systems and apps."""

import pytest

from onewindow.catalog import services
from onewindow.personas import published_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(world):
    food = published_item(world)
    license_ = published_item(world, code="T-YYZZ-0001", name="企业设立登记", keywords=["营业执照", "注册公司"],
                              common_names=["办执照"], life_events=["开办企业"], promised_limit_days=1,
                              steps=[{"name": "审核", "role": "reviewer", "days": 1}])  # fmt: skip
    services.save_bundle(code="T-KBCT", name="开办餐馆", lead_department=world.dept_a, promised_limit_days=5,
                         item_codes=[license_.code, food.code], life_event="餐饮经营")  # fmt: skip
    return food


def test_it_lists_published_items_with_filters(client, catalog):
    body = client.get("/api/v1/items", {"department": "T-A"}).json()
    assert body["count"] == 2
    assert {r["code"] for r in body["results"]} == {"T-SPJY-0001", "T-YYZZ-0001"}
    assert client.get("/api/v1/items", {"life_event": "开办企业"}).json()["count"] == 1
    assert client.get("/api/v1/items", {"department": "T-B"}).json()["count"] == 0


def test_it_ranks_items_by_a_query(client, catalog):
    body = client.get("/api/v1/items", {"q": "开饭店"}).json()
    assert body["results"][0]["code"] == "T-SPJY-0001"


def test_it_answers_one_item_with_all_its_elements(client, catalog):
    body = client.get("/api/v1/items/T-SPJY-0001").json()
    assert body["name"] == "食品经营许可（新办）" and body["version"] == 1
    assert body["promised_limit_days"] == 5 and body["legal_limit_days"] == 20 and body["currency"] == "CNY"
    assert [m["name"] for m in body["materials"]][:2] == ["食品经营许可申请书", "营业执照"]
    assert body["materials"][1]["source"] == "shared" and body["materials"][1]["shared_by"] == "T-A"
    assert [s["name"] for s in body["steps"]] == ["审查", "决定"]


def test_it_answers_an_old_version_on_request(client, catalog, world):
    draft = services.start_draft(catalog, by=world.hall_admin)
    services.save_draft(draft, by=world.hall_admin, elements={"promised_limit_days": 3},
                        steps=[{"name": "审查", "role": "reviewer", "days": 3}])  # fmt: skip
    services.propose(draft, by=world.head_a)
    assert client.get("/api/v1/items/T-SPJY-0001", {"version": 1}).json()["promised_limit_days"] == 5
    assert client.get("/api/v1/items/T-SPJY-0001", {"version": 2}).status_code == 404  # not published yet


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/items/NOPE", 404, "catalog.item_not_found"),
        ("/api/v1/items/T-SPJY-0001?version=x", 400, "catalog.version_format"),
        ("/api/v1/items/T-SPJY-0001?version=9", 404, "catalog.version_not_found"),
        ("/api/v1/guide?q=", 400, "catalog.empty_query"),
        ("/api/v1/guide", 400, "request.invalid"),
        ("/api/v1/items?page_size=500", 400, "request.invalid"),
        ("/api/v1/bundles/NOPE", 404, "catalog.bundle_not_found"),
    ],
)
def test_it_answers_bad_requests_clearly(client, catalog, url, status, code):
    answer = client.get(url)
    assert answer.status_code == status and answer.json()["code"] == code


def test_it_lists_bundles(client, catalog):
    body = client.get("/api/v1/bundles").json()
    assert body["count"] == 1
    assert [i["code"] for i in body["results"][0]["items"]] == ["T-YYZZ-0001", "T-SPJY-0001"]


def test_it_guides_a_plain_question_to_items_and_bundles(client, catalog):
    # (in this two-item catalog "开" of "我想开一家饭店" is a word no item uses, and weighs as
    # much as "饭店": below the relevance threshold — decision 0026)
    hits = client.get("/api/v1/guide", {"q": "饭店的餐饮许可证"}).json()
    assert hits[0]["code"] in ("T-SPJY-0001", "T-KBCT")
    assert {h["code"] for h in hits[:3]} >= {"T-SPJY-0001", "T-KBCT"}
    assert hits[0]["url"].startswith("/")


def test_it_refuses_a_bundle_with_an_unpublished_or_single_item(world, catalog):
    from onewindow.errors import DomainError

    with pytest.raises(DomainError) as err:
        services.save_bundle(code="X", name="x", lead_department=world.dept_a, promised_limit_days=1,
                             item_codes=[catalog.code])  # fmt: skip
    assert err.value.code == "catalog.bundle_too_small"
    with pytest.raises(DomainError) as err:
        services.save_bundle(code="X", name="x", lead_department=world.dept_a, promised_limit_days=9,
                             item_codes=[catalog.code, "T-YYZZ-0001"])  # fmt: skip
    assert err.value.code == "catalog.bundle_limit"
