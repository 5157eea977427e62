"""Silent consent (超时默认): the periodic job takes every co-reviewer still without a formal
opinion after its limit as agreeing — set-based, whatever the number of projects — and records
the event against the department for supervision."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow import clock
from onewindow.projects import jobs, queries, services
from onewindow.projects.models import Opinion, SilentConsent
from onewindow.projects.tests.conftest import MONDAY, register

pytestmark = pytest.mark.django_db
FRIDAY = dt.date(2026, 11, 6)  # B's and D's 3-day limits in stage 1 ended on Thursday


def _accepted(world, cast, n):
    with clock.frozen(MONDAY):
        projects = [register(world, cast) for _ in range(n)]
        for p in projects:
            services.accept_stage(p, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
    return projects


def test_the_job_is_a_fixed_number_of_statements_whatever_the_number_of_opinions(world, cast):
    _accepted(world, cast, 2)
    with clock.frozen(FRIDAY), CaptureQueriesContext(connection) as few:
        assert jobs.apply_silent_consent() == 4
    SilentConsent.objects.all().delete()
    Opinion.objects.update(state="pending", kind="", given_at=None)
    _accepted(world, cast, 6)
    with clock.frozen(FRIDAY), CaptureQueriesContext(connection) as many:
        assert jobs.apply_silent_consent() == 16
    writes = [q["sql"] for q in many.captured_queries if q["sql"].lstrip().startswith(("UPDATE", "INSERT"))]
    assert len(many.captured_queries) == len(few.captured_queries) and len(writes) == 2


def test_what_the_job_takes_and_what_it_leaves(world, cast):
    first, second = _accepted(world, cast, 2)
    with clock.frozen(MONDAY):
        later = register(world, cast)  # not accepted: its clock has not started
        services.give_opinion(first, 2, by=world.reviewer_b, kind="agree", simulated=True)  # stage 2: not due
    with clock.frozen(dt.date(2026, 11, 3)):
        services.give_opinion(first, 1, by=world.reviewer_b, kind="agree")
    with clock.frozen(dt.date(2026, 11, 4)):
        # D simulated on the second project and never confirmed: no formal opinion either
        Opinion.objects.filter(project=second, stage__order=1, department=cast.dept_d).update(
            state="simulated", kind="disagree", reasons="模拟：消防通道不足", simulated=True)  # fmt: skip
    with clock.frozen(FRIDAY):
        assert jobs.apply_silent_consent() == 3
    taken = {(o.project_id, o.department_id) for o in Opinion.objects.filter(state="silent")}
    assert taken == {(first.pk, cast.dept_d.pk), (second.pk, world.dept_b.pk), (second.pk, cast.dept_d.pk)}
    assert Opinion.objects.get(project=second, stage__order=1, department=cast.dept_d).kind == "agree"
    assert not Opinion.objects.filter(project=later).exclude(state="pending").exists()
    assert Opinion.objects.get(project=first, stage__order=2, department=world.dept_b).state == "simulated"
    assert Opinion.objects.get(project=first, stage__order=1, department=world.dept_b).state == "given"
    with clock.frozen(FRIDAY):
        assert queries.silent_consent_counts(FRIDAY, FRIDAY) == {world.dept_b.pk: 1, cast.dept_d.pk: 2}


def test_the_departments_record_and_the_inbox_show_it(world, cast, as_user):
    (project,) = _accepted(world, cast, 1)
    with clock.frozen(dt.date(2026, 11, 5)):
        inbox = as_user(cast.reviewer_d).get("/staff/projects/opinions/").content.decode()
        assert inbox.count('data-testid="owed-row"') == 1 and "黄灯" in inbox  # its last day
    with clock.frozen(FRIDAY):
        jobs.apply_silent_consent()
        record = as_user(cast.reviewer_d).get(f"/staff/projects/silent-consents/{cast.dept_d.code}/")
        inbox = as_user(cast.reviewer_d).get("/staff/projects/opinions/").content.decode()
    html = record.content.decode()
    assert project.code in html and 'data-testid="silent-total">1<' in html
    assert 'data-testid="owed-row"' not in inbox  # nothing owed any more
