"""One acceptance at a comprehensive window, all or nothing; the other written answers for the
whole bundle (one-time notice, refusal); art. 32 for a bundle nobody answered."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.bundles import services
from onewindow.bundles.models import BundleApplication
from onewindow.bundles.queries import with_status
from onewindow.bundles.tests.conftest import ASKED, MONDAY, apply
from onewindow.cases import jobs
from onewindow.cases import services as cases
from onewindow.cases.models import Case, CaseEvent, CaseStep
from onewindow.errors import DomainError
from onewindow.notify.models import Message
from onewindow.personas import new_staff

pytestmark = pytest.mark.django_db


def children(application) -> list[Case]:
    return list(Case.objects.filter(bundle_number=application.number).order_by("pk"))


def test_a_child_that_cannot_be_accepted_refuses_the_whole_acceptance_and_changes_nothing(world, startup):
    # given: the 涉税事项综合申请表 (新办纳税人's key material) was not handed in
    with clock.frozen(MONDAY):
        application = apply(world, startup, materials=[n for n in ASKED if n != "涉税事项综合申请表"])
        before = {c.number: (c.status, c.event_count, c.last_hash) for c in children(application)}

        # when
        with pytest.raises(DomainError) as refused:
            services.accept(application, by=world.clerk)

    # then: the answer names the item and why; no child moved, no clock started, nothing sent
    assert refused.value.code == "bundle.child_not_acceptable" and refused.value.status == 409
    assert "新办纳税人套餐" in refused.value.message and "涉税事项综合申请表" in refused.value.message
    assert refused.value.details["reason"] == "case.materials_incomplete"
    assert {c.number: (c.status, c.event_count, c.last_hash) for c in children(application)} == before
    assert CaseEvent.objects.filter(case__bundle_number=application.number).count() == 5  # the submissions
    assert not CaseStep.objects.exists()
    application.refresh_from_db()
    assert application.accepted_on is None and application.due_on is None
    assert not Message.objects.exists()


def test_only_a_clerk_at_a_comprehensive_window_of_the_hall_accepts(world, startup, applied):
    counter_clerk = new_staff("clerk_a", "柯甲", Role.CLERK, world.hall, windows=[world.window_a])
    other_clerk = new_staff("clerk_o", "柯乙", Role.CLERK, world.other_hall)
    for user, code in [
        (counter_clerk, "bundle.comprehensive_window_only"),  # a departmental window
        (world.reviewer_a, "bundle.comprehensive_window_only"),  # sees its own child, may not accept
        (world.supervisor, "bundle.comprehensive_window_only"),
        (other_clerk, "bundle.not_found"),  # another hall's clerk does not see it
        (world.reviewer_b, "bundle.not_found"),  # a department without a child in it
        (world.outsider, "bundle.not_found"),
    ]:
        with pytest.raises(DomainError) as refused:
            services.accept(applied, by=user)
        assert refused.value.code == code, user
    assert {c.status for c in children(applied)} == {"submitted"}


def test_it_is_accepted_once(world, startup, applied):
    with clock.frozen(MONDAY):
        services.accept(applied, by=world.clerk)
        with pytest.raises(DomainError) as again:
            services.accept(applied, by=world.clerk)
    assert again.value.code == "bundle.invalid_transition"
    assert Message.objects.filter(event="bundle_accepted").count() == 1


def test_a_child_is_not_answered_on_its_own(world, startup, applied):
    child = children(applied)[0]
    with pytest.raises(DomainError) as refused:
        cases.accept(child, by=world.clerk)
    assert refused.value.code == "bundle.child_intake" and applied.number in refused.value.message
    child.refresh_from_db()
    assert child.status == "submitted" and child.event_count == 1


@pytest.mark.parametrize("answer", ["accept", "accept_tolerantly", "approve_by_commitment", "request_supplement",
                                    "refuse"])  # fmt: skip
def test_every_intake_answer_to_a_child_needs_the_bundle_calling_down(world, startup, applied, answer):
    """The rule lives in cases (transitions.check_bundle_intake, decision 20): a child carries its
    bundle number, and an intake answer without it — or with another bundle's — is refused."""
    child = children(applied)[0]
    other_bundle = f"{applied.number[:-1]}9"
    calls = {
        "accept": lambda b: cases.accept(child, by=world.clerk, **b),
        "accept_tolerantly": lambda b: cases.accept_tolerantly(child, by=world.clerk, supply_by=MONDAY, **b),
        "approve_by_commitment": lambda b: cases.approve_by_commitment(
            child, by=world.clerk, commitment="承诺", **b
        ),
        "request_supplement": lambda b: cases.request_supplement(child, by=world.clerk, items=[], **b),
        "refuse": lambda b: cases.refuse(child, by=world.clerk, reason="不符合", where_to_turn="某局", **b),
    }
    for keyword in ({}, {"bundle": other_bundle}, {"bundle": None}):
        with clock.frozen(MONDAY), pytest.raises(DomainError) as refused:
            calls[answer](keyword)
        assert refused.value.code == "bundle.child_intake" and applied.number in refused.value.message
    child.refresh_from_db()
    assert child.status == "submitted" and child.event_count == 1
    # the bundle driving it passes the check (whatever the answer's own rules then say)
    with clock.frozen(MONDAY), pytest.raises(DomainError) as own_rules:
        calls["request_supplement"]({"bundle": applied.number})
    assert own_rules.value.code == "case.notice_empty"


