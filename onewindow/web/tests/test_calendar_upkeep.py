"""The calendar never runs out (issue 13 rule 6), and a calendar change moves the bundles' and the
ordinals' dated things too (rule 7): the worker's daily job, the admin's pages, a bundle."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow import clock
from onewindow.bundles import services as bundles
from onewindow.bundles.models import BundleApplication
from onewindow.bundles.tests.conftest import apply, startup  # noqa: F401 - the 企业开办 fixture
from onewindow.cases import services as cases
from onewindow.cases.models import Case, CaseStep, Channel
from onewindow.notify.models import Message
from onewindow.ops import periodic
from onewindow.personas import all_required, published_item
from onewindow.web import calendar_changes
from onewindow.workdays import calendar
from onewindow.workdays import services as workdays
from onewindow.workdays.models import Day

pytestmark = pytest.mark.django_db
D = dt.date


def _last_year() -> int:
    return Day.objects.order_by("-date").values_list("date", flat=True).first().year


def test_the_daily_job_extends_the_calendar_as_time_passes(world):
    end = _last_year()
    # on a day whose year is within two years of the table's end, a deadline would soon run out
    late = D(end - 1, 12, 20)
    with clock.frozen(late):
        # three years past `late`'s year (the setting's default): two more years
        assert periodic.extend_calendar() == 2
        assert _last_year() == end + 2
        assert calendar.add_workdays(late, 250).year == end
        assert calendar.is_provisional(D(end + 2, 6, 1))
        # then nothing to do, and no query to learn it
        with CaptureQueriesContext(connection) as asked:
            assert periodic.extend_calendar() == 0
        assert len(asked) <= 1  # at most the version row, every ONEWINDOW_CALENDAR_CHECK_SECONDS
        assert periodic.run_jobs()["calendar_years"] == 0


def test_at_least_two_years_ahead_whatever_the_setting(world, settings):
    settings.ONEWINDOW_PROVISIONAL_YEARS_AHEAD = 0
    end = _last_year()
    with clock.frozen(D(end, 1, 2)):
        assert workdays.ensure_calendar() == 2
    assert _last_year() == end + 2


def test_a_change_before_acceptance_shifts_ordinals_without_moving_the_date(world):
    """Monday 2027-01-04 becomes a day off by hand: a case accepted on 01-06 keeps its date (its
    span does not cross the day), but its ordinals and its steps' shift by one, with no event and
    no message (nothing a person reads changed)."""
    item = published_item(world)
    with clock.frozen(D(2027, 1, 6)):
        case = cases.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                            channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
        case = cases.accept(case, by=world.clerk)
    assert case.due_on == D(2027, 1, 13)
    steps = dict(CaseStep.objects.filter(case=case).values_list("order", "due_seq"))
    moved = calendar_changes.set_day(D(2027, 1, 4), is_workday=False, kind=Day.Kind.HOLIDAY, holiday_name="调整",
                                     by=world.hall_admin)  # fmt: skip
    assert moved.dates == [D(2027, 1, 4)] and moved.cases == []
    case.refresh_from_db()
    assert (case.due_on, case.due_seq) == (D(2027, 1, 13), calendar.seq(D(2027, 1, 13)))
    assert dict(CaseStep.objects.filter(case=case).values_list("order", "due_seq")) == {
        order: due - 1 for order, due in steps.items()
    }
    assert not case.events.filter(action="recompute_deadline").exists()
    assert not Message.objects.filter(event="deadline_moved").exists()


def test_a_bundle_is_told_once_for_all_its_cases(world, startup):  # noqa: F811
    # 企业开办 (3 working days) accepted on Wednesday 2026-12-30: due 2027-01-05 (暂定)
    with clock.frozen(D(2026, 12, 30)):
        application = bundles.accept(apply(world, startup), by=world.clerk)
    assert application.due_on == D(2027, 1, 5)
    assert "2027年1月5日（暂定）前办结" in Message.objects.get(event="bundle_accepted").text
    with clock.frozen(D(2026, 12, 31)):
        moved = calendar_changes.publish_official_year(
            2027,
            holidays=["2027-01-01~2027-01-03 元旦", "2027-01-04~2027-01-08 元旦"],
            adjusted_workdays=[],
            by=world.hall_admin,
        )
    application = BundleApplication.objects.get(pk=application.pk)
    assert moved.bundles == [application.number]
    assert (application.due_on, application.due_seq) == (D(2027, 1, 12), calendar.seq(D(2027, 1, 12)))
    # its five cases moved, each recorded on the case; one SMS for the bundle, none per case
    children = Case.objects.filter(bundle_number=application.number)
    assert set(moved.cases) == set(children.values_list("number", flat=True)) and len(moved.cases) == 5
    told = list(Message.objects.filter(event="deadline_moved"))
    assert [m.key for m in told] == [f"bundle:{application.number}:deadline_moved:2027-01-12"]
    assert "一件事申请" in told[0].text and "由2027年1月5日调整为2027年1月12日" in told[0].text
