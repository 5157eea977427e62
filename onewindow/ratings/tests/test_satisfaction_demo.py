"""The demo (ratings.satisfaction_demo, through `manage.py seed_demo`): two months of ratings in
the demo hall, bad ratings rectified, two complaints — non-empty figures on the public page, the
dashboard and the assessment; a second run changes nothing."""

import datetime as dt

import pytest
from django.core.management import call_command

from onewindow import clock
from onewindow.ratings import figures
from onewindow.ratings.audit import chain_broken_at
from onewindow.ratings.models import Appeal, Complaint, Rating, Rectification

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (Rating, Rectification, Complaint)]


def test_the_demo_rates_two_months_and_feeds_the_pages_and_the_assessment(client):
    from onewindow.assessment.models import ScoreLine

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _counts() == first

    last_month = (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    end = clock.today().replace(day=1) - dt.timedelta(days=1)
    month = figures.satisfaction(last_month, end)
    assert month.total.rated >= 20 and 0 < month.total.bad < month.total.rated
    assert 0 < month.total.rectified <= month.total.bad
    assert len({line.department for line in month.lines}) >= 2
    assert Rating.objects.filter(excluded=True).exists() and Rating.objects.filter(kind="follow_up").exists()
    assert sorted(Complaint.objects.values_list("finding", flat=True)) == ["not_upheld", "upheld"]
    # Every step of the loop is in the rating's audit chain, and each chain verifies.
    fed_back = Rectification.objects.filter(status__in=["fed_back", "closed"], rating__excluded=False).first()
    actions = list(fed_back.rating.events.values_list("action", flat=True))
    assert actions[:6] == ["rate", "rectification_open", "callback", "verify", "rectify", "feedback"]
    assert Appeal.objects.filter(status="upheld").count() >= 1
    assert all(chain_broken_at(r) is None for r in Rating.objects.filter(is_bad=True))

    page = client.get("/figures/satisfaction/")
    assert page.status_code == 200 and page.context["rectified"]
    # The monthly assessment of last month counts them.
    counted = ScoreLine.objects.filter(score__month=last_month, units__gt=0)
    assert counted.filter(code="bad_ratings").exists() and counted.filter(code="complaints_upheld").exists()
