"""The trading's pages: what each person sees and may do on a project's page, the board, the
receipts, the expert's and the owner's lists, the trading center's workbench and register form;
before the opening nobody learns who bid or how many; every refusal shows its message and changes
nothing."""

import datetime as dt

import pytest

from onewindow.trading import committee, evaluation, sealing
from onewindow.trading.models import Bid, Objection, Project, Seat
from onewindow.trading.tests.conftest import BEFORE, MONDAY, OPENING, TZ

pytestmark = pytest.mark.django_db


def url(project, action=""):
    return f"/trading/projects/{project.number}/" + (f"{action}/" if action else "")


def text(response) -> str:
    return response.content.decode()


def reported(evaluating, trading, points=("60", "55", "50")):
    """A project whose 5 experts scored (each bid its own points) and whose result is published."""
    project = evaluating()
    valid = evaluation.valid_bids(project)
    for seat in committee.members(project):
        evaluation.submit_scores(
            project, by=seat.expert.user, points=dict(zip([b.pk for b in valid], points, strict=True))
        )
    evaluation.report(project, by=trading.officer)
    project.refresh_from_db()
    return project


# ---- before the opening: the bids are secret --------------------------------------------------


def test_before_the_opening_the_page_tells_nobody_who_bid_or_how_many(
    announce, new_bidder, bid, at, as_user, trading
):
    project = announce()
    for n, price in enumerate((180_000_000, 170_000_000, 190_000_000), start=1):
        bid(project, new_bidder(n), price)
    for viewer in (None, trading.owner, trading.officer, new_bidder(9).user):
        page = as_user(viewer).get(url(project))
        body = text(page)
        assert page.status_code == 200
        assert 'data-testid="sealed"' in body
        assert "德州第1建设" not in body and "opening-row" not in body and "1,800,000.00" not in body
        assert (
            "递交投标文件</li>" not in body and body.count('data-testid="event"') == 1
        )  # the announcement only
        assert "form-open" not in body
    at(OPENING)
    page = text(as_user(None).get(url(project)))
    assert "德州第1建设" not in page  # due but not yet opened: still sealed
    as_user(trading.officer).post(url(project, "open"))
    page = text(as_user(None).get(url(project)))
    assert page.count('data-testid="opening-row"') == 3 and "1,700,000.00 元" in page


def test_a_bidder_sees_its_own_receipts_only(announce, new_bidder, bid, as_user):
    project = announce()
    first, _ = bid(project, new_bidder(1), 180_000_000)
    bid(project, new_bidder(2), 170_000_000)
    page = text(as_user(first.bidder.user).get(url(project)))
    assert first.digest in page and page.count('data-testid="my-bid"') == 1
    assert "德州第2建设" not in page


# ---- the bidder's forms ------------------------------------------------------------------------


def test_a_bidder_submits_reads_its_receipt_and_withdraws(announce, new_bidder, at, as_user):
    project = announce()
    bidder = new_bidder(1)
    at(BEFORE)
    client = as_user(bidder.user)
    assert 'data-testid="form-bid"' in text(client.get(url(project)))
    page = client.post(
        url(project, "bid"), {"price": "1800000.50", "days": "90", "proposal": "分三段流水施工。"}
    )
    assert page.status_code == 200
    stored = Bid.objects.get(project=project)
    body = text(page)
    assert stored.digest in body and 'data-testid="form-withdraw"' in body
    document = page.context["document"].encode()
    assert sealing.digest(document) == stored.digest
    assert b'"price_fen":180000050' in document and "分三段流水施工" not in bytes(stored.ciphertext).decode(
        "latin-1"
    )
    listed = text(client.get("/my/trading/bids/"))
    assert stored.digest in listed and project.number in listed
    assert client.post(url(project, "withdraw")).status_code == 302
    stored.refresh_from_db()
    assert stored.withdrawn_at is not None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "1e30", "投标报价超出允许范围"),
        ("price", "99999999999999999999999", "投标报价超出允许范围"),
        ("price", "-5", "投标报价应为大于0的金额"),
        ("price", "NaN", "投标报价应为大于0的金额"),
        ("days", "100000", "工期/交付期应在1至3650之间"),
        ("days", "9" * 400, "工期/交付期应在1至3650之间"),
        ("proposal", "施工\x00组织", "控制字符"),
        ("proposal", "", "请填写技术商务响应"),
    ],
)
def test_hostile_bids_are_refused_with_a_message_and_kept(
    announce, new_bidder, at, as_user, field, value, message
):
    project = announce()
    bidder = new_bidder(1)
    at(BEFORE)
    post = {"price": "1800000", "days": "90", "proposal": "分三段流水施工。", field: value}
    page = as_user(bidder.user).post(url(project, "bid"), post)
    assert page.status_code == 400
    assert message in text(page)  # a control character: refused before the form (InputGuardMiddleware)
    assert not Bid.objects.exists()
    if field != "proposal":
        assert f'value="{value}"' in text(page)  # the input is kept


