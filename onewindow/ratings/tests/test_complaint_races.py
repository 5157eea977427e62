"""Every operation runs concurrently with itself: two staff answering one complaint at once make
one answer, one event and one SMS; two assignments at once leave one department and a chain that
verifies (threads with their own connections; PostgreSQL shows the races)."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.notify.models import Message
from onewindow.ratings import complaints
from onewindow.ratings.models import Complaint, ComplaintEvent

pytestmark = pytest.mark.django_db(transaction=True)


def filed(world):
    with clock.frozen(dt.date(2026, 10, 12)):
        return complaints.file_complaint(by=world.alice, subject="态度差", text="不耐烦", hall=world.hall)


def test_two_staff_answering_at_once_make_one_answer(world):
    complaint = complaints.assign(filed(world), by=world.hall_admin, department=world.dept_a)
    results = run_together(
        lambda: complaints.answer(complaint, by=world.head_a, text="负责人的答复"),
        lambda: complaints.answer(complaint, by=world.reviewer_a, text="审查人员的答复"),
    )
    answered = [r for r in results if isinstance(r, Complaint)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(answered) == 1 and len(refused) == 1, results
    assert (refused[0].status, refused[0].code) == (409, "complaint.state")
    complaint.refresh_from_db()
    assert complaint.status == "answered" and complaint.answer == answered[0].answer
    assert ComplaintEvent.objects.filter(complaint=complaint, action="answer").count() == 1
    assert Message.objects.filter(subject_kind="complaint", subject_key=complaint.number).count() == 1
    assert complaints.verify(complaint) is None


def test_two_assignments_at_once_keep_the_chain(world):
    complaint = filed(world)
    results = run_together(
        lambda: complaints.assign(complaint, by=world.hall_admin, department=world.dept_a),
        lambda: complaints.assign(complaint, by=world.supervisor, department=world.dept_b),
    )
    assert all(isinstance(r, Complaint) for r in results), results  # the second re-assigns
    complaint.refresh_from_db()
    assert complaint.event_count == 3 and complaints.verify(complaint) is None
    last = ComplaintEvent.objects.filter(complaint=complaint).order_by("-seq").first()
    assert complaint.department.code == last.payload["department"]
