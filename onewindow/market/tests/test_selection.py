"""Issue 19 acceptance: a story per selection method; a draw replayed from its published seed gives
the same winner. Fewer than 2 → 流标 → reposted; eligibility checked again at the close; no close
before the deadline and its grace; the seed unpublished until a draw runs."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from onewindow import clock, draws
from onewindow.errors import DomainError
from onewindow.market import selection, services
from onewindow.market.audit import chain_broken_at
from onewindow.market.models import Agency, MarketSettings, Purchase, Registration, YearGrade
from onewindow.market.tests.conftest import DEADLINE, MONDAY

pytestmark = pytest.mark.django_db

AFTER = DEADLINE + services.CLOSE_GRACE  # the first moment a purchase may be closed
S = Purchase.Status


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def close(purchase, at=AFTER):
    with clock.frozen(at):
        return selection.close(purchase)


def test_random_draw_selects_one_and_anyone_can_replay_it(market, post, new_agency, register):
    purchase = post(method="random")
    agencies = [new_agency(i) for i in range(1, 6)]
    for a in agencies:
        register(purchase, a, offer_fen=2_000_000 + a.pk)
    assert purchase.drawn_at is None
    closed = close(purchase)
    keys = sorted(a.credit_code for a in agencies)
    winner = draws.pick(purchase.seed, keys, 1)[0]
    assert closed.status == S.SELECTED and closed.selected.agency.credit_code == winner
    assert closed.drawn_at == AFTER and closed.selected_at == AFTER
    event = closed.events.get(action="draw")
    assert event.payload["draw"] == {"purpose": "random", "seed": purchase.seed, "commitment": purchase.seed_commitment,
                                     "candidates": keys, "k": 1, "result": [winner], "algorithm": selection.ALGORITHM}  # fmt: skip
    assert event.from_status == S.POSTED and event.to_status == S.SELECTED
    # Replayed from what is published only: the seed and candidates of the event.
    replayed = selection.replay(closed)
    assert replayed["matches"] and replayed["commitment_matches"] and replayed["replayed"] == [winner]
    assert draws.pick(
        event.payload["draw"]["seed"], list(reversed(event.payload["draw"]["candidates"])), 1
    ) == [winner]
    assert chain_broken_at(closed) is None
    out = io.StringIO()
    call_command("replay_draw", closed.number, stdout=out)
    assert f"复算的结果：{winner}" in out.getvalue() and "复算结果与记录：一致" in out.getvalue()


def test_a_tampered_draw_record_does_not_replay(market, post, new_agency, register):
    purchase = post(method="random")
    agencies = [new_agency(i) for i in range(1, 4)]
    for a in agencies:
        register(purchase, a)
    close(purchase)
    event = purchase.events.get(action="draw")
    loser = next(a.credit_code for a in agencies if a.credit_code != event.payload["draw"]["result"][0])
    event.payload["draw"]["result"] = [loser]
    event.save()
    purchase.refresh_from_db()
    assert not selection.replay(purchase)["matches"]
    assert chain_broken_at(purchase) == event.seq  # the chain catches it too
    with pytest.raises(CommandError, match="复算未通过"):
        call_command("replay_draw", purchase.number, stdout=io.StringIO())


def test_lowest_price_selects_the_lowest_offer(market, post, new_agency, register):
    purchase = post(method="lowest_price")
    a, b, c = new_agency(1), new_agency(2), new_agency(3)
    register(purchase, a, offer_fen=2_400_000)
    register(purchase, b, offer_fen=1_800_000)
    register(purchase, c, offer_fen=2_000_000)
    closed = close(purchase)
    assert closed.status == S.SELECTED and closed.selected.agency == b
    assert closed.drawn_at is None  # no tie, no draw: the seed stays unpublished
    event = closed.events.get(action="close")
    assert "draw" not in event.payload and purchase.seed not in str(event.payload)
    assert event.payload["offers"][b.credit_code] == 1_800_000
    assert refused(lambda: selection.replay(closed)).code == "market.not_drawn"


def test_lowest_price_tie_is_drawn_among_the_tied(market, post, new_agency, register):
    purchase = post(method="lowest_price")
    a, b, c, d = (new_agency(i) for i in range(1, 5))
    for agency, fen in ((a, 1_500_000), (b, 1_500_000), (c, 1_500_000), (d, 1_600_000)):
        register(purchase, agency, offer_fen=fen)
    closed = close(purchase)
    tied = sorted(x.credit_code for x in (a, b, c))
    draw = closed.events.get(action="draw").payload["draw"]
    assert draw["purpose"] == "tie" and draw["candidates"] == tied
    assert closed.selected.agency.credit_code == draws.pick(purchase.seed, tied, 1)[0]
    assert closed.selected.agency != d and closed.drawn_at == AFTER
    assert selection.replay(closed)["matches"]


def test_direct_choice_waits_for_the_owner_who_chooses_any_candidate(market, post, new_agency, register):
    purchase = post(method="direct")
    a, b = new_agency(1), new_agency(2)
    ra, rb = register(purchase, a), register(purchase, b)
    closed = close(purchase)
    assert closed.status == S.CHOOSING and closed.selected is None and closed.drawn_at is None
    assert selection.allowed_actions(closed, market.owner) == ["choose", "cancel"]
    assert selection.allowed_actions(closed, a.user) == []
    # Only the owner chooses; only a registration of this purchase.
    assert refused(lambda: selection.choose(closed, rb, by=a.user)).code == "market.not_purchase_owner"
    other = register(post(method="direct"), a)
    assert refused(lambda: selection.choose(closed, other, by=market.owner)).code == "market.not_candidate"
    with clock.frozen(AFTER + dt.timedelta(hours=2)):
        chosen = selection.choose(closed, rb, by=market.owner, reason="该机构熟悉本厂区地形")
    assert chosen.status == S.SELECTED and chosen.selected == rb and ra.pk != rb.pk
    event = chosen.events.get(action="choose")
    assert event.reason == "该机构熟悉本厂区地形" and event.payload["selected"] == b.credit_code
    assert refused(lambda: selection.choose(chosen, ra, by=market.owner)).code == "market.not_choosing"
    assert chain_broken_at(chosen) is None


def test_best_value_long_list_by_credit_short_list_drawn_owner_chooses(market, post, new_agency, register):
    MarketSettings.objects.create(long_list_size=4, short_list_size=2)
    purchase = post(method="best_value")
    # Grades: two A (points decide), one ungraded (counts as B), one B, two C.
    a1, a2, new, b, c1, c2 = (new_agency(1, grade="A"), new_agency(2, grade="A"), new_agency(3),
                              new_agency(4, grade="B"), new_agency(5, grade="C"), new_agency(6, grade="C"))  # fmt: skip
    for agency, points in ((a1, "91.00"), (a2, "96.50"), (b, "80.00"), (c1, "62.00")):
        YearGrade.objects.create(agency=agency, year=2025, points=Decimal(points), grade=agency.grade,
                                 status=YearGrade.Status.PUBLISHED, computed_at=MONDAY)  # fmt: skip
    # An older year's points do not count; nor a computed grade not yet published.
    YearGrade.objects.create(
        agency=b, year=2024, points=Decimal("99"), grade="A", status="published", computed_at=MONDAY
    )
    YearGrade.objects.create(agency=new, year=2026, points=Decimal("99"), grade="A", computed_at=MONDAY)
    regs = {x.pk: register(purchase, x) for x in (c2, c1, b, new, a1, a2)}
    closed = close(purchase)
    payload = closed.events.get(action="draw").payload
    # A by points (a2 96.5 > a1 91), then B with points before the ungraded one without.
    assert payload["long_list"] == [a2.credit_code, a1.credit_code, b.credit_code, new.credit_code]
    assert (
        closed.short_list == draws.pick(purchase.seed, payload["long_list"], 2) == payload["draw"]["result"]
    )
    assert len(closed.short_list) == 2 and closed.status == S.CHOOSING and closed.drawn_at == AFTER
    outside = next(r for r in regs.values() if r.agency.credit_code not in closed.short_list)
    inside = next(r for r in regs.values() if r.agency.credit_code == closed.short_list[1])
    with clock.frozen(AFTER):  # the choice re-checks eligibility on its day
        error = refused(lambda: selection.choose(closed, outside, by=market.owner))
        assert error.code in ("market.not_short_listed",)
        chosen = selection.choose(closed, inside, by=market.owner)
    assert chosen.status == S.SELECTED and chosen.selected == inside
    assert selection.replay(chosen)["replayed"] == closed.short_list


def test_fewer_than_two_fails_and_the_owner_reposts(market, post, new_agency, register):
    purchase = post(method="random")
    lone, gone = new_agency(1), new_agency(2)
    register(purchase, lone)
    withdrawn = register(purchase, gone)
    with clock.frozen(MONDAY + dt.timedelta(hours=1)):
        services.withdraw(withdrawn, by=gone.user)
    failed = close(purchase)
    assert failed.status == S.FAILED and failed.closed_reason.startswith("流标：报名不足2家")
    assert failed.drawn_at is None and failed.events.get(action="fail").payload["eligible"] == [
        lone.credit_code
    ]
    assert selection.allowed_actions(failed, market.owner) == ["repost"]
    assert refused(lambda: selection.repost(failed, by=lone.user, registration_deadline=DEADLINE)).code == (
        "market.not_purchase_owner"
    )
    later = DEADLINE + dt.timedelta(days=7)
    with clock.frozen(AFTER + dt.timedelta(hours=1)):
        new = selection.repost(failed, by=market.owner, registration_deadline=later)
        assert refused(
            lambda: selection.repost(failed, by=market.owner, registration_deadline=later)
        ).code == ("market.reposted_already")
    assert new.reposted_from == failed and new.status == S.POSTED and new.number != failed.number
    assert (new.title, new.scope, new.budget_fen, new.time_limit_days, new.method, new.service_type) == (
        failed.title, failed.scope, failed.budget_fen, failed.time_limit_days, failed.method, failed.service_type)  # fmt: skip
    assert new.seed != failed.seed and new.registration_deadline == later
    assert failed.events.filter(action="repost").get().payload == {"reposted_as": new.number}
    assert selection.allowed_actions(failed, market.owner) == []
    # Registrations go to the new purchase, which then closes normally.
    register(new, lone, at=later - dt.timedelta(days=1))
    register(new, gone, at=later - dt.timedelta(days=1))
    assert close(new, at=later + services.CLOSE_GRACE).status == S.SELECTED


def test_eligibility_is_checked_again_at_the_close(market, post, new_agency, register):
    purchase = post(method="random")
    black, expelled, lapsed, good1, good2 = (new_agency(i) for i in range(1, 6))
    for a in (black, expelled, lapsed, good1, good2):
        register(purchase, a)
    Agency.objects.filter(pk=black.pk).update(grade="D")  # blacklisted after registering
    Agency.objects.filter(pk=expelled.pk).update(status=Agency.Status.EXPELLED)
    lapsed.qualifications.update(valid_until=DEADLINE.date() - dt.timedelta(days=1))
    closed = close(purchase)
    keys = sorted([good1.credit_code, good2.credit_code])
    payload = closed.events.get(action="draw").payload
    assert payload["eligible"] == keys and payload["draw"]["candidates"] == keys
    assert payload["registrations"] == 5
    assert closed.selected.agency in (good1, good2)
    with clock.frozen(AFTER):
        assert [r.agency for r in selection.candidates(closed)] == [good1, good2]


def test_a_blacklisted_candidate_cannot_be_chosen_afterwards(market, post, new_agency, register):
    purchase = post(method="direct")
    a, b = new_agency(1), new_agency(2)
    register(purchase, a)
    rb = register(purchase, b)
    close(purchase)
    Agency.objects.filter(pk=b.pk).update(grade="D")
    assert refused(lambda: selection.choose(purchase, rb, by=market.owner)).code == "market.not_candidate"


def test_no_close_before_the_deadline_and_its_grace(market, post, new_agency, register):
    purchase = post()
    register(purchase, new_agency(1))
    register(purchase, new_agency(2))
    for at in (MONDAY, DEADLINE, AFTER - dt.timedelta(microseconds=1)):
        assert refused(lambda at=at: close(purchase, at=at)).code == "market.before_deadline"
    purchase.refresh_from_db()
    assert purchase.status == S.POSTED and purchase.event_count == 3 and purchase.drawn_at is None
    assert close(purchase).status == S.SELECTED
    assert refused(lambda: close(purchase)).code == "market.not_open"


def test_the_periodic_job_closes_the_due_ones_only(market, post, new_agency, register):
    due, later, cancelled = post(), post(registration_deadline=DEADLINE + dt.timedelta(days=3)), post()
    for p in (due, later):
        register(p, new_agency(p.pk * 10 + 1))
        register(p, new_agency(p.pk * 10 + 2))
    selection.cancel(cancelled, by=market.owner, reason="项目调整")
    with clock.frozen(AFTER - dt.timedelta(seconds=1)):
        assert selection.close_due() == 0
    with clock.frozen(AFTER):
        assert selection.close_due() == 1
        assert selection.close_due() == 0  # idempotent
    statuses = dict(Purchase.objects.values_list("pk", "status"))
    assert statuses == {due.pk: S.SELECTED, later.pk: S.POSTED, cancelled.pk: S.CANCELLED}


def test_the_job_is_on_the_periodic_list():
    from onewindow.ops import periodic

    assert ("market_close", "中介超市报名截止选取", "个", selection.close_due) in periodic.JOBS


def test_cancel_by_the_owner_while_open_or_choosing(market, post, new_agency, register):
    purchase = post()
    a = new_agency(1)
    register(purchase, a)
    assert (
        refused(lambda: selection.cancel(purchase, by=a.user, reason="x")).code == "market.not_purchase_owner"
    )
    assert refused(lambda: selection.cancel(purchase, by=market.owner, reason=" ")).code == "market.required"
    done = selection.cancel(purchase, by=market.owner, reason="项目暂缓实施")
    assert done.status == S.CANCELLED and done.closed_reason == "项目暂缓实施"
    assert (
        refused(lambda: selection.cancel(done, by=market.owner, reason="再次")).code
        == "market.not_cancellable"
    )
    assert refused(lambda: register(done, new_agency(2))).code == "market.registration_closed"
    assert selection.allowed_actions(done, market.owner) == []


def test_allowed_actions_follow_the_rules(market, post, new_agency, register):
    purchase = post()
    good, black, unqualified = new_agency(1), new_agency(2, grade="D"), new_agency(3, types=("HP",))
    with clock.frozen(MONDAY):
        assert selection.allowed_actions(purchase, good.user) == ["register"]
        assert selection.allowed_actions(purchase, black.user) == []
        assert selection.allowed_actions(purchase, unqualified.user) == []
        assert selection.allowed_actions(purchase, market.owner) == ["cancel"]
        register(purchase, good)
        assert selection.allowed_actions(purchase, good.user) == ["withdraw"]
    with clock.frozen(DEADLINE):
        assert selection.allowed_actions(purchase, good.user) == []  # closed at the deadline


def test_the_seed_stays_secret_until_a_draw(market, post, new_agency, register):
    purchase = post(method="random")
    for i in (1, 2):
        register(purchase, new_agency(i))
    payloads = " ".join(str(e.payload) for e in purchase.events.all())
    assert purchase.seed not in payloads and purchase.seed_commitment in payloads
    close(purchase)
    assert purchase.seed in str(purchase.events.get(action="draw").payload)
    assert Registration.objects.filter(purchase=purchase).count() == 2


def test_the_snippet_in_the_docs_is_the_pages_and_replays_like_draws_pick():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[3] / "docs" / "market.md").read_text(encoding="utf-8")
    section = docs[docs.index("## Draws") :]
    assert "```python\n" + selection.REPLAY_SNIPPET + "```" in section
    namespace: dict = {}
    code = selection.REPLAY_SNIPPET[: selection.REPLAY_SNIPPET.index("draw = json.load")]
    exec(compile(code, "replay.py", "exec"), namespace)
    for n in (1, 2, 3, 7, 40):
        for _ in range(20):
            seed, keys = draws.new_seed(), [f"9137{i:014d}" for i in range(n)]
            assert namespace["pick"](seed, keys, 3) == draws.pick(seed, keys, 3)