def test_after_the_deadline_a_bid_is_refused(announce, new_bidder, at, as_user):
    project = announce()
    bidder = new_bidder(1)
    at(OPENING)
    assert 'data-testid="form-bid"' not in text(as_user(bidder.user).get(url(project)))
    page = as_user(bidder.user).post(url(project, "bid"), {"price": "1800000", "days": "90", "proposal": "x"})
    assert page.status_code == 409 and "投标截止时间已过" in page.context["error"]
    assert not Bid.objects.exists()


# ---- officer-only steps -------------------------------------------------------------------------


def test_only_the_trading_center_opens_draws_and_reports(
    announce, new_bidder, bid, pool, at, as_user, trading, world
):
    project = announce()
    bidders = [new_bidder(n) for n in (1, 2, 3)]
    for bidder, price in zip(bidders, (180_000_000, 170_000_000, 190_000_000), strict=True):
        bid(project, bidder, price)
    at(OPENING)
    for outsider in (trading.owner, bidders[0].user, world.supervisor, world.head_a):
        page = as_user(outsider).post(url(project, "open"))
        assert page.status_code == 403 and "只有公共资源交易中心工作人员可以开标" in page.context["error"]
        assert 'data-testid="form-open"' not in text(page)
    assert as_user(None).post(url(project, "open")).status_code == 302  # to the login page
    project.refresh_from_db()
    assert project.status == Project.Status.ANNOUNCED
    assert 'data-testid="form-open"' in text(as_user(trading.officer).get(url(project)))
    assert as_user(trading.officer).post(url(project, "open")).status_code == 302
    pool()
    assert as_user(trading.owner).post(url(project, "draw")).status_code == 403
    assert not Seat.objects.exists()
    as_user(trading.officer).post(url(project, "draw"))
    assert Seat.objects.filter(project=project).count() == 9  # 5 members, 2 + 2 reserves
    # The draw's list is the trading center's alone until the evaluation starts.
    assert 'data-testid="draw-status"' in text(as_user(trading.officer).get(url(project)))
    for viewer in (None, trading.owner, world.supervisor):
        body = text(as_user(viewer).get(url(project)))
        assert "draw-status" not in body and "专家1<" not in body and 'data-testid="committee"' not in body
    assert as_user(trading.owner).post(url(project, "evaluate")).status_code == 403
    assert as_user(trading.officer).post(url(project, "nonsense")).status_code == 404


def test_a_get_never_changes_anything(announce, new_bidder, bid, at, as_user, trading):
    project = announce()
    for n in (1, 2, 3):
        bid(project, new_bidder(n), 170_000_000 + n)
    at(OPENING)
    assert as_user(trading.officer).get(url(project, "open")).status_code == 405
    project.refresh_from_db()
    assert project.status == Project.Status.ANNOUNCED


# ---- experts -----------------------------------------------------------------------------------


def test_an_expert_confirms_on_its_page_and_reads_the_bids_only_once_evaluating(
    opened, pool, trading, as_user
):
    pool()
    project = opened()
    committee.draw(project, by=trading.officer)
    seats = list(committee.members(project))
    client = as_user(seats[0].expert.user)
    page = text(client.get("/my/trading/expert/"))
    assert project.number in page and 'data-testid="form-confirm"' in page
    assert client.post(url(project, "confirm"), {"back": "expert"})["Location"] == "/my/trading/expert/"
    assert "分三段流水施工" not in text(client.get(url(project)))  # confirmed, not yet evaluating
    for seat in seats[1:]:
        committee.answer(project, by=seat.expert.user, accept=True)
    as_user(trading.officer).post(url(project, "evaluate"))
    page = text(client.get(url(project)))
    assert "分三段流水施工" in page and 'data-testid="form-score"' in page
    assert "分三段流水施工" not in text(as_user(None).get(url(project)))
    assert 'data-testid="committee"' in text(as_user(None).get(url(project)))  # now public, with the replay
    assert "本页按公开的种子和候选复算，结果一致" in text(as_user(None).get(url(project)))


