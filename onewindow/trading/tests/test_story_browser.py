"""A procurement from announcement to contract in headless Chromium: the trading center registers
it; three bidders send sealed bids and keep their receipts; the public sees nothing about bids
until the opening; the officer opens and draws; the drawn experts confirm and score; the result
publishes every expert's score; an objection pauses the award until the owner answers; after the
publicity the owner awards and records the contract; the public page shows it with the savings.
The clock is process-global (the live server's thread reads it too): `at` moves it.
Screenshots in /tmp/shots/20-tpages-*.png."""

import datetime as dt
from pathlib import Path

import pytest

from onewindow.personas import PASSWORD
from onewindow.trading.models import Bid, Objection, Project, Seat
from onewindow.trading.tests.conftest import BEFORE, MONDAY, OPENING, TZ
from onewindow.web.tests.browser import PHONE, Watched, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots")
FITS = "document.documentElement.scrollWidth <= window.innerWidth + 1"
PRICES = {1: "1800000", 2: "1700000", 3: "1900000"}


def shot(watched: Watched, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=str(SHOTS / f"20-tpages-{name}.png"), full_page=True)


@pytest.fixture
def person(browser, live_server):
    """person(username, phone=False) → a logged-in page of its own (None: anonymous)."""
    contexts = []

    def make(username: str | None, phone: bool = False) -> Watched:
        size = PHONE if phone else {"width": 1280, "height": 900}
        context = browser.new_context(viewport=size, locale="zh-CN", is_mobile=phone, has_touch=phone)
        contexts.append(context)
        watched = Watched(context.new_page())
        if username:
            log_in(watched, live_server.url, username, PASSWORD)
        return watched

    yield make
    for context in contexts:
        context.close()


def submit(watched: Watched) -> None:
    watched.page.wait_for_load_state("networkidle")


