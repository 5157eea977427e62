"""The expert draw over random pools (property-based, hypothesis): every recusal holds, the
composition rule holds (odd ≥ 5, ≥ 7 for procurement of 10 million yuan or more, economic
experts at least one and a technical majority, so technical/economic experts are the whole
committee, ≥ 2/3), a too-small pool is refused with nothing drawn, and the published seed replays
to the same committee. The expected outcome is computed here from the pool's own description,
not by the code under test."""

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from onewindow import clock, draws
from onewindow.errors import DomainError
from onewindow.trading import bids, committee, services
from onewindow.trading.models import Avoidance, Expert, ExpertPenalty, Seat
from onewindow.trading.tests.conftest import BEFORE, CLARIFY, MONDAY, OPENING, SPECIALTY, credit_code

pytestmark = pytest.mark.django_db

expert_spec = st.fixed_dictionaries({
    "technical": st.booleans(),
    "specialty_matches": st.booleans(),
    "employer": st.sampled_from(["own"] * 6 + ["bidder0", "bidder1", "bidder2", "owner"]),
    "avoids": st.sampled_from([set()] * 4 + [{"stranger"}, {"bidder1"}, {"owner"}, {"bidder0", "bidder2"}]),
    "penalised": st.sampled_from([False, False, False, True]),
    "department": st.sampled_from([None] * 5 + ["supervisor", "other"]),
    "active": st.sampled_from([True, True, True, False]),
})  # fmt: skip
committees = st.sampled_from([(5, 1), (5, 2), (7, 1), (7, 3), (9, 2)])
budgets = st.sampled_from([999_999_999, 1_000_000_000, 2_000_000_000, 50_000_000])  # fen; 10M yuan = 10^9 fen


@pytest.fixture
def parties(trading, new_bidder, world):
    made = [new_bidder(n) for n in range(1, 4)]
    return {"bidder0": made[0], "bidder1": made[1], "bidder2": made[2], "world": world}


def _code(name: str, parties, trading) -> str:
    if name.startswith("bidder"):
        return parties[name].credit_code
    if name == "owner":
        return trading.owner_applicant.credit_code
    return credit_code(9000)  # a stranger to this project


def _clean(spec) -> bool:
    """Whether an expert of this description may sit (the recusals of RULES.md, restated)."""
    return (spec["active"] and not spec["penalised"] and spec["employer"] == "own" and spec["department"] != "supervisor"
            and not (spec["avoids"] - {"stranger"}) and (not spec["technical"] or spec["specialty_matches"]))  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pool=st.lists(expert_spec, min_size=6, max_size=28), shape=committees, budget=budgets)
@example(pool=[{"technical": i < 9, "specialty_matches": True, "employer": "own", "avoids": set(), "penalised": False,
                "department": None, "active": True} for i in range(12)], shape=(7, 2), budget=2_000_000_000)  # fmt: skip
def test_draws_respect_every_recusal_and_the_composition(trading, parties, pool, shape, budget):
    _check(trading, parties, pool, shape, budget)


CLEAN = {"technical": True, "specialty_matches": True, "employer": "own", "avoids": set(), "penalised": False,
         "department": None, "active": True}  # fmt: skip
CONFLICTS = {
    "employed by a bidder": {"employer": "bidder1"}, "employed by the owner": {"employer": "owner"},
    "relative at a bidder": {"avoids": {"bidder2"}}, "penalised": {"penalised": True},
    "staff of the supervising department": {"department": "supervisor"}, "left the pool": {"active": False},
    "another specialty": {"specialty_matches": False},
}  # fmt: skip


@pytest.mark.parametrize("conflict", CONFLICTS)
def test_each_recusal_alone_keeps_its_expert_off(trading, parties, conflict):
    """One technical expert short of a committee, plus one with this conflict: the draw must refuse,
    never seat the conflicted expert (each recusal on its own, whatever hypothesis draws)."""
    pool = (
        [dict(CLEAN) for _ in range(3)]
        + [dict(CLEAN, technical=False)]
        + [dict(CLEAN, **CONFLICTS[conflict])]
    )
    _check(trading, parties, pool, (5, 1), 50_000_000)