def test_scores_out_of_range_are_refused_and_kept(evaluating, as_user):
    project = evaluating()
    seat = committee.members(project).first()
    valid = evaluation.valid_bids(project)
    post = {f"points_{b.pk}": "60" for b in valid} | {f"points_{valid[0].pk}": "70.5"}  # max 70
    page = as_user(seat.expert.user).post(url(project, "score"), post)
    assert page.status_code == 400 and "评分应在0至70分之间" in page.context["error"]
    assert 'value="70.5"' in text(page)
    seat.refresh_from_db()
    assert seat.scored_at is None
    post[f"points_{valid[0].pk}"] = "65"
    assert as_user(seat.expert.user).post(url(project, "score"), post).status_code == 302
    seat.refresh_from_db()
    assert seat.scored_at is not None
    after = text(as_user(seat.expert.user).get(url(project)))
    assert 'data-testid="scored"' in after and 'data-testid="form-score"' not in after


# ---- the result, objections, award, contract ------------------------------------------------------


def test_the_result_publishes_every_experts_score(evaluating, trading, as_user):
    project = reported(evaluating, trading)
    page = as_user(None).get(url(project))
    body = text(page)
    assert body.count('data-testid="expert-scores"') == 5 and body.count('data-testid="expert-score"') == 15
    assert body.count('data-testid="rank-row"') == 3
    ranked = page.context["ranking"]
    assert ranked[0].total_score == ranked[0].price_score + ranked[0].technical_score


def test_an_objection_pauses_the_owners_award(evaluating, trading, as_user, at):
    project = reported(evaluating, trading)
    first = Bid.objects.get(project=project, rank=1)
    second = Bid.objects.get(project=project, rank=2)
    client = as_user(second.bidder.user)
    assert 'data-testid="form-object"' in text(client.get(url(project)))
    refused = client.post(url(project, "object"), {"target": first.pk, "reason": "业绩\x07造假"})
    assert refused.status_code == 400 and "控制字符" in text(refused)
    assert not Objection.objects.exists()
    client.post(url(project, "object"), {"target": first.pk, "reason": "第一名业绩造假。"})
    at(dt.datetime.combine(project.publicity_until + dt.timedelta(days=1), dt.time(10), tzinfo=TZ))
    owner = as_user(trading.owner)
    page = text(owner.get(url(project)))
    assert 'data-testid="form-award"' not in page and "有尚未答复的异议" in page
    refused = owner.post(url(project, "award"))
    assert refused.status_code == 409 and "定标暂停" in refused.context["error"]
    assert (
        as_user(second.bidder.user)
        .post(url(project, "answer"), {"objection": Objection.objects.get().pk, "upheld": "0", "answer": "x"})
        .status_code
        == 403
    )
    owner.post(
        url(project, "answer"),
        {"objection": Objection.objects.get().pk, "upheld": "0", "answer": "业绩属实。"},
    )
    assert 'data-testid="form-award"' in text(owner.get(url(project)))
    owner.post(url(project, "award"))
    project.refresh_from_db()
    today = project.awarded_at.astimezone(TZ).date().isoformat()
    too_much = owner.post(url(project, "contract"), {"amount": "99999999", "signed_on": today})
    assert too_much.status_code == 400 and "不得高于中标价" in too_much.context["error"]
    assert 'value="99999999"' in text(too_much)
    project.refresh_from_db()
    assert project.status == Project.Status.AWARDED
    owner.post(url(project, "contract"), {"amount": "1690000", "signed_on": today})
    page = text(as_user(None).get(url(project)))
    # The saving counts the award (成交金额: the first-ranked bid, 1,800,000), as the statistics do;
    # the contract's own amount is shown beside it.
    assert project.award_fen == 180_000_000
    assert "1,690,000.00 元" in page and 'data-testid="savings"' in page and "200,000.00 元" in page
    assert "10.00%" in page  # (2,000,000 − 1,800,000) ÷ 2,000,000
    assert project.number in text(owner.get("/my/trading/projects/"))
    assert project.number not in text(as_user(second.bidder.user).get("/my/trading/projects/"))


