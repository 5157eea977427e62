"""Issue 14, one source per rule in the queue: the console offers exactly what the queue
services allow (叫下一位 not while the window is busy or paused), and call_next serves in the
order ahead_of counts in."""

import datetime as dt
import re

import pytest
from django.db import transaction

from onewindow import clock
from onewindow.errors import DomainError
from onewindow.queueing import services
from onewindow.queueing.models import Priority, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("open_hall")]

WINDOW_ACTIONS = {"call_next": lambda w, by: services.call_next(w, by=by),
                  "pause": lambda w, by: services.pause(w, by=by, reason="午休"),
                  "resume": lambda w, by: services.resume(w, by=by)}  # fmt: skip
TICKET_ACTIONS = {
    "recall": lambda w, n, by: services.recall(w, n, by=by),
    "start": lambda w, n, by: services.start(w, n, by=by),
    "no_show": lambda w, n, by: services.no_show(w, n, by=by),
    "finish": lambda w, n, by: services.finish(w, n, by=by),
    "transfer": lambda w, n, by: services.transfer(w, n, by=by, category=None, to_window=w),
}


class _RolledBack(Exception):
    pass


def _succeeds(run) -> bool:
    try:
        with transaction.atomic():
            run()
            raise _RolledBack
    except _RolledBack:
        return True
    except DomainError:
        return False


def _idle(world, queue):
    services.issue_ticket(world.hall, queue["A"])


def _busy(world, queue):
    _idle(world, queue)
    services.issue_ticket(world.hall, queue["A"])
    services.call_next(world.window_1, by=world.clerk)


def _serving_recalled(world, queue):
    _busy(world, queue)
    for _ in range(services.MAX_RECALLS):
        services.recall(world.window_1, "A001", by=world.clerk)


def _paused(world, queue):
    _idle(world, queue)
    services.pause(world.window_1, by=world.clerk, reason="午休")


STATES = {"idle": _idle, "busy": _busy, "recalled_twice": _serving_recalled, "paused": _paused}


def _buttons(page: str) -> set[str]:
    return {b.replace("-", "_") for b in re.findall(r'data-testid="(call-next|pause|resume|recall|start|no-show|finish|transfer)"', page)}  # fmt: skip


@pytest.mark.parametrize("state", list(STATES))
def test_the_console_offers_what_the_services_allow(world, queue, as_user, state):
    STATES[state](world, queue)
    window = world.window_1
    allowed = services.allowed_actions(window, world.clerk)
    tickets = list(Ticket.objects.filter(window=window, status__in=services.OPEN))
    per_ticket = {t.number: services.ticket_actions(t) for t in tickets}
    page = as_user(world.clerk).get("/staff/queue/?window=01").content.decode()
    assert _buttons(page) == set(allowed) | {a for actions in per_ticket.values() for a in actions}
    for action, run in WINDOW_ACTIONS.items():
        assert _succeeds(lambda run=run: run(window, world.clerk)) == (action in allowed), (state, action)
    for t in tickets:
        for action, run in TICKET_ACTIONS.items():
            ok = _succeeds(lambda run=run, t=t: run(window, t.number, world.clerk))
            assert ok == (action in per_ticket[t.number]), (state, t.number, action)
    if state == "busy":  # the issue's case: 叫下一位 is not offered while A001 is called
        assert "call_next" not in allowed and 'data-testid="call-next"' not in page
    # a clerk not posted at the window is offered nothing there (the service refuses them)
    assert services.allowed_actions(world.window_a, world.clerk) == []


def test_call_next_serves_in_the_order_ahead_of_counts(world, queue):
    """Ties included: tickets queued at the same instant go by their id in both."""
    at = clock.now()
    with clock.frozen(at - dt.timedelta(minutes=10)):
        early = [services.issue_ticket(world.hall, queue["A"]) for _ in range(2)]  # the same instant
    plain = services.issue_ticket(world.hall, queue["A"])
    with clock.frozen(at + dt.timedelta(minutes=1)):
        elderly = services.issue_ticket(world.hall, queue["A"], priority=Priority.ELDERLY)
    tickets = [*early, plain, elderly]
    ahead = {t.number: services.ahead_of(t) for t in tickets}
    served = []
    while (ticket := services.call_next(world.window_1, by=world.clerk)) is not None:
        served.append(ticket.number)
        services.finish(world.window_1, ticket.number, by=world.clerk)
    assert served == sorted(ahead, key=ahead.get)
    assert [ahead[n] for n in served] == list(range(len(tickets)))
    assert served[0] == elderly.number  # priority first, though queued last
