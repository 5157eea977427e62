"""Every operation runs concurrently with itself (threads, each with its own connection): two
children closing at once, then three settlements at once (the periodic job, page reads), close
the application and send its completion message exactly once; two clerks accepting at once
accept once; numbers stay unique."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.bundles import services
from onewindow.bundles.models import BundleApplication
from onewindow.bundles.tests.conftest import MONDAY, apply, build_startup
from onewindow.cases import services as cases
from onewindow.cases.models import Case, CaseEvent
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.notify.models import Message

pytestmark = pytest.mark.django_db(transaction=True)
THURSDAY = MONDAY + dt.timedelta(days=3)


def _decider(startup, child):
    return lambda: cases.decide(child, by=startup.heads[child.department.code], approve=True)


def test_two_children_closing_at_once_then_settled_at_once_send_exactly_one_completion(world):
    startup = build_startup(world)
    with clock.frozen(MONDAY):
        applications = [apply(world, startup) for _ in range(3)]
        for application in applications:
            services.accept(application, by=world.clerk)
    with clock.frozen(THURSDAY):
        for application in applications:
            for child in Case.objects.filter(bundle_number=application.number).select_related("department"):
                cases.review(child, by=startup.reviewers[child.department.code], opinion="同意")
            # all but two decided one after the other
            for child in Case.objects.filter(bundle_number=application.number).select_related("department")[
                :3
            ]:
                _decider(startup, child)()
    for application in applications:  # three rounds: the race is won by either child
        last_two = list(Case.objects.filter(bundle_number=application.number, status="in_review")
                        .select_related("department"))  # fmt: skip
        assert len(last_two) == 2
        with clock.frozen(THURSDAY):  # process-wide: frozen once, around the threads
            results = run_together(*[_decider(startup, c) for c in last_two])
        assert all(isinstance(r, Case) for r in results), results
        # the children closed; the application is closed by whoever settles it first — once
        with clock.frozen(THURSDAY):
            mine = [application.number]
            settled = run_together(services.settle, services.settle, lambda mine=mine: services.settle(mine))
        assert sorted(settled) == [0, 0, 1], settled
        closed = Message.objects.filter(key=f"bundle:{application.number}:closed")
        assert closed.count() == 1
        application.refresh_from_db()
        assert application.closed_on == THURSDAY
    assert Message.objects.filter(event="bundle_closed").count() == 3
    assert not Message.objects.filter(subject_kind="case").exists()


def test_two_clerks_accepting_at_once_accept_once(world):
    from onewindow.accounts.models import Role
    from onewindow.personas import new_staff

    startup = build_startup(world)
    second = new_staff("clerk_2", "柯二", Role.CLERK, world.hall, windows=[world.window_1])
    with clock.frozen(MONDAY):
        application = apply(world, startup)

        def accept(by):
            return lambda: services.accept(application, by=by)

        results = run_together(accept(world.clerk), accept(second))
    winners = [r for r in results if isinstance(r, BundleApplication)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "bundle.invalid_transition" and losers[0].status == 409
    assert CaseEvent.objects.filter(case__bundle_number=application.number, action="accept").count() == 5
    assert Message.objects.filter(event="bundle_accepted").count() == 1


def test_concurrent_applications_get_distinct_numbers(world):
    startup = build_startup(world)

    def apply_some():
        return [apply(world, startup).number for _ in range(3)]

    with clock.frozen(MONDAY):
        results = run_together(*[apply_some] * 6)
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = [n for batch in results for n in batch]
    assert len(set(numbers)) == 18 == BundleApplication.objects.count()
    assert Case.objects.exclude(bundle_number="").count() == 90