def test_one_one_time_notice_for_the_bundle_then_the_supplement_then_acceptance(world, startup):
    with clock.frozen(MONDAY):
        application = apply(world, startup, materials=[n for n in ASKED if n != "经办人授权委托书"])
        services.request_supplement(application, by=world.clerk, items=[
            {"material": "经办人授权委托书", "note": "须由法定代表人签字", "defective": False}])  # fmt: skip
        noticed = {c.item.code: c.status for c in Case.objects.filter(bundle_number=application.number)}
        assert noticed == {"T-QYDJ": "supplement_requested", "T-YZKZ": "supplement_requested",
                           "T-XBNS": "supplement_requested", "T-SBDJ": "submitted", "T-GJJ": "supplement_requested"}  # fmt: skip
        # one SMS for the bundle's notice, none for its items
        told = Message.objects.get()
        assert told.key.startswith(f"bundle:{application.number}:supplement_requested:")
        assert "经办人授权委托书" in told.text and application.number in told.text
        services.supplement(application, by=world.clerk, materials=["经办人授权委托书"])
        assert {c.status for c in children(application)} == {"submitted"}
        services.accept(application, by=world.clerk)
    assert {c.status for c in children(application)} == {"in_review"}
    with pytest.raises(DomainError) as late:
        services.request_supplement(
            application, by=world.clerk, items=[{"material": "公司章程", "note": "x"}]
        )
    assert late.value.code == "bundle.invalid_transition"


def test_a_refused_bundle_refuses_every_item_and_sends_one_refusal(world, startup, applied):
    with clock.frozen(MONDAY):
        services.refuse(
            applied, by=world.clerk, reason="经营范围属于禁止类项目", where_to_turn="德州市市场监督管理局"
        )
    assert {(c.status, c.outcome) for c in children(applied)} == {("refused", "refused")}
    refused = with_status(BundleApplication.objects.filter(pk=applied.pk)).get()
    assert refused.status == "refused" and refused.closed_on == MONDAY
    told = Message.objects.get()  # one refusal for the bundle, no completion, nothing per item
    assert told.key == f"bundle:{applied.number}:refused"
    assert "经营范围属于禁止类项目" in told.text and "德州市市场监督管理局" in told.text


def test_art_32_an_unanswered_bundle_counts_as_accepted_from_its_receipt(world, startup, applied):
    # five working days later, nobody answered: the periodic job accepts every child
    assert jobs.auto_accept_overdue_intake(today=dt.date(2026, 12, 1)) == 5
    # and the bundles' own periodic job records it for the bundle, once
    assert services.settle() == 1 and services.settle() == 0
    applied.refresh_from_db()
    assert applied.accepted_on == MONDAY and applied.due_on == dt.date(2026, 11, 26)
    assert [m.key for m in Message.objects.all()] == [f"bundle:{applied.number}:accepted"]
