"""Issue 19 item 4: after the selection, the owner signs with the selected agency; the delivery is
due the offer's working days after signing (National Day 2026: 10-01…10-07 off, Saturday 10-10
worked); a delivery after it is late, also when it follows a return for rework (the deadline
does not move); the owner accepts; then each side evaluates the other, once."""

import datetime as dt

import pytest

from onewindow.errors import DomainError
from onewindow.market import contracts
from onewindow.market.audit import chain_broken_at
from onewindow.market.models import Contract, Evaluation, Purchase
from onewindow.market.tests import contracting
from onewindow.market.tests.contracting import on
from onewindow.workdays import calendar

selected = contracting.selected  # the fixture
pytestmark = pytest.mark.django_db
D = dt.date


def refused(call, *args, **kw) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kw)
    return caught.value


def test_the_contract_story_over_national_day(market, new_agency, selected):
    agency = new_agency(1)
    purchase = selected(agency, offer_fen=1_880_000, offer_days=5)
    # given the owner signs on Wednesday 09-30, the day before the holiday
    contract = on(D(2026, 9, 30), contracts.sign, purchase, by=market.owner)
    # then 5 working days, the day of signing not counted: 10-08, 10-09, 10-10 (Sat, worked), 10-12, 10-13
    assert (contract.signed_on, contract.due_on) == (D(2026, 9, 30), D(2026, 10, 13))
    assert contract.due_seq == calendar.seq(D(2026, 9, 30)) + 5 == calendar.seq(D(2026, 10, 13))
    assert (contract.fee_fen, contract.days, contract.agency) == (1_880_000, 5, agency)
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.CONTRACTED
    # the light: green with 3 working days left on 10-09, yellow on its last day but one, red after
    assert contracts.light(contract, D(2026, 10, 9)) == "green"
    assert contracts.light(contract, D(2026, 10, 12)) == "yellow"
    assert contracts.light(contract, D(2026, 10, 14)) == "red"
    assert contracts.days_left(contract, D(2026, 10, 5)) == 5  # the holiday counts no day

    # when the agency delivers on Monday 10-12 and the owner returns it for rework the same day
    on(D(2026, 10, 12), contracts.deliver, contract, by=agency.user, note="提交1:500地形图及技术报告。")
    returned = on(D(2026, 10, 12), contracts.return_delivery, contract, by=market.owner, reason="缺少控制点成果表。",
                  hour=16)  # fmt: skip
    assert (returned.returned_count, returned.delivered_at, returned.delivered_on_time) == (1, None, None)
    assert returned.due_on == D(2026, 10, 13)  # the deadline did not move
    # then the re-delivery on the due day is on time, and the owner accepts it
    on(D(2026, 10, 13), contracts.deliver, contract, by=agency.user, note="补充控制点成果表。", hour=17)
    accepted = on(D(2026, 10, 14), contracts.accept, contract, by=market.owner)
    assert accepted.delivered_on_time is True and accepted.accepted_at is not None
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.COMPLETED
    steps = list(purchase.events.order_by("seq").values_list("action", "to_status"))
    assert steps == [("post", "posted"), ("register", "posted"), ("sign", "contracted"), ("deliver", "delivered"),
                     ("return", "contracted"), ("deliver", "delivered"), ("accept", "completed")]  # fmt: skip
    assert chain_broken_at(purchase) is None


def test_a_delivery_after_the_due_day_is_late_even_after_a_return(market, new_agency, selected):
    agency = new_agency(1)
    first, second = selected(agency), selected(agency, title="仓库地形测绘")
    a = on(D(2026, 9, 30), contracts.sign, first, by=market.owner)
    b = on(D(2026, 9, 30), contracts.sign, second, by=market.owner)
    # a: delivered on Wednesday 10-14, a working day after the due day
    assert on(D(2026, 10, 14), contracts.deliver, a, by=agency.user, note="成果").delivered_on_time is False
    # b: delivered in time, returned, delivered again after the due day: late
    assert on(D(2026, 10, 12), contracts.deliver, b, by=agency.user, note="成果").delivered_on_time is True
    on(D(2026, 10, 13), contracts.return_delivery, b, by=market.owner, reason="图幅不全")
    assert on(D(2026, 10, 14), contracts.deliver, b, by=agency.user, note="补全").delivered_on_time is False
    assert Contract.objects.get(pk=b.pk).due_on == D(2026, 10, 13)


def test_a_contract_signed_on_a_holiday_counts_from_the_next_working_day(market, new_agency, selected):
    agency = new_agency(1)
    contract = on(D(2026, 10, 4), contracts.sign, selected(agency, offer_days=3), by=market.owner)
    assert contract.due_on == D(2026, 10, 10)  # 10-08, 10-09, 10-10 (the worked Saturday)
    # a delivery on Sunday 10-11 shares the worked Saturday's ordinal: still the due day
    assert (
        on(D(2026, 10, 11), contracts.deliver, contract, by=agency.user, note="成果").delivered_on_time
        is True
    )


