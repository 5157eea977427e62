"""The board, the purchase page, the owner's workbench and an agency's registrations, and the API
of purchases: each offers what the rules allow the person (selection.allowed_actions), refuses
the others, keeps the registrants to a count and the seed unpublished until the close/draw."""

import datetime as dt
import re

import pytest

from onewindow import clock, draws
from onewindow.market import selection, services
from onewindow.market.models import Purchase, Registration
from onewindow.market.tests.conftest import DEADLINE, MONDAY

pytestmark = pytest.mark.django_db

AFTER = DEADLINE + services.CLOSE_GRACE
S = Purchase.Status


@pytest.fixture
def drawn(market, post, new_agency, register):
    """A random purchase with three registrants, closed by the draw."""
    purchase = post(method="random", title="新厂区1:500地形测绘")
    agencies = [new_agency(i) for i in (1, 2, 3)]
    for a, fen in zip(agencies, (2_100_000, 2_200_000, 2_300_000), strict=True):
        register(purchase, a, offer_fen=fen)
    with clock.frozen(AFTER):
        selection.close(purchase)
    purchase.refresh_from_db()
    return purchase, agencies


def html(response) -> str:
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


# ---- the board and the purchase page -------------------------------------------------------------


def test_the_board_is_public_posted_first_with_filters(world, market, post, as_user, drawn):
    open_ = post(
        title="环评报告编制", service_type=market.assessment, budget_fen=8_000_000, time_limit_days=25
    )
    with clock.frozen(MONDAY):
        page = html(as_user(None).get("/market/"))
    rows = re.findall(r'data-testid="board-row" data-status="(\w+)"', page)
    assert rows == ["posted", "selected"]
    assert page.index(open_.title) < page.index(drawn[0].title)
    assert "80,000.00 元" in page and "2026-11-06 17:00" in page and "随机抽取" in page
    with clock.frozen(MONDAY):
        only_hp = html(as_user(None).get("/market/?service_type=HP"))
        selected = html(as_user(None).get("/market/?status=selected"))
    assert open_.title in only_hp and drawn[0].title not in only_hp
    assert drawn[0].title in selected and open_.title not in selected


def test_before_the_close_only_the_count_and_never_the_seed(
    world, market, post, new_agency, register, as_user, api
):
    purchase = post(method="random")
    a, b = new_agency(1), new_agency(2)
    register(purchase, a, offer_fen=2_345_600)
    register(purchase, b)
    for viewer in (None, market.owner, a.user, b.user, world.hall_admin):
        with clock.frozen(MONDAY):
            page = html(as_user(viewer).get(f"/market/purchases/{purchase.number}/"))
            body = api(viewer).get(f"/market/purchases/{purchase.number}").json()
        assert purchase.seed not in page and purchase.seed not in str(body)
        assert purchase.seed_commitment in page and body["seed_commitment"] == purchase.seed_commitment
        assert 'data-testid="registrant-count">2<' in page and 'data-testid="registrant"' not in page
        if viewer != a.user:  # who and how much: after the close (an agency sees its own offer)
            assert a.name not in page and "23,456.00" not in page
        assert body["registrants"] is None and body["registration_count"] == 2 and body["seed"] is None
    assert api(None).get(f"/market/purchases/{purchase.number}/draw").status_code == 404
    with clock.frozen(MONDAY):
        assert purchase.seed not in html(as_user(None).get("/market/"))


def test_after_the_draw_the_registrants_the_seed_and_its_replay(world, market, as_user, drawn):
    purchase, agencies = drawn
    page = html(as_user(None).get(f"/market/purchases/{purchase.number}/"))
    assert page.count('data-testid="registrant"') == 3 and all(a.name in page for a in agencies)
    assert f'data-testid="seed" class="anywhere">{purchase.seed}<' in page
    winner = draws.pick(purchase.seed, [a.credit_code for a in agencies], 1)[0]
    assert f'data-testid="draw-result">{winner}<' in page
    assert "本页按公开数据复算，结果一致" in page and "一致（SHA-256(种子) = 承诺）" in page
    assert "def pick(seed_hex, candidates, k):" in page and "docs/market.md" in page
    assert f'href="/market/purchases/{purchase.number}/contract/"' in page


