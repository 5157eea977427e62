"""Two windows calling at the same instant never get the same ticket; two calls at the same
window at the same instant never both succeed (issue 13 rule 9: one open call per window)."""

import pytest

from onewindow.accounts.models import Window
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.queueing import services
from onewindow.queueing.models import CallEvent, Ticket, WindowCategory

pytestmark = pytest.mark.django_db(transaction=True)


def test_50_windows_calling_at_once_over_40_tickets(world, queue):
    windows = [Window.objects.create(hall=world.hall, number=f"3{i:02d}", name="综合", kind="comprehensive")
               for i in range(50)]  # fmt: skip
    for w in windows:
        WindowCategory.objects.create(window=w, category=queue["A"], order=1)
    world.clerk.staff.windows.add(*windows)
    for _ in range(40):
        services.issue_ticket(world.hall, queue["A"])
    results = run_together(*[lambda w=w: services.call_next(w, by=world.clerk) for w in windows])
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    called = [r.number for r in results if r is not None]
    assert len(called) == 40 and len(set(called)) == 40
    assert results.count(None) == 10
    assert Ticket.objects.filter(status=Ticket.Status.WAITING).count() == 0
    assert CallEvent.objects.count() == 40


@pytest.mark.parametrize("callers", [2, 8])
def test_concurrent_calls_at_one_window_call_one_ticket(world, queue, callers):
    for _ in range(callers + 2):
        services.issue_ticket(world.hall, queue["A"])
    results = run_together(*[lambda: services.call_next(world.window_1, by=world.clerk)] * callers)
    called = [r for r in results if isinstance(r, Ticket)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(called) == 1 and called[0].number == "A001"
    assert len(refused) == callers - 1 and {e.code for e in refused} == {"queue.window_busy"}
    assert Ticket.objects.filter(window=world.window_1, status=Ticket.Status.CALLED).count() == 1
    assert CallEvent.objects.count() == 1