# ---- the trading center's workbench and register form ----------------------------------------------


def test_the_register_form_announces_and_refuses_with_its_message(trading, as_user, at, world):
    at(MONDAY)
    client = as_user(trading.officer)
    assert client.get("/staff/trading/new/").status_code == 200
    form = {"owner": trading.owner_applicant.credit_code, "title": "实验楼改造", "kind": "procurement",
            "method": "open_tender", "budget": "2000000", "supervisor": str(world.dept_a.pk),
            "description": "实验楼改造。", "documents": "资格条件：三级以上资质。",
            "clarification_until": "2026-11-13T17:00", "opening_at": "2026-11-23T09:30", "price_weight": "30",
            "committee_size": "5", "economic_experts": "1", "specialty": "房屋建筑", "reserves": "2"}  # fmt: skip
    for bad, message in ((("title", "实验\x1b楼"), "控制字符"), (("budget", "1" * 30), "预算金额超出允许范围"),
                         (("committee_size", "4"), "评标委员会应为5人以上单数"), (("method", "auction"), "不适用"),
                         (("opening_at", "2026-11-16T09:30"), "不得少于15个工作日"),
                         (("opening_at", "9999-99-99"), "请填写投标截止/开标时间"),
                         (("owner", "91000000000000000X"), "未找到该招标人")):  # fmt: skip
        page = client.post("/staff/trading/new/", form | dict([bad]))
        assert page.status_code in (400, 404, 409) and message in text(page)
        assert 'value="实验楼改造"' in text(page) or bad[0] == "title"
    assert not Project.objects.exists()
    done = client.post("/staff/trading/new/", form)
    project = Project.objects.get()
    assert done["Location"] == url(project) and project.budget_fen == 200_000_000
    for other in (trading.owner, world.supervisor, world.clerk):
        assert as_user(other).get("/staff/trading/new/").status_code == 403
        assert as_user(other).post("/staff/trading/new/", form).status_code == 403
    assert Project.objects.count() == 1


def test_the_workbench_groups_by_what_needs_doing(announce, new_bidder, bid, at, as_user, trading, world):
    waiting = announce()
    due = announce(title="操场改造工程")
    for n in (1, 2, 3):
        bid(due, new_bidder(n), 170_000_000 + n)
    at(OPENING)
    page = as_user(trading.officer).get("/staff/trading/")
    groups = {key: [p.number for p in rows] for key, _, _, rows in page.context["groups"]}
    assert set(groups["open"]) == {waiting.number, due.number}
    assert 'data-testid="new-project"' in text(page) and 'data-testid="statistics-link"' in text(page)
    supervising = as_user(world.head_a).get("/staff/trading/")  # dept_a supervises these projects
    assert due.number in text(supervising) and "new-project" not in text(supervising)
    assert "statistics-link" not in text(supervising)  # the statistics are the center's and management's
    assert "statistics-link" in text(as_user(world.supervisor).get("/staff/trading/"))
    assert due.number not in text(as_user(world.reviewer_b).get("/staff/trading/"))
    assert as_user(world.alice).get("/staff/trading/").status_code == 403


def test_the_board_filters_and_the_portal_links(announce, as_user, new_bidder, pool, world):
    announce()
    announce(kind="works", title="道路工程", budget_fen=500_000_000)
    board = text(as_user(None).get("/trading/?kind=works"))
    assert "道路工程" in board and "教学楼改造工程" not in board
    hostile = as_user(None).get("/trading/?q=教学楼\x00")
    assert hostile.status_code == 400 and "控制字符" in text(hostile)
    assert as_user(None).get("/trading/?status=nonsense&page=999").status_code == 200
    labels = [link["label"] for link in as_user(new_bidder(1).user).get("/trading/").context["portal_links"]]
    assert "我的投标" in labels and "评标专家" not in labels
    expert = pool(1, 0)[0]
    labels = [link["label"] for link in as_user(expert.user).get("/trading/").context["portal_links"]]
    assert "评标专家" in labels and "我的投标" not in labels
    assert as_user(world.alice).get("/my/trading/bids/").status_code == 403
    assert as_user(world.alice).get("/my/trading/expert/").status_code == 403
    staff = [link["label"] for link in as_user(world.supervisor).get("/staff/").context["staff_links"]]
    assert "交易工作台" in staff
