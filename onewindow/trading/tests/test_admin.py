"""The trading's admin for hall management: every model's list and pages render; the expert pool
and the credit library are kept here; projects, bids, seats, scores, events and releases are
read-only (no add, no change, no delete); a project never shows its keys or draw, its seed only
once the evaluation started; a bid shows its opening record once opened, never its sealed bytes."""

import pytest

from onewindow.accounts.models import User
from onewindow.trading import award, committee, evaluation
from onewindow.trading.models import (
    Bid,
    Contract,
    CreditRecord,
    Expert,
    Objection,
    Project,
    ProjectEvent,
    Release,
    Score,
    Seat,
)

pytestmark = pytest.mark.django_db

MODELS = ["bidder", "creditrecord", "expert", "project", "bid", "seat", "score", "objection", "contract",
          "projectevent", "release"]  # fmt: skip
READ_ONLY = {"project": Project, "bid": Bid, "seat": Seat, "score": Score, "objection": Objection,
             "contract": Contract, "projectevent": ProjectEvent, "release": Release}  # fmt: skip


@pytest.fixture
def root(world, as_user):
    return as_user(User.objects.create_superuser("root", "root@example.org", "x"))


@pytest.fixture
def reported(evaluating, trading):
    """A project whose committee scored and whose report is out (publicity), with an objection."""
    project = evaluating()
    valid = evaluation.valid_bids(project)
    for seat in committee.members(project):
        evaluation.submit_scores(project, by=seat.expert.user, points={b.pk: "55.5" for b in valid})
    ranked = evaluation.report(project, by=trading.officer)
    award.file_objection(project, by=ranked[1].bidder.user, target=ranked[0], reason="业绩存疑。")
    project.refresh_from_db()
    return project


def test_every_page_renders_and_the_records_are_read_only(reported, root):
    for name in MODELS:
        listed = root.get(f"/admin/trading/{name}/")
        assert listed.status_code == 200, name
    for name, model in READ_ONLY.items():
        assert root.get(f"/admin/trading/{name}/add/").status_code == 403, name
        row = model.objects.order_by("pk").first()
        if name == "contract":  # none yet: a contract follows the award
            assert row is None
            continue
        assert row is not None, name
        page = root.get(f"/admin/trading/{name}/{row.pk}/change/")
        assert page.status_code == 200 and 'type="submit" value="保存"' not in page.content.decode(), name
        assert root.post(f"/admin/trading/{name}/{row.pk}/change/", {}).status_code == 403, name
        assert root.post(f"/admin/trading/{name}/{row.pk}/delete/", {"post": "yes"}).status_code == 403, name
    assert Score.objects.filter(points="55.50").count() == 15  # nothing changed
    # The pool and the credit library are kept here.
    assert root.get("/admin/trading/expert/add/").status_code == 200
    assert root.get("/admin/trading/creditrecord/add/").status_code == 200


def test_a_project_shows_no_key_and_its_seed_only_from_the_evaluation(opened, pool, root, trading):
    pool()
    project = opened()
    committee.draw(project, by=trading.officer)
    project.refresh_from_db()
    page = root.get(f"/admin/trading/project/{project.pk}/change/").content.decode()
    assert project.seed not in page and "评标开始前保密" in page
    for label in ("开标私钥", "投标加密公钥", "抽取候选专家", "抽取结果"):
        assert label not in page
    assert project.seed_commitment in page
    # The committee is not listed before the evaluation starts.
    assert "EX000" not in root.get("/admin/trading/seat/").content.decode()
    for seat in committee.members(project):
        committee.answer(project, by=seat.expert.user, accept=True)
    committee.start_evaluation(project, by=trading.officer)
    assert project.seed in root.get(f"/admin/trading/project/{project.pk}/change/").content.decode()
    assert "EX000" in root.get("/admin/trading/seat/").content.decode()


def test_an_opened_bid_shows_its_opening_record_never_its_sealed_bytes(opened, root):
    opened()
    bid = Bid.objects.get(opened_price_fen=170_000_000)
    page = root.get(f"/admin/trading/bid/{bid.pk}/change/").content.decode()
    assert "1,700,000.00" in page and "施工组织设计" in page and bid.digest in page
    for label in ("密文", "临时公钥与随机数"):
        assert label not in page
    assert bytes(bid.ciphertext).hex()[:16] not in page


def test_a_credit_penalty_is_recorded_here(new_bidder, root, at):
    from onewindow.trading.tests.conftest import MONDAY

    at(MONDAY)
    firm = new_bidder(1)
    answer = root.post("/admin/trading/creditrecord/add/", {"bidder": firm.pk, "kind": "penalty",
                       "occurred_on": "2026-10-01", "detail": "串通投标", "debarred_until": "2027-10-01"})  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()[:2000]
    record = CreditRecord.objects.get()
    assert record.recorded_at == MONDAY and record.debarred_until.year == 2027
    assert root.post(f"/admin/trading/creditrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Expert.objects.count() == 0