def test_an_eligible_agency_gets_the_form_and_registers_on_the_page(world, market, post, new_agency, as_user):
    purchase = post(budget_fen=3_000_000, time_limit_days=15)
    agency, black = new_agency(1), new_agency(2, grade="D")
    url = f"/market/purchases/{purchase.number}/"
    with clock.frozen(MONDAY):
        page = html(as_user(agency.user).get(url))
        assert (
            'data-testid="form-register"' in page
            and "报价不超过 30,000.00 元，承诺时限不超过 15 个工作日" in page
        )
        blocked = html(as_user(black.user).get(url))
        assert 'data-testid="form-register"' not in blocked and "已列入黑名单" in blocked
        for viewer in (None, market.owner, world.alice):
            assert 'data-testid="form-register"' not in html(as_user(viewer).get(url))
        # Above the cap: the page again with the message, nothing written.
        refused = as_user(agency.user).post(url + "register/", {"offer": "30000.01", "offer_days": "10"})
        assert refused.status_code == 400 and "超过本项目的收费上限30,000.00元" in refused.content.decode()
        assert not Registration.objects.exists()
        done = as_user(agency.user).post(
            url + "register/", {"offer": "24,500", "offer_days": "10", "note": "三日进场"}
        )
        assert done.status_code == 302 and done["Location"] == url
        assert Registration.objects.get().offer_fen == 2_450_000
        page = html(as_user(agency.user).get(url))
        assert 'data-testid="form-withdraw"' in page and 'data-testid="form-register"' not in page
        assert (
            as_user(black.user).post(url + "register/", {"offer": "100", "offer_days": "5"}).status_code
            == 403
        )
        assert as_user(agency.user).post(url + "withdraw/").status_code == 302
        assert Registration.objects.get().withdrawn_at is not None
        mine = html(as_user(agency.user).get("/my/market/registrations/"))
        assert purchase.number in mine and "已撤回" in mine


def test_the_owner_chooses_on_the_page_and_others_are_refused(
    world, market, post, new_agency, register, as_user
):
    purchase = post(method="direct")
    a, b = new_agency(1), new_agency(2)
    register(purchase, a)
    rb = register(purchase, b, offer_fen=2_200_000)
    with clock.frozen(AFTER):
        selection.close(purchase)
    url = f"/market/purchases/{purchase.number}/"
    page = html(as_user(market.owner).get(url))
    assert 'data-testid="form-choose"' in page and 'data-testid="form-cancel"' in page
    assert 'data-testid="form-choose"' not in html(as_user(a.user).get(url))
    assert as_user(a.user).post(url + "choose/", {"registration": rb.pk}).status_code == 403
    assert as_user(None).post(url + "choose/", {"registration": rb.pk}).status_code == 302  # to the login
    assert Purchase.objects.get(pk=purchase.pk).status == S.CHOOSING
    with clock.frozen(AFTER):  # the choice re-checks eligibility on its day
        chose = as_user(market.owner).post(url + "choose/", {"registration": rb.pk, "reason": "报价合理"})
    assert chose.status_code == 302
    purchase.refresh_from_db()
    assert purchase.status == S.SELECTED and purchase.selected == rb
    assert as_user(market.owner).post(url + "contract/").status_code in (404, 405)  # not ours
    mine = html(as_user(b.user).get("/my/market/registrations/"))
    assert "已选定" in mine


