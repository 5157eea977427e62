"""Shared by the rectification tests: a case of department A accepted at window 01, and a bad
portal rating of it (services.record — the one home of a rating), on Monday 2026-11-02: the
callback is due Tuesday 11-03, the rectification's feedback Monday 11-09 (5 working days)."""

import datetime as dt

from onewindow import clock
from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.personas import published_item
from onewindow.ratings import services
from onewindow.ratings.models import Rectification

D = dt.date
RATED_ON = D(2026, 11, 2)
PHONE = "13912345678"


def accepted_case(world, day=RATED_ON):
    version = published_item(world).current
    with clock.frozen(day):
        case = cases.submit(version=version, applicant=world.alice_applicant, hall=world.hall, channel=Channel.WINDOW,
                            by=world.clerk, handed_in=[m.pk for m in version.materials.all()])  # fmt: skip
        return cases.accept(case, by=world.clerk)


def bad_rating(world, case=None, *, day=RATED_ON, level=1):
    """A bad online rating of the case through the portal, by Alice, with her phone."""
    case = case or accepted_case(world, day)
    with clock.frozen(day):
        return services.record(subject=services.subject_of_case(case, "online"), channel="portal", level=level,
                               text="窗口人员态度生硬，材料要求讲不清。", rater_user=world.alice,
                               rater=world.alice_applicant, rater_phone=PHONE)  # fmt: skip


def rectification_of(rating) -> Rectification:
    return Rectification.objects.select_related("rating").get(rating=rating)