def test_a_procurement_from_announcement_to_contract(
    world, trading, new_bidder, pool, at, live_server, person
):
    base = live_server.url
    bidders = {n: new_bidder(n) for n in (1, 2, 3)}
    pool()

    # The trading center registers the procurement (Monday).
    at(MONDAY)
    officer = person("trading_officer")
    page = officer.page
    page.goto(base + "/staff/")
    page.click("main a.card:has-text('交易工作台')")
    page.click("[data-testid=new-project]")
    page.fill("#f-owner", trading.owner_applicant.credit_code)
    page.fill("#f-title", "教学楼改造工程")
    page.select_option("#f-kind", "procurement")
    page.select_option("#f-method", "open_tender")
    assert page.locator("#f-method option[value=auction]").is_disabled()  # not a method of procurement
    page.fill("#f-budget", "2000000")
    page.select_option("#f-supervisor", str(world.dept_a.pk))
    page.fill("#f-description", "教学楼外墙及屋面改造。")
    page.fill("#f-documents", "资格条件：具备建筑工程施工总承包三级以上资质。")
    page.fill("#f-clarification", "2026-11-13T17:00")
    page.fill("#f-opening", "2026-11-23T09:30")
    page.fill("#f-specialty", "房屋建筑")
    shot(officer, "officer-register")
    page.click("[data-testid=announce-form] button[type=submit]")
    submit(officer)
    project = Project.objects.get()
    assert page.url.endswith(f"/trading/projects/{project.number}/")
    assert page.inner_text("[data-testid=project-status]") == "公告中"

    # Three bidders send sealed bids before the deadline; each keeps its receipt.
    at(BEFORE)
    digests = {}
    for n, bidder in bidders.items():
        watched = person(f"bidder{n}")
        bp = watched.page
        bp.goto(f"{base}/trading/projects/{project.number}/")
        bp.fill("[data-testid=form-bid] [name=price]", PRICES[n])
        bp.fill("[data-testid=form-bid] [name=days]", "90")
        bp.fill("[data-testid=form-bid] [name=proposal]", f"第{n}家：施工组织设计，分三段流水施工。")
        bp.click("[data-testid=form-bid] button")
        submit(watched)
        digests[n] = bp.inner_text("[data-testid=digest]")
        assert digests[n] == Bid.objects.get(bidder=bidder).digest
        assert f'"price_fen":{int(PRICES[n]) * 100}' in bp.inner_text("[data-testid=document]")
        assert bp.locator("[data-testid=download]").get_attribute("download").endswith("-v1.json")
        if n == 1:
            shot(watched, "bidder-receipt")
        assert not watched.errors, watched.errors

    # Anyone may read the announcement; nothing about the bids.
    public = person(None, phone=True)
    pp = public.page
    pp.goto(f"{base}/trading/projects/{project.number}/")
    body = pp.content()
    assert pp.locator("[data-testid=sealed]").is_visible()
    assert all(b.name not in body for b in bidders.values()) and "opening-row" not in body
    assert pp.evaluate(FITS), "the project page is wider than the phone"
    shot(public, "public-sealed-phone")

    # At the opening time the officer opens the bids and draws the committee.
    at(OPENING)
    page.goto(f"{base}/trading/projects/{project.number}/")
    page.click("[data-testid=form-open] button")
    submit(officer)
    assert page.locator("[data-testid=opening-row]").count() == 3
    page.click("[data-testid=form-draw] button")
    submit(officer)
    assert page.locator("[data-testid=draw-seat]").count() == 9
    shot(officer, "officer-draw")

    # The drawn members confirm on their page.
    members = list(Seat.objects.filter(project=project, role=Seat.Role.MEMBER).select_related("expert__user"))
    experts = {}
    for seat in members:
        watched = person(seat.expert.user.username)
        experts[seat.pk] = watched
        watched.page.goto(base + "/my/trading/expert/")
        watched.page.click("[data-testid=form-confirm] button")
        submit(watched)
        assert watched.page.inner_text("[data-testid=seat] .badge") == "已确认"
    pp.reload()
    assert "draw-status" not in pp.content() and pp.locator("[data-testid=committee]").count() == 0

    page.reload()
    page.click("[data-testid=form-evaluate] button")
    submit(officer)
    assert page.inner_text("[data-testid=project-status]") == "评标中"

    # Each member scores every valid bid (out of 70): the lowest price (bidder 2) also scores best.
    for i, seat in enumerate(members):
        watched = experts[seat.pk]
        ep = watched.page
        ep.goto(base + "/my/trading/expert/")
        ep.click("[data-testid=to-score]")
        ep.wait_for_load_state("networkidle")
        assert "第2家：施工组织设计" in ep.text_content("[data-testid=bid-documents]")
        fields = ep.locator("[data-testid=points]")
        for j in range(fields.count()):
            fields.nth(j).fill(str((55, 62, 50)[j] + i))  # bids in arrival order: bidder 1, 2, 3
        if i == 0:
            shot(watched, "expert-score")
        ep.click("[data-testid=form-score] button")
        submit(watched)
        assert not watched.errors, watched.errors

    page.reload()
    page.click("[data-testid=form-report] button")
    submit(officer)
    assert page.inner_text("[data-testid=project-status]") == "候选人公示中"

    # The public page names every expert's score per bidder.
    pp.reload()
    assert pp.locator("[data-testid=expert-scores]").count() == 5
    assert pp.locator("[data-testid=expert-score]").count() == 15
    assert pp.locator("[data-testid=member]").count() == 5
    assert pp.text_content("[data-testid=replay-check]").startswith("本页按公开的种子和候选复算")
    assert pp.evaluate(FITS), "the result is wider than the phone"
    shot(public, "public-result-phone")
    desk = person(None)
    desk.page.goto(f"{base}/trading/projects/{project.number}/")
    shot(desk, "public-result-desktop")

    # The second-ranked bidder objects to the first during the publicity.
    project.refresh_from_db()
    first = Bid.objects.get(project=project, rank=1)
    second = Bid.objects.get(project=project, rank=2)
    objector = person(second.bidder.user.username, phone=True)
    op = objector.page
    op.goto(f"{base}/trading/projects/{project.number}/")
    op.check(f"[data-testid=form-object] input[value='{first.pk}']")
    op.fill("[data-testid=form-object] [name=reason]", "第一名的类似工程业绩与实际不符。")
    op.click("[data-testid=form-object] button")
    submit(objector)
    assert op.locator("[data-testid=objection]").count() == 1
    shot(objector, "bidder-objection-phone")

    # After the publicity the objection still pauses the award, until the owner answers.
    at(dt.datetime.combine(project.publicity_until + dt.timedelta(days=1), dt.time(10), tzinfo=TZ))
    owner = person("owner_t")
    wp = owner.page
    wp.goto(base + "/my/trading/projects/")
    wp.click(f"text={project.number}")
    wp.wait_for_load_state("networkidle")
    assert wp.locator("[data-testid=form-award]").count() == 0
    assert "有尚未答复的异议" in wp.inner_text("[data-testid=award-refusal]")
    shot(owner, "owner-award-paused")
    wp.fill("[data-testid=form-answer] [name=answer]", "经核查，业绩合同及竣工验收资料属实，异议不成立。")
    wp.click("[data-testid=form-answer] button")
    submit(owner)
    assert Objection.objects.get().status == Objection.Status.DISMISSED
    wp.click("[data-testid=form-award] button")
    submit(owner)
    assert wp.inner_text("[data-testid=project-status]") == "已定标"
    wp.fill("[data-testid=form-contract] [name=amount]", "1700000")
    wp.click("[data-testid=form-contract] button")
    submit(owner)
    assert wp.inner_text("[data-testid=project-status]") == "已签约"
    shot(owner, "owner-contract")

    pp.reload()
    assert "1,700,000.00 元" in pp.inner_text("[data-testid=contract]")
    assert "300,000.00 元" in pp.inner_text("[data-testid=savings]") and "15.00%" in pp.inner_text(
        "[data-testid=savings]"
    )
    assert pp.evaluate(FITS)
    shot(public, "public-contract-phone")
    assert not (officer.errors or public.errors or owner.errors or objector.errors)
    assert Project.objects.get().status == Project.Status.CONTRACTED
