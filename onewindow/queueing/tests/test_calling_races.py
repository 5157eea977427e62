"""Two windows calling at the same instant never get the same ticket."""

import pytest

from onewindow.accounts.models import Window
from onewindow.concurrently import run_together
from onewindow.queueing import services
from onewindow.queueing.models import CallEvent, Ticket, WindowCategory

pytestmark = pytest.mark.django_db(transaction=True)


def test_50_concurrent_calls_over_40_tickets(world, queue):
    windows = [Window.objects.create(hall=world.hall, number=f"3{i}", name="综合", kind="comprehensive")
               for i in range(10)]  # fmt: skip
    for w in windows:
        WindowCategory.objects.create(window=w, category=queue["A"], order=1)
    for _ in range(40):
        services.issue_ticket(world.hall, queue["A"])
    results = run_together(
        *[lambda w=windows[i % 10]: services.call_next(w, by=world.clerk) for i in range(50)]
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    called = [r.number for r in results if r is not None]
    assert len(called) == 40 and len(set(called)) == 40
    assert results.count(None) == 10
    assert Ticket.objects.filter(status=Ticket.Status.WAITING).count() == 0
    assert CallEvent.objects.count() == 40
