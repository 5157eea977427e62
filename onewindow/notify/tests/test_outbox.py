"""The applicant is told of each step by SMS, queued in the step's own transaction: a step that
rolls back or is refused leaves no message, and the same step can never queue two."""

import datetime as dt

import pytest
from django.db import connection, transaction

from onewindow import clock, fastsql
from onewindow.cases import services as cases
from onewindow.cases.messages import message_writes
from onewindow.cases.models import Case, CaseEvent
from onewindow.errors import DomainError
from onewindow.notify.models import Event, Message
from onewindow.notify.services import enqueue, mobile

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 2)


def events_of(case) -> list[str]:
    return list(
        Message.objects.filter(subject_kind="case", subject_key=case.number)
        .order_by("created_at", "pk")
        .values_list("event", flat=True)
    )


def test_it_queues_the_acceptance_sms_in_the_acceptance(world, submitted, settings):
    settings.ONEWINDOW_SMS_SIGNATURE = "【德州市政务服务中心】"
    with clock.frozen(MONDAY):
        case = cases.accept(submitted(), by=world.clerk)
    message = Message.objects.get(subject_kind="case", subject_key=case.number)
    assert message.key == f"case:{case.number}:event:2"  # the accept event's place in the audit chain
    assert message.event == Event.ACCEPTED and message.state == Message.State.PENDING
    assert message.phone == "13912345678" and (message.subject_kind, message.subject_key) == (
        "case",
        case.number,
    )
    assert message.hall_id == world.hall.pk
    assert message.text.startswith("【德州市政务服务中心】")
    assert case.number in message.text and "食品经营许可（新办）" in message.text
    assert "2026年11月9日" in message.text  # 5 working days, the day of acceptance not counted
    assert message.next_attempt_at == message.created_at  # due at once


def test_a_rolled_back_acceptance_leaves_no_message(world, submitted):
    case = submitted()
    with pytest.raises(RuntimeError), transaction.atomic():
        cases.accept(case, by=world.clerk)
        assert (
            Message.objects.filter(subject_kind="case", subject_key=case.number).count() == 1
        )  # queued inside the transaction …
        raise RuntimeError("the database connection dropped before the commit")
    assert (
        Message.objects.filter(subject_kind="case", subject_key=case.number).count() == 0
    )  # … and gone with it
    assert Case.objects.get(pk=case.pk).status == "submitted"


def test_a_refused_step_queues_nothing(world, submitted):
    case = cases.accept(submitted(), by=world.clerk)
    with pytest.raises(DomainError):
        cases.accept(case, by=world.clerk)  # already accepted: 409
    with pytest.raises(DomainError):
        cases.refuse(case, by=world.clerk, reason="", where_to_turn="")
    assert events_of(case) == [Event.ACCEPTED]


def test_the_applicant_hears_of_every_step_of_a_case(world, submitted):
    with clock.frozen(MONDAY):
        case = cases.accept(submitted(), by=world.clerk)
    with clock.frozen(MONDAY + dt.timedelta(days=1)):
        cases.suspend(case, by=world.reviewer_a, kind="expert_review", reason="组织专家评审", expected_days=3)
    with clock.frozen(MONDAY + dt.timedelta(days=3)):
        cases.resume(case, by=world.reviewer_a)
        cases.review(case, by=world.reviewer_a, opinion="材料齐全，符合条件")
        cases.decide(case, by=world.head_a, approve=True)
    assert events_of(case) == [Event.ACCEPTED, Event.SUSPENDED, Event.RESUMED, Event.DECIDED]
    texts = dict(
        Message.objects.filter(subject_kind="case", subject_key=case.number).values_list("event", "text")
    )
    assert "专家评审" in texts["suspended"] and "预计3个工作日" in texts["suspended"]
    assert "2026年11月11日" in texts["resumed"]  # due date moved by the 2 working days suspended
    assert "准予许可" in texts["decided"]
    keys = set(
        Message.objects.filter(subject_kind="case", subject_key=case.number).values_list("key", flat=True)
    )
    assert keys == {f"case:{case.number}:event:{n}" for n in (2, 3, 4, 6)}  # not the review (5)


def test_a_one_time_notice_and_a_refusal_are_told(world, food, submitted):
    case = submitted()
    material = food.current.materials.get(name="食品经营许可申请书")
    cases.request_supplement(
        case, by=world.clerk, items=[{"material": material.pk, "note": "缺少法定代表人签字"}]
    )
    cases.refuse(case, by=world.clerk, reason="申请事项不属于本机关职权范围", where_to_turn="区市场监管局")
    assert events_of(case) == [Event.SUPPLEMENT_REQUESTED, Event.REFUSED]
    texts = dict(
        Message.objects.filter(subject_kind="case", subject_key=case.number).values_list("event", "text")
    )
    assert "食品经营许可申请书" in texts["supplement_requested"]
    assert "不属于本机关职权范围" in texts["refused"] and "区市场监管局" in texts["refused"]


