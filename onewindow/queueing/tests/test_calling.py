"""Calling at the windows: priority first, then the longest wait; transfers keep the wait."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from onewindow import clock
from onewindow.errors import DomainError
from onewindow.queueing import services
from onewindow.queueing.models import CallEvent, Ticket

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


def _issue(world, queue, letter, minute, priority=""):
    with clock.frozen(T0 + dt.timedelta(minutes=minute)):
        return services.issue_ticket(world.hall, queue[letter], priority=priority)


def _call(world, window, *, finish=False):
    """叫号 (and 办结 at once when `finish`: a window calls again only after that)."""
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        ticket = services.call_next(window, by=world.clerk)
        if ticket and finish:
            services.finish(window, ticket.number, by=world.clerk)
    return ticket.number if ticket else None


@pytest.fixture(autouse=True)
def clerk_at_both_windows(world):
    """Carol is assigned windows 01 and 11 here (she calls only at her own windows)."""
    world.clerk.staff.windows.add(world.window_a)


def test_numbers_run_per_category_with_its_letter(world, queue):
    assert [_issue(world, queue, "A", i).number for i in range(3)] == ["A001", "A002", "A003"]
    assert _issue(world, queue, "B", 4).number == "B001"


def test_priority_first_then_oldest_then_window_order(world, queue):
    _issue(world, queue, "B", 0)  # B001 oldest
    _issue(world, queue, "A", 1)  # A001
    _issue(world, queue, "A", 2, priority="elderly")  # A002 priority
    assert [_call(world, world.window_1, finish=True) for _ in range(4)] == ["A002", "B001", "A001", None]


def test_a_window_calls_only_its_categories(world, queue):
    _issue(world, queue, "A", 0)
    assert _call(world, world.window_a) is None
    assert _call(world, world.window_1) == "A001"


def test_recall_then_no_show_after_the_recalls(world, queue):
    _issue(world, queue, "A", 0)
    number = _call(world, world.window_1)
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        with pytest.raises(DomainError) as err:
            services.no_show(world.window_1, number, by=world.clerk)
        assert err.value.code == "queue.recall_first"
        for _ in range(services.MAX_RECALLS):
            services.recall(world.window_1, number, by=world.clerk)
        with pytest.raises(DomainError):
            services.recall(world.window_1, number, by=world.clerk)
        assert services.no_show(world.window_1, number, by=world.clerk).status == Ticket.Status.NO_SHOW
    assert CallEvent.objects.filter(ticket__number=number).count() == 1 + services.MAX_RECALLS


def test_transfer_keeps_the_original_waiting_time(world, queue):
    first = _issue(world, queue, "A", 0)
    _issue(world, queue, "B", 5)  # B001 issued later than A001
    number = _call(world, world.window_1)
    assert number == "A001"
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        moved = services.transfer(world.window_1, number, by=world.clerk, category=queue["B"])
    assert moved.queued_at == first.queued_at and moved.number == "B002"
    assert _call(world, world.window_a) == "B002"  # ahead of B001: it has waited longer


def test_a_paused_window_does_not_call(world, queue):
    _issue(world, queue, "A", 0)
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        services.pause(world.window_1, by=world.clerk, reason="午间交接")
        with pytest.raises(DomainError) as err:
            services.call_next(world.window_1, by=world.clerk)
        assert err.value.code == "queue.window_paused"
        services.resume(world.window_1, by=world.clerk)
        assert services.call_next(world.window_1, by=world.clerk).number == "A001"


def test_staff_of_another_role_cannot_call(world, queue):
    with pytest.raises(DomainError) as err:
        services.call_next(world.window_1, by=world.reviewer_a)
    assert err.value.status == 403


WINDOWS = st.sampled_from(["w1", "wa"])
ops = st.lists(st.one_of(
    st.tuples(st.just("issue"), st.sampled_from(["A", "B"]), st.sampled_from(["", "elderly"])),
    st.tuples(st.sampled_from(["call", "finish", "no_show"]), WINDOWS, st.just("")),
    st.tuples(st.just("transfer"), WINDOWS, st.sampled_from(["A", "B"])),
), min_size=1, max_size=25)  # fmt: skip
# Every branch below on every run, whatever hypothesis draws: each closing at a window with a
# called ticket and at one without, a call at a busy window, an empty call.
EVERY_BRANCH = [
    ("no_show", "wa", ""), ("transfer", "w1", "B"), ("call", "wa", ""),
    ("issue", "B", ""), ("issue", "A", "elderly"), ("issue", "B", ""),
    ("finish", "w1", ""), ("call", "w1", ""), ("call", "w1", ""), ("finish", "w1", ""), ("finish", "w1", ""),
    ("call", "wa", ""), ("no_show", "wa", ""), ("no_show", "wa", ""),
    ("call", "w1", ""), ("transfer", "w1", "A"), ("transfer", "w1", "B"), ("call", "w1", ""),
]  # fmt: skip


def _close(op, window, number, *, by, category=None) -> Ticket:
    """办结, 过号 (after the recalls it needs) or 转移 of the ticket called at the window."""
    if op == "finish":
        return services.finish(window, number, by=by)
    if op == "transfer":
        return services.transfer(window, number, by=by, category=category)
    for _ in range(services.MAX_RECALLS):
        services.recall(window, number, by=by)
    return services.no_show(window, number, by=by)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=ops)
@example(sequence=EVERY_BRANCH)
def test_calls_follow_the_order_rules_for_any_sequence(world, queue, sequence):
    """A model of the queue (priority, then queued_at, then window order) predicts every call,
    whatever issues, calls, finishes, no-shows and transfers came before; a window with a called
    ticket open refuses to call (issue 13 rule 9), and one with none open has nothing to close."""
    Ticket.objects.all().delete()
    model: list[dict] = []  # waiting tickets: {"pk", "cat", "prio", "queued"}
    windows = {"w1": (world.window_1, ["A", "B"]), "wa": (world.window_a, ["B"])}
    # `target` is a category letter for an issue, a window key otherwise.
    open_at: dict[str, Ticket] = {}  # window key → its called ticket not yet closed
    closed_at: dict[str, str] = {}  # window key → the number it closed last
    for minute, (op, target, arg) in enumerate(sequence):
        window, cats = windows.get(target, (None, []))
        with clock.frozen(T0 + dt.timedelta(minutes=minute)):
            if op == "issue":
                t = services.issue_ticket(world.hall, queue[target], priority=arg)
                assert (t.status, t.category_id) == (Ticket.Status.WAITING, queue[target].pk)
                model.append({"pk": t.pk, "cat": target, "prio": bool(arg), "queued": t.queued_at})
            elif op == "call" and target in open_at:
                with pytest.raises(DomainError) as err:
                    services.call_next(window, by=world.clerk)
                assert err.value.code == "queue.window_busy"
            elif op == "call":
                eligible = [m for m in model if m["cat"] in cats]
                eligible.sort(key=lambda m: (not m["prio"], m["queued"], cats.index(m["cat"]), m["pk"]))
                got = services.call_next(window, by=world.clerk)
                assert (got.pk if got else None) == (eligible[0]["pk"] if eligible else None)
                if got:
                    model = [m for m in model if m["pk"] != got.pk]
                    open_at[target] = got
            elif target not in open_at:
                # Nothing called here: the number closed last (or none) cannot be closed again.
                number = closed_at.get(target, "Z999")
                with pytest.raises(DomainError) as err:
                    _close(op, window, number, by=world.clerk, category=queue.get(arg))
                assert err.value.code == (
                    "queue.ticket_state" if target in closed_at else "queue.ticket_not_found"
                )
            else:
                ticket = open_at.pop(target)
                closed = _close(op, window, ticket.number, by=world.clerk, category=queue.get(arg))
                closed_at[target] = ticket.number
                if op == "transfer":  # requeued with its original waiting time
                    assert (closed.category_id, closed.queued_at) == (queue[arg].pk, ticket.queued_at)
                    model.append(
                        dict(pk=closed.pk, cat=arg, prio=bool(closed.priority), queued=closed.queued_at)
                    )
                    closed = Ticket.objects.get(pk=ticket.pk)
                expected = {"finish": Ticket.Status.DONE, "no_show": Ticket.Status.NO_SHOW,
                            "transfer": Ticket.Status.TRANSFERRED}[op]  # fmt: skip
                assert closed.status == expected


def test_calling_at_a_window_is_standing_at_it(world, queue):
    """The clerk's current window (Staff.at_window) follows the calls: intake they answer next is
    recorded at that window (cases: Case.window)."""
    from onewindow.accounts.models import Staff

    _issue(world, queue, "A", 0)
    _issue(world, queue, "A", 1)
    assert Staff.objects.get(user=world.clerk).at_window_id == world.window_1.pk
    assert _call(world, world.window_a) is None  # window 11 calls nothing of A, but she stands there
    assert Staff.objects.get(user=world.clerk).at_window_id == world.window_a.pk
    assert world.clerk.staff.at_window_id == world.window_a.pk  # this login's row too
    number = _call(world, world.window_1)
    assert Staff.objects.get(user=world.clerk).at_window_id == world.window_1.pk
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        services.start(world.window_1, number, by=world.clerk)
    assert Staff.objects.get(user=world.clerk).at_window_id == world.window_1.pk
