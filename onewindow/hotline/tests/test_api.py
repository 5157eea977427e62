"""12345 API: create → receive, list and read with the phone masked, the steps as POST actions
with allowed_actions, refusals with their codes (API.md's error shape)."""

import pytest

from onewindow import clock
from onewindow.hotline.models import WorkOrder
from onewindow.hotline.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db


def test_an_order_walks_through_the_api(world, operator, category, api):
    op, head = api(operator), api(world.head_a)
    body = {"channel": "web", "type": "complaint", "category": "CJ01", "title": "噪音扰民", "content": "夜间施工",
            "caller_phone": "13912345678", "address": "新华路2号"}  # fmt: skip
    with clock.frozen(MONDAY):
        created = op.post("/hotline/orders", body)
    assert created.status_code == 201, created.content
    order = created.json()
    assert order["caller_phone"] == "139****5678" and order["status"] == "accepted"
    assert order["allowed_actions"][:2] == ["answer_directly", "dispatch"]
    assert WorkOrder.objects.get(number=order["number"]).received_by == operator
    number = order["number"]
    with clock.frozen(MONDAY):
        unseen = head.post(f"/hotline/orders/{number}/dispatch", {"lead": "T-A"})  # not A's yet: not seen
        assert unseen.status_code == 404 and unseen.json()["code"] == "hotline.not_found"
        assert (
            op.post(f"/hotline/orders/{number}/dispatch", {"lead": "T-A", "assisting": ["T-B"]}).status_code
            == 200
        )
        refused = api(world.reviewer_b).post(f"/hotline/orders/{number}/sign")  # assisting: may not sign
        assert refused.status_code == 403 and refused.json()["code"] == "hotline.role"
        assert head.get(f"/hotline/orders/{number}").json()["allowed_actions"] == [
            "sign",
            "transfer",
            "object",
        ]
        assert head.post(f"/hotline/orders/{number}/sign").json()["status"] == "handling"
        moved = head.post(
            f"/hotline/orders/{number}/transfer", {"department": "T-B", "reason": "属住建"}
        ).json()
    assert moved["lead_department"] == "T-B" and moved["transfer_count"] == 1
    listed = op.get("/hotline/orders", {"status": "dispatched"}).json()
    assert [o["number"] for o in listed["results"]] == [number]
    assert op.get("/hotline/orders", {"status": "nope"}).json()["code"] == "hotline.status"
    assert api(world.alice).get(f"/hotline/orders/{number}").status_code == 404
    assert api(world.head_a).post("/hotline/orders", body).status_code == 403
