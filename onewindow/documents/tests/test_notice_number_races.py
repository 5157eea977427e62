"""Notice numbers under concurrency (threads, each with its own connection): the first readers of
many notices at once get distinct serials with no gap; two first readers of one notice get one
number between them."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import services
from onewindow.concurrently import run_together
from onewindow.documents import notices
from onewindow.documents.models import NoticeNumber

pytestmark = pytest.mark.django_db(transaction=True)


def _number(number):
    return lambda: notices.issued_one(notices.case_for(number), "acceptance").number


def test_concurrent_first_issues_get_distinct_serials_without_gaps(world, walk_in):
    with clock.frozen(dt.date(2026, 9, 30)):
        cases = [services.accept(walk_in(), by=world.clerk) for _ in range(6)]
    results = run_together(*[_number(c.number) for c in cases])
    assert [r for r in results if isinstance(r, Exception)] == []
    serials = sorted(NoticeNumber.objects.values_list("serial", flat=True))
    assert serials == [1, 2, 3, 4, 5, 6]
    assert sorted(results) == sorted(NoticeNumber.objects.values_list("number", flat=True))


def test_two_first_readers_of_one_notice_share_one_number(world, walk_in):
    with clock.frozen(dt.date(2026, 9, 30)):
        case = services.accept(walk_in(), by=world.clerk)
    results = run_together(*[_number(case.number)] * 4)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(set(results)) == 1 and NoticeNumber.objects.count() == 1
    # and the serial it did not use was given back: the next notice is 0002
    with clock.frozen(dt.date(2026, 9, 30)):
        later = services.accept(walk_in(), by=world.clerk)
    assert _number(later.number)().endswith("第0002号")
