"""The trading API as a client uses it: the board and the announcement, sealed bids with their
receipts (retries with an Idempotency-Key), and the whole procurement from the opening to the
contract — each step a POST answering the project, refusals in the one error shape."""

import datetime as dt
import hashlib
import json

import pytest

from onewindow.accounts.services import issue_token
from onewindow.trading import ocds
from onewindow.trading.models import Bid, Project, Release
from onewindow.trading.tests.conftest import BEFORE, CLARIFY, MONDAY, OPENING, SPECIALTY, TZ

pytestmark = pytest.mark.django_db


def announcement(trading, **kw) -> dict:
    return {"owner": trading.owner_applicant.credit_code, "kind": "procurement", "method": "open_tender",
            "title": "教学楼改造工程", "budget_fen": 200_000_000, "supervisor": trading.supervisor.code,
            "description": "教学楼外墙及屋面改造。", "documents": "资格条件：建筑工程施工总承包三级以上。",
            "clarification_until": CLARIFY.isoformat(), "opening_at": OPENING.isoformat(), "price_weight": 30,
            "committee_size": 5, "economic_experts": 1, "specialty": SPECIALTY, "reserves": 2, **kw}  # fmt: skip


def test_the_board_and_the_announcement(world, trading, api, at, new_bidder):
    at(MONDAY)
    officer = api(trading.officer)
    refused = api(trading.owner).post("/trading/projects", announcement(trading))
    assert (refused.status_code, refused.json()["code"]) == (403, "trading.not_officer")
    invalid = officer.post("/trading/projects", {"title": "缺字段"})
    assert invalid.status_code == 400 and set(invalid.json()) == {"code", "message", "details"}
    assert invalid.json()["code"] == "request.invalid"
    wrong = officer.post("/trading/projects", announcement(trading, method="auction"))
    assert (wrong.status_code, wrong.json()["code"]) == (400, "trading.method")
    made = officer.post("/trading/projects", announcement(trading))
    assert made.status_code == 201, made.json()
    project = made.json()
    assert (project["status"], project["currency"], project["rules"]["min_bids"]) == ("announced", "CNY", 3)
    assert project["seed"] is None and len(project["seed_commitment"]) == 64
    assert project["opening"] is project["committee"] is project["results"] is None
    assert project["allowed_actions"] == ["cancel"]
    land = officer.post(
        "/trading/projects", announcement(trading, kind="land", method="auction", title="地块出让")
    )
    assert land.status_code == 201 and land.json()["rules"]["committee_size"] == 0

    anonymous = api(None)
    board = anonymous.get("/trading/projects").json()
    assert board["count"] == 2 and {p["number"] for p in board["results"]} == {
        project["number"],
        land.json()["number"],
    }
    assert anonymous.get("/trading/projects", {"kind": "land"}).json()["count"] == 1
    assert (
        anonymous.get("/trading/projects", {"method": "open_tender", "status": "announced"}).json()["count"]
        == 1
    )
    bad = anonymous.get("/trading/projects", {"status": "sold"})
    assert (bad.status_code, bad.json()["code"]) == (400, "trading.filter")
    assert anonymous.get("/trading/projects", {"page_size": 500}).status_code == 400
    missing = anonymous.get("/trading/projects/JY0000")
    assert (missing.status_code, missing.json()["code"]) == (404, "trading.not_found")
    # A bidder is offered the bid.
    assert api(new_bidder(1).user).get(f"/trading/projects/{project['number']}").json()[
        "allowed_actions"
    ] == ["bid"]