def test_the_owner_posts_on_the_workbench(world, market, as_user, new_agency):
    client = as_user(market.owner)
    with clock.frozen(MONDAY):
        form = html(client.get("/my/market/purchases/new/"))
        assert "25,000.00 元" in form and "50,000.00 元" in form  # 工程测绘: small/micro and other
        bad = client.post("/my/market/purchases/new/", {
            "title": "测绘", "service_type": "CH", "owner_type": "small_micro", "scope": "地形图", "budget": "26000",
            "time_limit_days": "10", "method": "random", "registration_deadline": "2026-11-06T17:00"})  # fmt: skip
        assert (
            bad.status_code == 400 and "预算上限不能超过该服务的收费上限25,000.00元" in bad.content.decode()
        )
        done = client.post("/my/market/purchases/new/", {
            "title": "厂房测绘", "service_type": "CH", "owner_type": "small_micro", "scope": "1:500 地形图",
            "budget": "24000", "time_limit_days": "10", "method": "best_value",
            "registration_deadline": "2026-11-06T17:00"})  # fmt: skip
        purchase = Purchase.objects.get()
        assert done.status_code == 302 and done["Location"] == f"/market/purchases/{purchase.number}/"
        assert purchase.registration_deadline == DEADLINE and purchase.budget_fen == 2_400_000
        listing = html(client.get("/my/market/purchases/"))
        assert purchase.number in listing and "综合优选" in listing
    agency = new_agency(1)
    for user in (agency.user, world.alice):
        assert as_user(user).get("/my/market/purchases/").status_code == 403
        assert as_user(user).post("/my/market/purchases/new/", {"title": "x"}).status_code == 403
    assert as_user(market.owner).get("/my/market/registrations/").status_code == 403
    assert as_user(None).get("/my/market/purchases/").status_code == 302


def test_failed_then_reposted_on_the_page(world, market, post, new_agency, register, as_user):
    purchase = post()
    register(purchase, new_agency(1))
    with clock.frozen(AFTER):
        selection.close(purchase)
    url = f"/market/purchases/{purchase.number}/"
    with clock.frozen(AFTER):
        page = html(as_user(market.owner).get(url))
        assert "流标：报名不足2家" in page and 'data-testid="form-repost"' in page
        done = as_user(market.owner).post(url + "repost/", {"registration_deadline": "2026-11-13T17:00"})
    new = Purchase.objects.get(reposted_from=purchase)
    assert done.status_code == 302 and done["Location"] == f"/market/purchases/{new.number}/"
    assert new.registration_deadline == dt.datetime(2026, 11, 13, 17, 0, tzinfo=clock.hall_tz())
    page = html(as_user(None).get(url))
    assert f'data-testid="reposted-as">{new.number}<' in page and 'data-testid="form-repost"' not in page


def test_navigation_links_by_who_is_looking(world, market, new_agency, as_user):
    agency = new_agency(1)
    anonymous = html(as_user(None).get("/market/"))
    assert 'href="/market/"' in anonymous and "/my/market/purchases/" not in anonymous
    owner = html(as_user(market.owner).get("/market/"))
    assert 'href="/my/market/purchases/"' in owner and 'href="/my/market/registrations/"' not in owner
    agent = html(as_user(agency.user).get("/market/"))
    assert 'href="/my/market/registrations/"' in agent and 'href="/my/market/purchases/"' not in agent


def test_an_unknown_purchase_is_404(world, market, as_user, api):
    assert as_user(None).get("/market/purchases/ZJ2026999999/").status_code == 404
    assert api(None).get("/market/purchases/ZJ2026999999").json()["code"] == "market.purchase_not_found"


# ---- the API ---------------------------------------------------------------------------------------


def test_api_list_detail_and_draw(world, market, post, api, drawn):
    purchase, agencies = drawn
    with clock.frozen(MONDAY):
        open_ = post(title="另一项目")
        listed = api(None).get("/market/purchases").json()
    assert listed["count"] == 2 and [r["number"] for r in listed["results"]] == [
        open_.number,
        purchase.number,
    ]
    second = api(None).get("/market/purchases", {"page": 2, "page_size": 1}).json()
    assert second["count"] == 2 and [r["number"] for r in second["results"]] == [purchase.number]
    assert api(None).get("/market/purchases", {"status": "nonsense"}).status_code == 400
    body = api(None).get(f"/market/purchases/{purchase.number}").json()
    assert body["status"] == "selected" and body["seed"] == purchase.seed and body["currency"] == "CNY"
    assert [r["offer_fen"] for r in body["registrants"]] == [2_100_000, 2_200_000, 2_300_000]
    draw = api(None).get(f"/market/purchases/{purchase.number}/draw").json()
    assert draw["matches"] and draw["commitment_matches"] and draw["commitment"] == purchase.seed_commitment
    assert draw["result"] == [body["selected"]] == draws.pick(draw["seed"], draw["candidates"], draw["k"])
    assert draw["candidates"] == sorted(a.credit_code for a in agencies)


