"""投诉: the services' happy path, every refused transition, who sees what, the limit in working
days across a holiday, the SMS on answer and the audit chain."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.notify.models import Message
from onewindow.personas import new_staff, published_item
from onewindow.ratings import complaint_queries as queries
from onewindow.ratings import complaints
from onewindow.ratings.models import ComplaintEvent, ComplaintLimit

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def accepted(world):
    """Alice's case of department A, received and accepted by the clerk at window 01 on
    Wednesday 2026-09-30 (the day before the National Day holiday)."""
    version = published_item(world).current
    with clock.frozen(D(2026, 9, 30)):
        case = cases.submit(version=version, applicant=world.alice_applicant, hall=world.hall, channel=Channel.WINDOW,
                            by=world.clerk, handed_in=[m.pk for m in version.materials.all()])  # fmt: skip
        return cases.accept(case, by=world.clerk)


def file_on_portal(world, case=None, day=None):
    with clock.frozen(day or D(2026, 9, 30)):
        return complaints.file_complaint(by=world.alice, subject="窗口态度差", text="受理时态度生硬，不解释材料要求。",
                                         case_number=case.number if case else "", hall=world.hall)  # fmt: skip


def walk(world, complaint, upto="close"):
    steps = [
        ("assign", lambda c: complaints.assign(c, by=world.hall_admin, department=world.dept_a)),
        ("answer", lambda c: complaints.answer(c, by=world.head_a, text="已约谈窗口人员，向您致歉。")),
        ("callback", lambda c: complaints.record_callback(c, by=world.supervisor, outcome="satisfied", note="表示认可")),
        ("decide", lambda c: complaints.decide(c, by=world.hall_admin, finding="upheld", reason="调阅录像属实")),
        ("close", lambda c: complaints.close(c, by=world.hall_admin)),
    ]  # fmt: skip
    for name, step in steps:
        complaint = step(complaint)
        if name == upto:
            break
    return complaint


def test_a_portal_complaint_about_a_case_walks_to_closed_with_its_links_and_audit(world, accepted):
    complaint = file_on_portal(world, accepted)
    assert complaint.status == "filed" and complaint.source == "portal"
    assert complaint.case == accepted and complaint.window == world.window_1
    assert complaint.officer == world.clerk and complaint.department == world.dept_a
    assert complaint.name == "艾丽" and complaint.phone == "13912345678"
    assert complaints.allowed_actions(complaint, world.hall_admin) == ["assign"]
    assert complaints.allowed_actions(complaint, world.head_a) == []
    with clock.frozen(D(2026, 10, 9)):
        complaint = walk(world, complaint, upto="answer")
    assert complaint.status == "answered" and complaint.answered_on_time is True
    sms = Message.objects.get(key=f"complaint:{complaint.number}:answered")
    assert sms.phone == "13912345678" and complaint.number in sms.text and "测试市场监管局" in sms.text
    assert complaints.allowed_actions(complaint, world.supervisor) == ["callback", "decide"]
    complaint = complaints.record_callback(complaint, by=world.supervisor, outcome="satisfied")
    complaint = complaints.decide(complaint, by=world.hall_admin, finding="upheld", reason="属实")
    assert complaints.allowed_actions(complaint, world.hall_admin) == ["close"]
    complaint = complaints.close(complaint, by=world.hall_admin)
    assert complaint.status == "closed" and complaint.finding == "upheld" and complaint.closed_at
    assert complaints.allowed_actions(complaint, world.hall_admin) == []
    events = list(ComplaintEvent.objects.filter(complaint=complaint).order_by("seq"))
    assert [e.action for e in events] == ["file", "assign", "answer", "callback", "decide", "close"]
    assert [e.to_status for e in events] == [
        "filed",
        "assigned",
        "answered",
        "called_back",
        "called_back",
        "closed",
    ]
    assert events[0].actor == world.alice and events[1].actor == world.hall_admin
    assert complaints.verify(complaint) is None
    ComplaintEvent.objects.filter(pk=events[3].pk).update(reason="改过")
    assert complaints.verify(complaint) == 4


def test_the_answer_limit_counts_working_days_across_the_national_day_holiday(world):
    complaint = file_on_portal(world, day=D(2026, 9, 30))
    # 5 working days after Wed 30 Sep, 1–7 Oct off: 8, 9, 10 (调休 Saturday), 12, 13 October.
    assert complaint.answer_days == 5 and complaint.due_on == D(2026, 10, 13)
    complaint = walk(world, complaint, upto="assign")
    assert not queries.overdue(today=D(2026, 10, 13)).exists()
    assert list(queries.overdue(today=D(2026, 10, 14))) == [complaint]
    assert queries.days_left(complaint, D(2026, 10, 8)) == 4
    with clock.frozen(D(2026, 10, 14)):
        complaint = complaints.answer(complaint, by=world.reviewer_a, text="迟到的答复")
    assert complaint.answered_on_time is False
    assert not queries.overdue(today=D(2026, 10, 20)).exists()  # answered: no longer watched


def test_the_hall_sets_its_own_limit(world):
    ComplaintLimit.objects.create(hall=world.hall, answer_days=3)
    complaint = file_on_portal(world, day=D(2026, 9, 30))
    assert complaint.answer_days == 3 and complaint.due_on == D(2026, 10, 10)


def test_the_desk_and_the_hotline_record_complaints_for_a_walk_in(world, accepted):
    with clock.frozen(D(2026, 10, 8)):
        desk = complaints.file_complaint(by=world.supervisor, source="desk", name="王五", phone="13700000000",
                                         subject="等候太久", text="排队两小时", case_number=accepted.number)  # fmt: skip
        assert (
            desk.hall == world.hall
            and desk.window == world.window_1
            and desk.complainant == world.alice_applicant
        )
        assert desk.complainant_user is None and desk.filed_by == world.supervisor
        operator = new_staff("operator", "话务员", Role.HOTLINE_OPERATOR, world.hall)
        with pytest.raises(DomainError) as refused:
            complaints.file_complaint(by=operator, source="hotline", name="赵六", subject="s", text="t")
        assert refused.value.code == "complaint.source_ref_required"
        hotline = complaints.file_complaint(by=operator, source="hotline", source_ref="12345-0001", name="赵六",
                                            subject="电话打不通", text="咨询电话无人接听", department=world.dept_b)  # fmt: skip
        assert hotline.source_ref == "12345-0001" and hotline.department == world.dept_b
        for who, source in (
            (world.clerk, "desk"),
            (world.head_a, "desk"),
            (operator, "desk"),
            (world.alice, "hotline"),
        ):
            with pytest.raises(Forbidden):
                complaints.file_complaint(
                    by=who, source=source, source_ref="x", name="某", subject="s", text="t"
                )
        with pytest.raises(NotFound):  # a case of another hall is no case of this desk
            complaints.file_complaint(by=world.supervisor, source="desk", name="某", subject="s", text="t",
                                      case_number="NOPE")  # fmt: skip
        with pytest.raises(DomainError) as refused:
            complaints.file_complaint(by=world.supervisor, source="desk", name="某", subject="s", text="t",
                                      department=world.dept_c)  # fmt: skip
        assert refused.value.code == "complaint.department"


def test_a_citizen_complains_only_about_their_own_case(world, accepted):
    with pytest.raises(NotFound):
        complaints.file_complaint(by=world.outsider, subject="s", text="t", case_number=accepted.number)
    for subject, text, code in (("", "t", "complaint.subject_required"), ("s", " ", "complaint.text_required"),
                                ("s" * 101, "t", "complaint.subject_too_long")):  # fmt: skip
        with pytest.raises(DomainError) as refused:
            complaints.file_complaint(by=world.alice, subject=subject, text=text, hall=world.hall)
        assert refused.value.code == code
    with pytest.raises(DomainError) as refused:
        complaints.file_complaint(by=world.outsider, subject="s", text="t")
    assert refused.value.code == "complaint.hall_required"


def test_every_refused_transition_has_its_code(world, accepted):
    complaint = file_on_portal(world, accepted)
    # Filed: only hall management assigns; nothing else yet.
    for action, call in (
        ("answer", lambda c: complaints.answer(c, by=world.head_a, text="x")),
        ("callback", lambda c: complaints.record_callback(c, by=world.supervisor, outcome="satisfied")),
        ("decide", lambda c: complaints.decide(c, by=world.supervisor, finding="upheld", reason="r")),
        ("close", lambda c: complaints.close(c, by=world.supervisor)),
    ):
        with pytest.raises(DomainError) as refused:
            call(complaint)
        assert refused.value.code in ("complaint.state", "complaint.role"), action
    for who in (world.head_a, world.clerk, world.alice, world.reviewer_b):
        with pytest.raises(Forbidden) as refused:
            complaints.assign(complaint, by=who, department=world.dept_a)
        assert refused.value.code == "complaint.role" and "大厅管理" in refused.value.message
    with pytest.raises(DomainError) as refused:
        complaints.assign(complaint, by=world.hall_admin, department=world.dept_c)  # not stationed here
    assert refused.value.code == "complaint.department"
    complaint = complaints.assign(complaint, by=world.hall_admin, department=world.dept_b)
    complaint = complaints.assign(complaint, by=world.supervisor, department=world.dept_a)  # corrected
    # Assigned to A: B's reviewer and hall management may not answer; an empty answer is refused.
    for who in (world.reviewer_b, world.hall_admin, world.clerk):
        with pytest.raises(Forbidden):
            complaints.answer(complaint, by=who, text="x")
    with pytest.raises(DomainError) as refused:
        complaints.answer(complaint, by=world.head_a, text=" ")
    assert refused.value.code == "complaint.answer_required"
    with pytest.raises(Conflict) as refused:
        complaints.close(complaint, by=world.hall_admin)
    assert refused.value.code == "complaint.state" and "待答复" in refused.value.message
    complaint = complaints.answer(complaint, by=world.head_a, text="已整改")
    with pytest.raises(Conflict) as refused:
        complaints.answer(complaint, by=world.head_a, text="第二次")
    assert refused.value.code == "complaint.state"
    with pytest.raises(Conflict):
        complaints.assign(complaint, by=world.hall_admin, department=world.dept_b)
    with pytest.raises(DomainError) as refused:
        complaints.record_callback(complaint, by=world.supervisor, outcome="maybe")
    assert refused.value.code == "complaint.callback_outcome"
    with pytest.raises(Forbidden):
        complaints.record_callback(complaint, by=world.head_a, outcome="satisfied")
    complaint = complaints.record_callback(complaint, by=world.supervisor, outcome="unreachable")
    with pytest.raises(Conflict) as refused:
        complaints.close(complaint, by=world.hall_admin)
    assert refused.value.code == "complaint.not_decided"
    with pytest.raises(DomainError) as refused:
        complaints.decide(complaint, by=world.hall_admin, finding="upheld", reason="")
    assert refused.value.code == "complaint.finding_reason_required"
    with pytest.raises(DomainError) as refused:
        complaints.decide(complaint, by=world.hall_admin, finding="half", reason="r")
    assert refused.value.code == "complaint.finding"
    complaint = complaints.decide(complaint, by=world.hall_admin, finding="not_upheld", reason="经核实不属实")
    with pytest.raises(Conflict) as refused:
        complaints.decide(complaint, by=world.hall_admin, finding="upheld", reason="改判")
    assert refused.value.code == "complaint.already_decided"
    complaint = complaints.close(complaint, by=world.hall_admin)
    with pytest.raises(Conflict):
        complaints.close(complaint, by=world.hall_admin)
    # A refused step left no event behind.
    assert complaint.event_count == ComplaintEvent.objects.filter(complaint=complaint).count() == 7


def test_each_sees_only_their_own(world, accepted):
    mine = file_on_portal(world, accepted)
    with clock.frozen(D(2026, 9, 30)):
        other = complaints.file_complaint(
            by=world.supervisor, source="desk", name="王五", subject="s", text="t"
        )
    assert set(queries.visible_complaints(world.alice)) == {mine}
    assert set(queries.visible_complaints(world.outsider)) == set()
    assert set(queries.visible_complaints(world.hall_admin)) == {mine, other}
    assert set(queries.visible_complaints(world.supervisor)) == {mine, other}
    # Department A's staff see a complaint once it is assigned to A — not before, though linked to A.
    assert set(queries.visible_complaints(world.head_a)) == set()
    complaints.assign(mine, by=world.hall_admin, department=world.dept_a)
    complaints.assign(other, by=world.hall_admin, department=world.dept_b)
    assert set(queries.visible_complaints(world.head_a)) == {mine}
    assert set(queries.visible_complaints(world.reviewer_a)) == {mine}
    assert set(queries.visible_complaints(world.reviewer_b)) == {other}
    assert set(queries.visible_complaints(world.clerk)) == set()
    with pytest.raises(NotFound):
        queries.complaint_for(world.reviewer_b, mine.number)
    with pytest.raises(NotFound):
        queries.complaint_for(world.outsider, mine.number)
    other_hall_admin = new_staff("admin_c", "其他", Role.HALL_ADMIN, world.other_hall)
    assert not queries.visible_complaints(other_hall_admin).exists()
    with pytest.raises(Forbidden):
        complaints.record_callback(mine, by=other_hall_admin, outcome="satisfied")


def test_an_unsatisfied_callback_reopens_the_complaint_with_a_new_limit_and_a_second_sms(world, accepted):
    complaint = file_on_portal(world, accepted)
    with clock.frozen(D(2026, 10, 9)):
        complaint = walk(world, complaint, upto="answer")
        # Satisfied: nothing to reopen.
        assert "reopen" not in complaints.allowed_actions(complaint, world.hall_admin)
        complaint = complaints.record_callback(
            complaint, by=world.supervisor, outcome="unsatisfied", note="答复敷衍"
        )
    assert complaints.allowed_actions(complaint, world.hall_admin) == ["reopen", "decide"]
    with pytest.raises(Forbidden):
        complaints.reopen(complaint, by=world.head_a, reason="不满意")
    with pytest.raises(DomainError) as missing:
        complaints.reopen(complaint, by=world.hall_admin, reason="  ")
    assert missing.value.code == "complaint.reason_required"
    # Friday 2026-10-09 + 5 working days, the 调休 Saturday 10-10 among them = Thursday 2026-10-15.
    with clock.frozen(D(2026, 10, 9)):
        complaint = complaints.reopen(complaint, by=world.hall_admin, reason="回访不满意，请重新核查")
    assert complaint.status == "assigned" and complaint.due_on == D(2026, 10, 15)
    assert complaint.answer == "" and complaint.callback_outcome == "" and complaint.answered_on_time is None
    reopened = ComplaintEvent.objects.get(complaint=complaint, action="reopen")
    assert reopened.payload["previous"]["answer"] == "已约谈窗口人员，向您致歉。"
    assert reopened.payload["previous"]["callback_note"] == "答复敷衍"
    with clock.frozen(D(2026, 10, 16)):  # a working day late
        complaint = complaints.answer(complaint, by=world.head_a, text="重新调查后已整改并致歉。")
    assert complaint.answered_on_time is False
    keys = set(
        Message.objects.filter(key__startswith=f"complaint:{complaint.number}:answered").values_list(
            "key", flat=True
        )
    )
    assert keys == {f"complaint:{complaint.number}:answered", f"complaint:{complaint.number}:answered:2"}
    complaint = complaints.record_callback(complaint, by=world.supervisor, outcome="satisfied")
    complaint = complaints.decide(complaint, by=world.hall_admin, finding="upheld", reason="属实")
    # Decided: no more reopening, even after an unsatisfied callback.
    assert "reopen" not in complaints.allowed_actions(complaint, world.hall_admin)
    assert complaints.verify(complaint) is None