def test_a_bid_answers_its_receipt_and_retries_are_idempotent(announce, new_bidder, api, at):
    project = announce()
    firm = new_bidder(1)
    client = api(firm.user)
    path = f"/trading/projects/{project.number}"
    at(BEFORE)
    body = {"price_fen": 180_000_000, "days": 90, "proposal": "施工组织设计：分三段流水施工。"}
    first = client.post(path + "/bid", body, **{"Idempotency-Key": "bid-1"})
    assert first.status_code == 201, first.json()
    receipt = first.json()
    assert hashlib.sha256(receipt["document"].encode()).hexdigest() == receipt["digest"]
    assert json.loads(receipt["document"]) == {"project": project.number, "bidder": firm.credit_code,
                                               "price_fen": 180_000_000, "days": 90, "proposal": body["proposal"]}  # fmt: skip
    assert (receipt["version"], receipt["bidder"], receipt["algorithm"]) == (1, firm.credit_code, "SHA-256")
    again = client.post(path + "/bid", body, **{"Idempotency-Key": "bid-1"})
    assert again.status_code == 201 and again.json() == receipt and Bid.objects.count() == 1
    reused = client.post(path + "/bid", {**body, "price_fen": 1}, **{"Idempotency-Key": "bid-1"})
    assert (reused.status_code, reused.json()["code"]) == (409, "request.idempotency_key_reused")
    second = client.post(path + "/bid", {**body, "price_fen": 175_000_000}).json()
    assert second["version"] == 2 and second["digest"] != receipt["digest"]
    mine = client.get(path + "/bids/mine").json()
    assert mine["count"] == 2 and [(r["version"], r["active"]) for r in mine["results"]] == [
        (2, True),
        (1, False),
    ]
    assert mine["results"][1]["digest"] == receipt["digest"] and "document" not in mine["results"][0]
    assert api(None).get(path + "/bids/mine").status_code == 401
    not_bidder = api(new_bidder(2).user).get(path + "/bids/mine").json()
    assert not_bidder == {"count": 0, "results": []}
    assert client.get(path).json()["allowed_actions"] == ["bid", "withdraw"]
    assert client.post(path + "/withdraw").json()["allowed_actions"] == ["bid"]
    again = client.post(path + "/withdraw")
    assert (again.status_code, again.json()["code"]) == (409, "trading.no_bid")
    bad = client.post(path + "/bid", {**body, "days": 0})
    assert (bad.status_code, bad.json()["code"]) == (400, "trading.days")
    at(OPENING)
    late = client.post(path + "/bid", body)
    assert (late.status_code, late.json()["code"]) == (409, "trading.closed")