def _check(trading, parties, pool, shape, budget):
    Seat.objects.all().delete()
    Avoidance.objects.all().delete()
    ExpertPenalty.objects.all().delete()
    Expert.objects.all().delete()
    world = parties["world"]
    for i, spec in enumerate(pool):
        technical = spec["technical"]
        expert = Expert.objects.create(
            number=f"EX{i:05d}", name=f"专家{i}", phone=f"1380000{i:04d}",
            category=Expert.Category.TECHNICAL if technical else Expert.Category.ECONOMIC,
            specialty=(SPECIALTY if spec["specialty_matches"] else "园林绿化") if technical else "工程造价",
            employer="某单位", region=world.hall.region, is_active=spec["active"],
            employer_credit_code=credit_code(7000 + i) if spec["employer"] == "own" else _code(spec["employer"], parties,
                                                                                               trading),
            department={None: None, "supervisor": trading.supervisor, "other": world.dept_b}[spec["department"]],
        )  # fmt: skip
        for name in spec["avoids"]:
            Avoidance.objects.create(expert=expert, credit_code=_code(name, parties, trading), name=name,
                                     relation=Avoidance.Relation.RELATIVE, declared_on=MONDAY.date())  # fmt: skip
        if spec["penalised"]:
            ExpertPenalty.objects.create(
                expert=expert, occurred_on=dt.date(2024, 5, 1), detail="评标中违规打分"
            )
    size, economic = shape
    least = 7 if budget >= 1_000_000_000 else 5
    with contextlib.ExitStack() as stack:
        stack.enter_context(clock.frozen(MONDAY))
        fields = {"by": trading.officer, "owner": trading.owner_applicant, "kind": "procurement",
                  "method": "open_tender", "title": "设备采购", "budget_fen": budget, "supervisor": trading.supervisor,
                  "description": "设备一批。", "documents": "综合评分法。", "clarification_until": CLARIFY,
                  "opening_at": OPENING, "price_weight": 40, "committee_size": size, "economic_experts": economic,
                  "specialty": SPECIALTY, "reserves": 2}  # fmt: skip
        if size < least:
            with pytest.raises(DomainError) as refused:
                services.announce(**fields)
            assert refused.value.code == "trading.committee"
            return
        project = services.announce(**fields)
        stack.enter_context(clock.frozen(BEFORE))
        for name in ("bidder0", "bidder1", "bidder2"):
            bids.submit(
                project, by=parties[name].user, price_fen=budget // 2, days=30, proposal="响应全部条款。"
            )
        stack.enter_context(clock.frozen(OPENING))
        project = bids.open_bids(project, by=trading.officer)
        clean = {f"EX{i:05d}": spec for i, spec in enumerate(pool) if _clean(spec)}
        clean_tech = {n for n, s in clean.items() if s["technical"]}
        clean_econ = set(clean) - clean_tech
        need_tech = size - economic
        if len(clean_tech) < need_tech or len(clean_econ) < economic:
            with pytest.raises(DomainError) as refused:
                committee.draw(project, by=trading.officer)
            assert refused.value.code == "trading.pool_too_small"
            assert not Seat.objects.filter(project=project).exists()
            return
        committee.draw(project, by=trading.officer)
        seats = list(Seat.objects.filter(project=project).select_related("expert"))
        members = [s for s in seats if s.role == Seat.Role.MEMBER]
        reserves = [s for s in seats if s.role == Seat.Role.RESERVE]
        # Every seat, member or reserve, goes to an expert with no conflict.
        assert {s.expert.number for s in seats} <= set(clean)
        # Composition: the committee's size and categories as announced; odd, at least the legal minimum.
        assert len(members) == size and size % 2 == 1 and size >= least
        tech = [s for s in members if s.category == Expert.Category.TECHNICAL]
        assert len(tech) == need_tech and len(members) - len(tech) == economic >= 1
        assert len(tech) > len(members) / 2 and len(members) >= 2 / 3 * size  # all tech/econ experts
        assert all(s.expert.category == s.category for s in seats)
        # Reserves: up to 2 per category, from the clean experts left over.
        for category, clean_of, need in ((Expert.Category.TECHNICAL, clean_tech, need_tech),
                                         (Expert.Category.ECONOMIC, clean_econ, economic)):  # fmt: skip
            mine = [s for s in reserves if s.category == category]
            assert len(mine) == min(2, len(clean_of) - need)
        # Replay: the committee follows from the seed and the clean candidates alone.
        again = committee.compose(
            project.seed, sorted(clean_tech), sorted(clean_econ), need_tech, economic, 2
        )
        assert sorted(again["technical"] + again["economic"]) == sorted(s.expert.number for s in members)


@settings(max_examples=200, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32).map(bytes.hex), tech=st.sets(st.integers(0, 999), max_size=40),
       econ=st.sets(st.integers(1000, 1999), max_size=15), n_tech=st.integers(0, 12), n_econ=st.integers(0, 5),
       reserves=st.integers(0, 3), shuffle=st.randoms())  # fmt: skip
def test_compose_is_a_replayable_function_of_the_seed_and_candidates(seed, tech, econ, n_tech, n_econ, reserves,
                                                                     shuffle):  # fmt: skip
    technical = [f"EX{k:05d}" for k in tech]
    economic = [f"EX{k:05d}" for k in econ]
    drawn = committee.compose(seed, technical, economic, n_tech, n_econ, reserves)
    shuffle.shuffle(technical)
    shuffle.shuffle(economic)
    assert (
        committee.compose(seed, technical, economic, n_tech, n_econ, reserves) == drawn
    )  # order does not matter
    everyone = sum(drawn.values(), [])
    assert len(everyone) == len(set(everyone))
    assert set(drawn["technical"] + drawn["technical_reserves"]) <= set(technical)
    assert set(drawn["economic"] + drawn["economic_reserves"]) <= set(economic)
    assert len(drawn["technical"]) == min(n_tech, len(technical))
    assert len(drawn["technical_reserves"]) == min(reserves, max(0, len(technical) - n_tech))
    # The draw is the seed's shuffle of all candidates, walked in order (docs/trading.md).
    order = draws.pick(seed, technical + economic, len(technical) + len(economic))
    assert drawn["technical"] == [k for k in order if k in set(technical)][:n_tech]
