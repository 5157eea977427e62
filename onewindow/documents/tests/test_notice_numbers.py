"""文书编号 in the hall's 文号 convention (issue 15 item 8): 德政服受字〔2026〕第0023号 — the hall's
代字 (admin), the kind's character, the year, a gap-free serial per hall, kind and year — given
once when the notice is first issued and the same on every reprint."""

import datetime as dt

import pytest
from django.db import transaction

from onewindow import clock
from onewindow.cases import services
from onewindow.documents import notices
from onewindow.documents.models import NoticeNumber
from onewindow.documents.tests.pdfs import text_of

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def short_names(world):
    world.hall.short_name = "测政服"
    world.hall.save()
    world.other_hall.short_name = "乙政服"
    world.other_hall.save()


def _number(case, kind="acceptance"):
    return notices.issued_one(notices.case_for(case.number), kind).number


def test_a_notice_reads_the_halls_convention_and_keeps_its_number_on_every_reprint(
    world, short_names, accepted
):
    number = _number(accepted)
    assert number == "测政服受字〔2026〕第0001号"
    assert number in text_of(notices.render(notices.case_for(accepted.number), "acceptance"))
    # the hall changes its 代字 later: a reprint says what the first print said
    world.hall.short_name = "测市政服"
    world.hall.save()
    assert _number(accepted) == number
    assert NoticeNumber.objects.count() == 1


def test_serials_count_per_hall_kind_and_year_without_gaps(world, short_names, walk_in, food):
    missing = food.current.materials.get(order=3).pk
    with clock.frozen(D(2026, 9, 30)):
        first, second = walk_in(), walk_in(handed_in=(1, 2))
        services.accept(first, by=world.clerk)
        services.request_supplement(second, by=world.clerk, items=[{"material": missing, "note": "未提交"}])
        third = services.accept(walk_in(), by=world.clerk)
    assert _number(first) == "测政服受字〔2026〕第0001号"
    # its own series for each kind
    assert _number(second, "supplement_request") == "测政服补字〔2026〕第0001号"
    assert _number(third) == "测政服受字〔2026〕第0002号"
    with clock.frozen(D(2027, 1, 5)):
        next_year = services.accept(walk_in(), by=world.clerk)
    assert _number(next_year) == "测政服受字〔2027〕第0001号"


def test_another_hall_counts_its_own(world, short_names, food):
    from onewindow.accounts.models import Role
    from onewindow.cases.models import Channel
    from onewindow.personas import new_staff

    world.other_hall.departments.add(world.dept_a)
    clerk_b = new_staff("clerk_other_hall", "乙中心窗口", Role.CLERK, world.other_hall)
    version = food.current
    with clock.frozen(D(2026, 9, 30)):
        case = services.submit(
            version=version, applicant=world.alice_applicant, hall=world.other_hall, channel=Channel.WINDOW,
            by=clerk_b, handed_in=[m.pk for m in version.materials.all()],
        )  # fmt: skip
        services.accept(case, by=clerk_b)
    assert _number(case) == "乙政服受字〔2026〕第0001号"


def test_a_rolled_back_issue_gives_its_serial_back(world, short_names, walk_in):
    with clock.frozen(D(2026, 9, 30)):
        first = services.accept(walk_in(), by=world.clerk)
        second = services.accept(walk_in(), by=world.clerk)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        assert _number(first) == "测政服受字〔2026〕第0001号"
        raise Abort
    assert not NoticeNumber.objects.exists()
    # the next issue gets 0001 again: the register has no hole
    assert _number(second) == "测政服受字〔2026〕第0001号"
    assert _number(first) == "测政服受字〔2026〕第0002号"