def test_the_whole_procurement_through_the_api(announce, new_bidder, pool, api, at, trading, world):
    project = announce()
    firms = [new_bidder(n) for n in (1, 2, 3)]
    path = f"/trading/projects/{project.number}"
    at(BEFORE)
    for firm, price in zip(firms, (180_000_000, 170_000_000, 190_000_000), strict=True):
        assert (
            api(firm.user)
            .post(path + "/bid", {"price_fen": price, "days": 90, "proposal": "方案"})
            .status_code
            == 201
        )
    officer = api(trading.officer)
    early = officer.post(path + "/open")
    assert (early.status_code, early.json()["code"]) == (403, "trading.sealed")
    at(OPENING)
    assert officer.get(path).json()["allowed_actions"] == ["open", "cancel"]
    assert api(firms[0].user).post(path + "/open").json()["code"] == "trading.not_officer"
    opened = officer.post(path + "/open").json()
    assert opened["status"] == "opened" and opened["opening"]["bid_count"] == 3
    assert [b["price_fen"] for b in opened["opening"]["bids"]] == [180_000_000, 170_000_000, 190_000_000]
    assert officer.post(path + "/open").json()["code"] == "trading.state"

    # A bid after the opening: the opening record for anyone, the document for its readers.
    seen = api(None).get(f"{path}/bids/{firms[1].credit_code}").json()
    assert seen["opening"]["price_fen"] == 170_000_000 and seen["document"] is None
    own = api(firms[1].user).get(f"{path}/bids/{firms[1].credit_code}").json()["document"]
    assert own["matches_receipt"] and json.loads(own["text"])["price_fen"] == 170_000_000
    assert api(firms[0].user).get(f"{path}/bids/{firms[1].credit_code}").json()["document"] is None
    _, token = issue_token(firms[1].user, "投标客户端")
    by_token = api(None).client.get(
        f"/api/v1{path}/bids/{firms[1].credit_code}", headers={"Authorization": f"Bearer {token}"}
    )
    assert by_token.json()["document"]["digest"] == own["digest"]
    assert officer.get(f"{path}/bids/{firms[1].credit_code}").json()["document"]["proposal"] == "方案"
    assert api(None).get(f"{path}/bids/91371400MB0000000X").json()["code"] == "trading.bid_not_found"

    pool()
    not_yet = api(None).get(path + "/draw")
    assert (not_yet.status_code, not_yet.json()["code"]) == (409, "trading.draw_not_public")
    drawn = officer.post(path + "/draw").json()
    assert (
        drawn["committee"] is None
        and drawn["seed"] is None
        and drawn["allowed_actions"] == ["evaluate", "cancel"]
    )
    members = list(
        Project.objects.get(pk=project.pk).seats.filter(role="member").select_related("expert__user")
    )
    declined = api(members[0].expert.user).post(path + "/decline").json()
    assert declined["allowed_actions"] == []
    members = list(Project.objects.get(pk=project.pk).seats.filter(role="member", status="invited")
                   .select_related("expert__user"))  # fmt: skip
    for seat in members:
        assert api(seat.expert.user).post(path + "/confirm").status_code == 200
    started = officer.post(path + "/evaluate").json()
    assert started["status"] == "evaluating" and len(started["committee"]) == 5 and started["seed"]
    draw = api(None).get(path + "/draw").json()
    assert draw["same"] and draw["seed_matches_commitment"] and draw["candidates_match_hash"]
    assert draw["seed"] == started["seed"] and len(draw["published"]["technical"]) == 4

    codes = [f.credit_code for f in firms]
    experts = {m["number"] for m in started["committee"]}
    from onewindow.trading.models import Expert

    for i, expert in enumerate(Expert.objects.filter(number__in=experts).select_related("user")):
        client = api(expert.user)
        wrong = client.post(path + "/score", {"scores": {codes[0]: "60"}})
        assert (wrong.status_code, wrong.json()["code"]) == (400, "trading.scores_incomplete")
        unknown = client.post(path + "/score", {"scores": {c: 60 for c in codes} | {"X": 1}})
        assert unknown.json()["details"]["unknown"] == ["X"]
        scored = client.post(path + "/score", {"scores": {codes[0]: 60, codes[1]: "60.5", codes[2]: 50 + i},
                                               "comments": {codes[0]: "良好"}})  # fmt: skip
        assert scored.status_code == 200, scored.json()
    report = officer.post(path + "/report").json()
    assert report["status"] == "publicity" and report["candidates"][0] == codes[1]
    first = report["results"][0]
    assert first["bidder"] == codes[1] and first["rank"] == 1 and first["price_score"] == "30.00"
    assert len(first["scores"]) == 5 and {s["points"] for s in first["scores"]} == {"60.50"}

    objected = api(firms[0].user).post(path + "/object", {"target": codes[1], "reason": "业绩造假。"}).json()
    objection = objected["objections"][0]
    assert (objection["status"], objection["target"], objection["reason"]) == (
        "pending",
        codes[1],
        "业绩造假。",
    )
    not_candidate = api(firms[0].user).post(path + "/object", {"target": "NOPE", "reason": "x"})
    assert not_candidate.json()["code"] == "trading.target"
    after = dt.datetime.combine(Project.objects.get(pk=project.pk).publicity_until + dt.timedelta(days=1),
                                dt.time(10), tzinfo=TZ)  # fmt: skip
    at(after)
    owner = api(trading.owner)
    paused = owner.post(path + "/award")
    assert (paused.status_code, paused.json()["code"]) == (409, "trading.objection_pending")
    assert (
        owner.post(path + "/answer", {"objection": 999999, "upheld": False, "answer": "x"}).status_code == 404
    )
    answered = owner.post(
        path + "/answer", {"objection": objection["id"], "upheld": False, "answer": "异议不成立。"}
    )
    assert answered.json()["objections"][0]["status"] == "dismissed"
    awarded = owner.post(path + "/award").json()
    assert awarded["award"] == {"bidder": codes[1], "bidder_name": firms[1].name, "amount_fen": 170_000_000,
                                "currency": "CNY", "awarded_at": awarded["timeline"]["awarded_at"]}  # fmt: skip
    signed = owner.post(
        path + "/contract", {"amount_fen": 170_000_000, "signed_on": after.date().isoformat()}
    )
    assert signed.json()["contract"] == {"amount_fen": 170_000_000, "currency": "CNY",
                                         "signed_on": after.date().isoformat()}  # fmt: skip
    assert signed.json()["status"] == "contracted" and signed.json()["allowed_actions"] == []
    actions = [e["action"] for e in api(None).get(path).json()["events"]]
    assert actions[:5] == ["announce", "bid", "bid", "bid", "open"] and actions[-1] == "contract"
    package = api(None).get(path + "/ocds").json()
    assert ocds.validate(package) == [] and len(package["releases"]) == Release.objects.count() == 5