def test_each_step_is_the_right_persons_at_the_right_time(world, market, new_agency, selected):
    agency, other = new_agency(1), new_agency(2)
    purchase = selected(agency)
    assert contracts.allowed_actions(purchase, market.owner) == ["sign"]
    assert contracts.allowed_actions(purchase, agency.user) == []
    assert contracts.allowed_actions(purchase, other.user) == []
    assert (
        refused(on, D(2026, 9, 30), contracts.sign, purchase, by=agency.user).code
        == "market.contract_not_yours"
    )
    assert (
        refused(on, D(2026, 9, 30), contracts.sign, purchase, by=world.hall_admin).code
        == "market.contract_not_yours"
    )
    contract = on(D(2026, 9, 30), contracts.sign, purchase, by=market.owner)
    assert (
        refused(on, D(2026, 9, 30), contracts.sign, purchase, by=market.owner).code == "market.contract_state"
    )
    purchase.refresh_from_db()
    assert contracts.allowed_actions(purchase, agency.user) == ["deliver"]
    assert (
        refused(on, D(2026, 10, 8), contracts.deliver, contract, by=other.user, note="x").code
        == "market.contract_not_yours"
    )
    assert (
        refused(on, D(2026, 10, 8), contracts.deliver, contract, by=market.owner, note="x").code
        == "market.contract_not_yours"
    )
    assert (
        refused(on, D(2026, 10, 8), contracts.accept, contract, by=market.owner).code
        == "market.contract_state"
    )
    assert (
        refused(on, D(2026, 10, 8), contracts.deliver, contract, by=agency.user, note=" ").code
        == "market.required"
    )
    on(D(2026, 10, 8), contracts.deliver, contract, by=agency.user, note="成果")
    purchase.refresh_from_db()
    assert contracts.allowed_actions(purchase, market.owner) == ["return", "accept"]
    assert (
        refused(on, D(2026, 10, 8), contracts.return_delivery, contract, by=market.owner, reason="").code
        == "market.required"
    )
    assert refused(on, D(2026, 10, 8), contracts.evaluate, contract, by=market.owner, quality=5, timeliness=5,
                   conduct=5).code == "market.contract_state"  # fmt: skip
    assert Evaluation.objects.count() == 0 and Contract.objects.get().returned_count == 0


def test_each_side_evaluates_the_other_once(market, new_agency, selected):
    agency = new_agency(1)
    purchase = selected(agency)
    contract = on(D(2026, 9, 30), contracts.sign, purchase, by=market.owner)
    on(D(2026, 10, 9), contracts.deliver, contract, by=agency.user, note="成果")
    on(D(2026, 10, 10), contracts.accept, contract, by=market.owner)
    purchase.refresh_from_db()
    assert contracts.allowed_actions(purchase, market.owner) == ["evaluate"]
    bad = refused(
        on, D(2026, 10, 12), contracts.evaluate, contract, by=market.owner, quality=6, timeliness=5, conduct=5
    )
    assert (bad.code, bad.details["field"]) == ("market.score", "quality")
    assert refused(on, D(2026, 10, 12), contracts.evaluate, contract, by=market.owner, quality="五", timeliness=5,
                   conduct=5).code == "market.score"  # fmt: skip
    of_agency = on(D(2026, 10, 12), contracts.evaluate, contract, by=market.owner, quality=5, timeliness=4,
                   conduct="5", comment="成果规范，沟通及时。")  # fmt: skip
    of_owner = on(
        D(2026, 10, 12), contracts.evaluate, contract, by=agency.user, quality=4, timeliness=3, conduct=4
    )
    assert (of_agency.direction, of_agency.conduct) == (Evaluation.Direction.OF_AGENCY, 5)
    assert of_owner.direction == Evaluation.Direction.OF_OWNER
    again = refused(on, D(2026, 10, 13), contracts.evaluate, contract, by=market.owner, quality=1, timeliness=1,
                    conduct=1)  # fmt: skip
    assert again.code == "market.evaluated_once" and again.status == 409
    assert contracts.allowed_actions(purchase, market.owner) == []
    assert contracts.allowed_actions(purchase, agency.user) == []
    assert Evaluation.objects.get(direction="of_agency").quality == 5
    purchase.refresh_from_db()
    assert [e.action for e in purchase.events.order_by("seq")][-2:] == ["evaluate", "evaluate"]
    assert chain_broken_at(purchase) is None
