"""Two people acting on one work order at once make one step (threads with their own connections;
PostgreSQL shows the races): two operators dispatching, two of the department signing, two of
the department objecting."""

import pytest

from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.hotline import flow
from onewindow.hotline.audit import chain_broken_at
from onewindow.hotline.models import Assignment, Objection, WorkOrder

pytestmark = pytest.mark.django_db(transaction=True)


def split(results):
    done = [r for r in results if not isinstance(r, DomainError)]
    refused = [r for r in results if isinstance(r, DomainError)]
    return done, refused


def test_two_operators_dispatching_at_once_dispatch_once(world, operator, receive):
    order = receive()
    results = run_together(
        lambda: flow.dispatch(order, by=operator, lead=world.dept_a),
        lambda: flow.dispatch(order, by=world.hall_admin, lead=world.dept_b),
    )
    done, refused = split(results)
    assert len(done) == 1 and len(refused) == 1, results
    assert refused[0].code == "hotline.state"
    order.refresh_from_db()
    assert Assignment.objects.filter(order=order).count() == 1
    assert order.lead_department == Assignment.objects.get(order=order).department
    assert order.event_count == 2 and chain_broken_at(order) is None


def test_two_signs_at_once_sign_once_and_two_objections_make_one(world, operator, receive):
    order = flow.dispatch(receive(), by=operator, lead=world.dept_a)
    done, refused = split(run_together(lambda: flow.sign(order, by=world.head_a),
                                       lambda: flow.sign(order, by=world.reviewer_a)))  # fmt: skip
    assert len(done) == 1 and refused[0].code == "hotline.state", (done, refused)
    done, refused = split(run_together(lambda: flow.object_to(order, by=world.head_a, reason="不属本局"),
                                       lambda: flow.object_to(order, by=world.reviewer_a, reason="不属本局")))  # fmt: skip
    assert len(done) == 1 and refused[0].code == "hotline.objected_once", (done, refused)
    assert Objection.objects.filter(order=order).count() == 1
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.event_count == 4 and chain_broken_at(order) is None