def test_the_change_feed_pages_by_cursor(announce, new_bidder, bid, api, at, trading):
    projects = [announce(title=f"项目{i}") for i in range(3)]
    at(OPENING)
    for p in projects:
        api(trading.officer).post(f"/trading/projects/{p.number}/open")  # no bids: failed
    client = api(None)
    seen, cursor = [], ""
    while True:
        page = client.get("/trading/releases", {"after": cursor, "limit": 2}).json()
        assert ocds.validate({k: v for k, v in page.items() if k not in ("next", "has_more")}) == []
        seen += [r["id"] for r in page["releases"]]
        cursor = page["next"]
        if not page["has_more"]:
            break
    assert (
        seen == list(Release.objects.order_by("pk").values_list("release_id", flat=True)) and len(seen) == 6
    )
    idle = client.get("/trading/releases", {"since": cursor}).json()
    assert idle["releases"] == [] and idle["next"] == cursor and not idle["has_more"]
    bad = client.get("/trading/releases", {"after": "nope"})
    assert (bad.status_code, bad.json()["code"]) == (400, "trading.cursor")
    assert client.get("/trading/releases", {"limit": 201}).status_code == 400
    one = client.get(f"/trading/releases/{seen[-1]}").json()  # the last opening: failed, no bids
    assert [r["id"] for r in one["releases"]] == [seen[-1]] and ocds.validate(one) == []
    assert one["releases"][0]["tender"]["status"] == "unsuccessful"
    assert client.get("/trading/releases/nope").json()["code"] == "trading.release_not_found"


def test_a_land_auction_has_no_draw(announce, api):
    project = announce(kind="land", method="auction", committee_size=0, economic_experts=0)
    answer = api(None).get(f"/trading/projects/{project.number}/draw")
    assert (answer.status_code, answer.json()["code"]) == (404, "trading.no_committee")


def test_cancelling_before_the_opening_publishes_nothing_of_the_bids(
    announce, new_bidder, bid, api, at, trading
):
    project = announce()
    firm = new_bidder(1)
    bid(project, firm, 180_000_000)
    path = f"/trading/projects/{project.number}"
    refused = api(firm.user).post(path + "/cancel", {"reason": "不想招了"})
    assert (refused.status_code, refused.json()["code"]) == (403, "trading.not_officer")
    assert api(trading.officer).post(path + "/cancel", {}).status_code == 400
    cancelled = api(trading.officer).post(path + "/cancel", {"reason": "采购需求取消"}).json()
    assert (cancelled["status"], cancelled["closed_reason"], cancelled["opening"]) == (
        "cancelled",
        "采购需求取消",
        None,
    )
    package = api(None).get(path + "/ocds").text
    assert (
        firm.credit_code not in package and "numberOfTenderers" not in package and "180000000" not in package
    )
    assert json.loads(package)["releases"][-1]["tender"]["status"] == "cancelled"
    assert api(trading.officer).post(path + "/cancel", {"reason": "再次"}).json()["code"] == "trading.state"


@pytest.mark.parametrize("field", ["clarification_until", "opening_at"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00", "9999-12-31T23:59:59+08:00"])
def test_times_out_of_this_world_are_refused_not_crashed(trading, api, at, field, value):
    """A year near 1 or 9999 would overflow the conversion to UTC (a 500): refused with 400."""
    at(MONDAY)
    refused = api(trading.officer).post("/trading/projects", announcement(trading, **{field: value}))
    assert (refused.status_code, refused.json()["code"]) == (400, "trading.datetime")
    assert refused.json()["details"]["field"] == field and not Project.objects.exists()