def test_a_return_for_correction_during_review_is_told(world, food, submitted):
    case = cases.accept(submitted(), by=world.clerk)
    material = food.current.materials.get(name="食品安全管理制度")
    cases.return_for_correction(
        case, by=world.reviewer_a, items=[{"material": material.pk, "note": "缺少盖章"}]
    )
    message = Message.objects.get(
        subject_kind="case", subject_key=case.number, event=Event.SUPPLEMENT_REQUESTED
    )
    assert "退回补正" in message.text and "食品安全管理制度" in message.text


def test_tolerant_acceptance_reminds_of_the_promised_date(world, food):
    version = food.current
    handed = [m.pk for m in version.materials.all() if not m.tolerable]
    with clock.frozen(MONDAY):
        case = cases.submit(version=version, applicant=world.alice_applicant, hall=world.hall, channel="window",
                            by=world.clerk, handed_in=handed)  # fmt: skip
        cases.accept_tolerantly(case, by=world.clerk, supply_by=MONDAY + dt.timedelta(days=3))
    text = Message.objects.get(subject_kind="case", subject_key=case.number).text
    assert "已受理" in text and "11月5日前补齐容缺材料" in text


def test_art_32_auto_acceptance_is_told_as_such(world, submitted):
    with clock.frozen(MONDAY):
        case = submitted()
    with clock.frozen(MONDAY + dt.timedelta(days=8)):
        from onewindow.cases.jobs import auto_accept_overdue_intake

        assert auto_accept_overdue_intake() == 1
    message = Message.objects.get(subject_kind="case", subject_key=case.number)
    assert message.event == Event.ACCEPTED and "视为已受理" in message.text


def _fake_event(case, action: str, payload: dict) -> CaseEvent:
    """An event of the actions the documents/licenses module adds to cases (issue, deliver)."""
    return CaseEvent(case=case, seq=case.event_count + 1, action=action, payload=payload, reason="")


@pytest.mark.parametrize(
    ("action", "payload", "expected"),
    [
        ("issue", {"delivery": "pickup", "license": "JY13714020000001"}, Event.READY_FOR_PICKUP),
        ("issue", {"delivery": "post"}, None),  # the posting tells
        (
            "deliver",
            {"method": "post", "courier": "中国邮政EMS", "tracking_number": "1234567890123"},
            Event.POSTED,
        ),
        ("deliver", {"method": "pickup"}, None),  # the applicant collected it in person
        ("review", {}, None),
    ],
)
def test_licence_pickup_and_posting_are_told(world, submitted, action, payload, expected):
    case = cases.accept(submitted(), by=world.clerk)
    with transaction.atomic():
        fastsql.run(
            *message_writes(
                case, action, _fake_event(case, action, payload), item_name=lambda: "食品经营许可"
            )
        )
    found = Message.objects.filter(subject_kind="case", subject_key=case.number).exclude(event=Event.ACCEPTED)
    assert [m.event for m in found] == ([expected] if expected else [])
    if expected == Event.READY_FOR_PICKUP:
        assert "JY13714020000001" in found[0].text and world.hall.name in found[0].text
    if expected == Event.POSTED:
        assert "中国邮政EMS" in found[0].text and "1234567890123" in found[0].text


def test_cases_of_a_bundle_send_nothing_themselves(world, submitted):
    case = cases.accept(submitted(), by=world.clerk)
    Case.objects.filter(pk=case.pk).update(bundle_number="YJS-371400-20261102-0001")
    cases.suspend(case, by=world.reviewer_a, kind="on_site_survey", reason="现场勘验")  # reads the row again
    cases.resume(case, by=world.reviewer_a)
    assert events_of(case) == [Event.ACCEPTED]  # nothing since it joined the bundle: the bundle tells


@pytest.mark.parametrize("phone", ["", "0534-2345678", "1391234"])
def test_an_applicant_without_a_mobile_gets_no_message_and_nothing_fails(world, submitted, phone):
    world.alice_applicant.phone = phone
    world.alice_applicant.save(update_fields=["phone"])
    case = cases.accept(submitted(), by=world.clerk)
    assert case.status == "in_review"
    assert not Message.objects.exists()


def test_mobile_numbers_are_normalised():
    assert mobile("+86 139-1234-5678") == "13912345678"
    assert mobile("008613912345678") == "13912345678"
    assert mobile(" 139 1234 5678 ") == "13912345678"
    assert mobile("23912345678") == ""


def test_the_same_cause_queues_once(world):
    context = {"hall": world.hall.name, "category": "企业开办", "code": "ABCD2345"}
    with transaction.atomic():
        first = enqueue(
            phone="13912345678", event=Event.APPOINTMENT_REMINDER, context=context, key="appointment:X:r"
        )
        again = enqueue(
            phone="13912345678", event=Event.APPOINTMENT_REMINDER, context=context, key="appointment:X:r"
        )
    assert first.pk is not None and again.pk == first.pk
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused(world):
    assert connection.get_autocommit()
    with pytest.raises(transaction.TransactionManagementError):
        enqueue(phone="13912345678", event=Event.RATING_CALLBACK, context={}, key="rating:1:callback")
    assert not Message.objects.exists()
