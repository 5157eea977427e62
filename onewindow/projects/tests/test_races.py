"""Every operation runs concurrently with itself (threads, each with its own connection): codes
stay unique, a stage is accepted or closed once, and silent consent never overwrites an opinion
given at the same moment nor records one twice."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.projects import codes, jobs, services
from onewindow.projects.models import Opinion, Project, SilentConsent, Stage
from onewindow.projects.tests.conftest import MONDAY, register

pytestmark = pytest.mark.django_db(transaction=True)


def test_codes_are_unique_under_concurrent_registration(world, cast):
    per_thread, threads = 15, 8

    def register_many():
        return [register(world, cast).code for _ in range(per_thread)]

    # Frozen once for all threads: the clock is process-wide, and a thread leaving its own
    # `frozen` block would unfreeze the others mid-run (the year is part of the serial's scope).
    with clock.frozen(MONDAY):
        results = run_together(*[register_many] * threads)
    assert [r for r in results if isinstance(r, Exception)] == []
    found = [c for batch in results for c in batch]
    assert len(found) == len(set(found)) == per_thread * threads == Project.objects.count()
    assert all(codes.code_error(c) is None for c in found)
    serials = sorted(int(c[18:23]) for c in found)
    assert len(set(serials)) == len(serials)


def test_two_leads_accepting_one_stage_at_once_accept_it_once(world, cast, project):
    def accept(by):
        return lambda: services.accept_stage(project, 1, by=by, form_data={"scale": "新建厂房"})

    with clock.frozen(MONDAY):
        results = run_together(accept(world.reviewer_a), accept(world.head_a))
    winners = [r for r in results if isinstance(r, Stage)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "project.stage_not_acceptable" and losers[0].status == 409
    assert project.events.filter(action="accept_stage").count() == 1


def test_an_opinion_given_while_the_job_runs_is_either_kept_or_refused(world, cast, project):
    with clock.frozen(MONDAY):
        services.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
    late = dt.date(2026, 11, 6)  # D's and B's limits (3 days) passed yesterday

    def give():
        with clock.frozen(late):
            return services.give_opinion(
                project, 1, by=cast.reviewer_d, kind="disagree", reasons="消防车道不足"
            )

    def sweep():
        with clock.frozen(late):
            return jobs.apply_silent_consent()

    results = run_together(give, sweep, sweep)
    opinion = Opinion.objects.get(stage__project=project, stage__order=1, department=cast.dept_d)
    recorded = SilentConsent.objects.filter(opinion=opinion).count()
    if isinstance(results[0], Opinion):  # the department won: its opinion stands, nothing recorded
        assert (opinion.state, opinion.kind, recorded) == ("given", "disagree", 0)
    else:  # the job won: the department is refused and the consent is recorded once
        assert results[0].code == "project.opinion_silent"
        assert (opinion.state, recorded) == ("silent", 1)
    assert SilentConsent.objects.count() == Opinion.objects.filter(state="silent").count()
    assert SilentConsent.objects.filter(department=world.dept_b).count() == 1  # B: recorded once by two jobs


def test_a_rolled_back_first_registration_of_the_year_does_not_break_the_next(world, cast):
    """On PostgreSQL the first registration of a region and year creates its SEQUENCE; if that
    transaction rolls back, so does the sequence, and the next registration creates it again."""
    from django.db import transaction

    with clock.frozen(dt.date(2028, 3, 1)):
        with pytest.raises(RuntimeError), transaction.atomic():
            register(world, cast)
            raise RuntimeError("the owner's browser crashed")
        project = register(world, cast)
    assert project.code.startswith("2028-371402-47-03-") and Project.objects.count() == 1
