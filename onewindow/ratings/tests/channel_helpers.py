"""What the channel tests share: the tags, Alice's case accepted at window 01, a ticket served at
window 01 with that case on it, a paired device. Day: Monday 2026-10-12, 10:00 hall time."""

import datetime as dt

from onewindow import clock
from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.personas import published_item
from onewindow.queueing import services as queue
from onewindow.queueing.models import Category, WindowCategory
from onewindow.ratings import devices
from onewindow.ratings.models import RatingMode, RatingTag

DAY = dt.date(2026, 10, 12)
AT = dt.datetime(2026, 10, 12, 10, 0, tzinfo=clock.hall_tz())


def tags():
    RatingTag.objects.bulk_create([
        RatingTag(text="态度热情", order=1), RatingTag(text="指南清晰准确", mode=RatingMode.ONLINE, order=2),
        RatingTag(text="业务熟练", mode=RatingMode.ON_SITE, order=3), RatingTag(text="等候时间长", for_bad=True, order=4),
        RatingTag(text="停用的标签", is_active=False, order=5),
    ])  # fmt: skip


def submitted(world):
    version = published_item(world).current
    with clock.frozen(AT):
        return cases.submit(version=version, applicant=world.alice_applicant, hall=world.hall, channel=Channel.WINDOW,
                            by=world.clerk, handed_in=[m.pk for m in version.materials.all()])  # fmt: skip


def accepted(world):
    case = submitted(world)
    with clock.frozen(AT):
        return cases.accept(case, by=world.clerk)


def refused(world, case=None):
    case = case or submitted(world)
    with clock.frozen(AT):
        return cases.refuse(
            case, by=world.clerk, reason="不属于本中心受理范围", where_to_turn="德州市市场监督管理局"
        )


def served_ticket(world, case_numbers=(), finish=False):
    """A ticket issued, called and served at window 01 by the clerk (finished with the cases)."""
    category, _ = Category.objects.get_or_create(hall=world.hall, letter="A", defaults={"name": "企业开办"})
    WindowCategory.objects.get_or_create(window=world.window_1, category=category)
    with clock.frozen(AT):
        ticket = queue.issue_ticket(world.hall, category, applicant=world.alice_applicant)
        queue.call_next(world.window_1, by=world.clerk)
        ticket = queue.start(world.window_1, ticket.number, by=world.clerk)
        if finish:
            ticket = queue.finish(
                world.window_1, ticket.number, by=world.clerk, case_numbers=list(case_numbers)
            )
        elif case_numbers:
            type(ticket).objects.filter(pk=ticket.pk).update(case_numbers=list(case_numbers))
            ticket.refresh_from_db()
    return ticket


def device(world):
    """Window 01's device and its key."""
    with clock.frozen(AT):
        return devices.add_device(world.window_1, "01号窗口评价器")