def test_the_published_snippet_replays_the_api_answer(world, market, api, drawn, capsys, monkeypatch):
    """The snippet the page and the docs print, run on the API's answer, gives the winner."""
    import io
    import json

    purchase, _ = drawn
    answer = api(None).get(f"/market/purchases/{purchase.number}/draw").json()
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(answer)))
    exec(compile(selection.REPLAY_SNIPPET, "replay.py", "exec"), {"__name__": "__main__"})
    printed = capsys.readouterr().out
    assert "seed matches commitment: True" in printed
    assert f"replayed: {answer['result']} recorded: {answer['result']}" in printed


def test_api_steps_for_the_right_people(world, market, new_agency, api):
    a, b, black = new_agency(1), new_agency(2), new_agency(3, grade="D")
    body = {"title": "厂房测绘", "service_type": "CH", "owner_type": "other", "scope": "1:500 地形图",
            "budget_fen": 3_000_000, "time_limit_days": 15, "method": "direct",
            "registration_deadline": "2026-11-06T17:00:00+08:00"}  # fmt: skip
    with clock.frozen(MONDAY):
        assert api(a.user).post("/market/purchases", body).json()["code"] == "market.not_owner"
        assert api(None).post("/market/purchases", body).status_code == 401
        created = api(market.owner).post("/market/purchases", body)
        assert created.status_code == 201, created.json()
        number = created.json()["number"]
        assert created.json()["allowed_actions"] == ["cancel"]
        offer = {"offer_fen": 2_000_000, "offer_days": 10}
        answer = api(a.user).post(f"/market/purchases/{number}/register", offer)
        assert answer.status_code == 200 and answer.json()["allowed_actions"] == ["withdraw"]
        assert api(b.user).post(f"/market/purchases/{number}/register", offer).status_code == 200
        refused = api(black.user).post(f"/market/purchases/{number}/register", offer)
        assert refused.status_code == 403 and refused.json()["code"] == "market.blacklisted"
        assert (
            api(a.user).post(f"/market/purchases/{number}/register", offer).json()["code"]
            == "market.registered_once"
        )
        assert (
            api(black.user).post(f"/market/purchases/{number}/withdraw").json()["code"]
            == "market.not_registered"
        )
        assert (
            api(market.owner)
            .post(f"/market/purchases/{number}/choose", {"agency": a.credit_code})
            .status_code
            == 409
        )
    with clock.frozen(AFTER):
        assert selection.close_due() == 1
        choose = {"agency": b.credit_code, "reason": "报价相同，业绩更好"}
        assert api(a.user).post(f"/market/purchases/{number}/choose", choose).status_code == 403
        done = api(market.owner).post(f"/market/purchases/{number}/choose", choose)
    assert (
        done.status_code == 200
        and done.json()["selected"] == b.credit_code
        and done.json()["status"] == "selected"
    )
    assert api(market.owner).post(f"/market/purchases/{number}/cancel", {"reason": "晚了"}).status_code == 409


def test_api_cancel_and_repost(world, market, post, new_agency, register, api):
    purchase, failed = post(), post()
    register(failed, new_agency(1))
    url = f"/market/purchases/{purchase.number}/cancel"
    with clock.frozen(MONDAY):
        assert api(market.owner).post(url, {"reason": " "}).json()["code"] == "market.required"
        assert api(new_agency(2).user).post(url, {"reason": "x"}).status_code == 403
        cancelled = api(market.owner).post(url, {"reason": "项目暂缓"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    with clock.frozen(AFTER):
        assert selection.close_due() == 1
        assert Purchase.objects.get(pk=failed.pk).status == S.FAILED
        answer = api(market.owner).post(f"/market/purchases/{failed.number}/repost",
                                        {"registration_deadline": "2026-11-13T17:00:00"})  # fmt: skip
    assert answer.status_code == 201 and answer.json()["reposted_from"] == failed.number
    deadline = dt.datetime.fromisoformat(answer.json()["registration_deadline"])
    assert deadline == dt.datetime(2026, 11, 13, 17, 0, tzinfo=clock.hall_tz())  # no offset: the hall's time
    assert api(None).get(f"/market/purchases/{failed.number}").json()["reposted_as"] == [
        answer.json()["number"]
    ]
