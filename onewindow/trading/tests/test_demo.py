"""The trading's demo (trading/demo.py, demo_projects.py): the people and a project in every state,
made through the services on any date; a second run adds nothing; every project's OCDS package
validates against the official 1.1.5 schema (offline); every chain is whole and every published
draw replays."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.identity import credit_code_error
from onewindow.accounts.models import Role, Staff, User
from onewindow.errors import Forbidden
from onewindow.trading import audit, bids, committee, demo, demo_projects, ocds, services
from onewindow.trading.models import Bid, Bidder, Expert, Objection, Project, Release, Seat
from onewindow.web import demo as web_demo

pytestmark = pytest.mark.django_db
TZ = clock.hall_tz()
TODAY = dt.datetime(2026, 12, 15, 9, 30, tzinfo=TZ)
S = Project.Status


def seed_all() -> tuple[int, int]:
    web_demo.seed()
    return demo.seed(), demo_projects.seed()


def test_the_demo_in_every_state_once():
    with clock.frozen(TODAY):
        assert seed_all() == (60, len(demo_projects.PLANS))
        assert seed_all() == (0, 0)  # idempotent
    projects = {p.title: p for p in Project.objects.select_related("owner")}
    assert len(projects) == len(demo_projects.PLANS) == Project.objects.count()
    assert Expert.objects.count() == 60 and Bidder.objects.count() == len(demo.BIDDERS)
    by_state = {}
    for p in projects.values():
        by_state.setdefault(p.status, []).append(p)
    assert {s: len(v) for s, v in by_state.items()} == {
        S.ANNOUNCED: 2, S.CANCELLED: 1, S.FAILED: 1, S.OPENED: 1, S.EVALUATING: 1, S.PUBLICITY: 1,
        S.AWARDED: 1, S.CONTRACTED: 8,
    }  # fmt: skip
    # Sealed: the opening is ahead, and nothing of the bids can be read.
    for p in by_state[S.ANNOUNCED]:
        assert p.opening_at > TODAY
    sealed = Bid.objects.filter(project__status=S.ANNOUNCED).select_related("project", "bidder")
    assert sealed.count() == 3 and sealed.filter(superseded_at__isnull=False).count() == 1
    with clock.frozen(TODAY), pytest.raises(Forbidden):
        from onewindow.trading import sealing

        sealing.open_document(sealed.first())
    # Failed unopened with two bids; opened with one bid over the budget set aside.
    (failed,) = by_state[S.FAILED]
    assert "不足3家" in failed.closed_reason and failed.opened_at is None
    (opened,) = by_state[S.OPENED]
    assert (
        opened.drawn_at is None and Bid.objects.filter(project=opened).exclude(disqualified="").count() == 1
    )
    # Evaluating: the `expert` login sits on the committee and has not scored; three have.
    (evaluating,) = by_state[S.EVALUATING]
    seats = committee.members(evaluating)
    assert seats.count() == 5 and all(s.status == Seat.Status.CONFIRMED for s in seats)
    assert seats.filter(scored_at__isnull=False).count() == 3
    mine = seats.get(expert__user__username="expert")
    assert mine.scored_at is None
    # Publicity with the objection of `bidder` pending, for `buyer` to answer.
    (publicity,) = by_state[S.PUBLICITY]
    objection = Objection.objects.get(project=publicity)
    assert objection.status == Objection.Status.PENDING and objection.bidder.user.username == "bidder"
    assert publicity.owner_user.username == "buyer" and publicity.publicity_until >= TODAY.date()
    # Awarded after a member declined and a reserve stepped in.
    (awarded,) = by_state[S.AWARDED]
    assert Seat.objects.filter(project=awarded, status=Seat.Status.DECLINED).count() == 1
    assert committee.members(awarded).filter(status=Seat.Status.CONFIRMED).count() == 5
    # Contracted over several months, a land listing and a property auction among them.
    contracted = by_state[S.CONTRACTED]
    assert len({p.awarded_at.astimezone(TZ).strftime("%Y-%m") for p in contracted}) >= 5
    assert {"land", "property", "works", "procurement"} <= {p.kind for p in contracted}
    assert any(p.method == "listing" for p in contracted if p.kind == "land")
    for p in projects.values():
        # Every announcement kept its shortest bidding period, counted on the working-day calendar.
        earliest = services.calendar.add_workdays(p.announced_at.astimezone(TZ).date(),
                                                  services.MIN_BID_PERIOD[p.method])  # fmt: skip
        assert p.opening_at.astimezone(TZ).date() >= earliest
        assert audit.chain_broken_at(p) is None
        releases = list(Release.objects.filter(project=p))
        assert (
            releases
            and ocds.validate(ocds.package(releases, f"/api/v1/trading/projects/{p.number}/ocds")) == []
        ), p.title
        if p.evaluation_started_at is not None:
            replay = committee.replay(p)
            assert replay["same"] and replay["seed_matches_commitment"] and replay["candidates_match_hash"]


def test_the_demo_people():
    with clock.frozen(TODAY):
        seed_all()
    officer = User.objects.get(username="trading")
    assert (
        officer.check_password(web_demo.DEMO_PASSWORD)
        and Staff.objects.get(user=officer).role == Role.TRADING_OFFICER
    )
    assert {"trading", "bidder", "expert", "buyer"} <= dict(web_demo.LOGIN_ROLES).keys()
    for login in ("bidder", "expert", "buyer"):
        assert User.objects.get(username=login).check_password(web_demo.DEMO_PASSWORD)
    assert all(credit_code_error(b.credit_code) is None for b in Bidder.objects.all())
    # The pool: both categories, every kind of tie the draw must exclude.
    pool = Expert.objects.all()
    assert (
        pool.filter(category="economic").count() == 14 and pool.filter(penalties__isnull=False).count() == 1
    )
    assert (
        pool.filter(avoidances__isnull=False).count() == 3
        and pool.filter(department__isnull=False).count() == 2
    )
    codes = set(Bidder.objects.values_list("credit_code", flat=True))
    assert pool.filter(employer_credit_code__in=codes).count() == 2
    # The debarred bidder's bids are refused; the one whose penalty is served may bid.
    debarred = Bidder.objects.get(user__username="bidder8")
    announced = Project.objects.filter(status=S.ANNOUNCED, kind="works").get()
    with clock.frozen(TODAY), pytest.raises(Forbidden) as refused:
        bids.submit(announced, by=debarred.user, price_fen=150_000_000, days=90, proposal="方案")
    assert refused.value.code == "trading.debarred"
    with clock.frozen(TODAY):
        bid, _ = bids.submit(announced, by=User.objects.get(username="bidder"), price_fen=150_000_000, days=90,
                             proposal="方案")  # fmt: skip
    assert bid.version == 1


@pytest.mark.parametrize("today", ["2028-02-28 09:30", "2027-01-04 08:00", "2026-10-09 18:00"])
def test_the_demo_seeds_on_any_date(today):
    """The moved clock of CI, the first working day of a year, the day after the National Day week."""
    with clock.frozen(dt.datetime.fromisoformat(today).replace(tzinfo=TZ)):
        assert seed_all() == (60, len(demo_projects.PLANS))
    assert Project.objects.filter(status=S.CONTRACTED).count() == 8
