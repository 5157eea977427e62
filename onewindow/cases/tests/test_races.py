"""Every operation runs concurrently with itself (threads, each with its own connection)."""

import pytest

from onewindow.accounts.models import Role
from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, Channel
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.personas import all_required, new_staff

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_clerks_deciding_one_case_exactly_one_wins(world, food):
    second_clerk = new_staff("clerk_2", "柯二", Role.CLERK, world.hall)
    case = services.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                           channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(food.current))  # fmt: skip
    results = run_together(
        lambda: services.accept(case, by=world.clerk),
        lambda: services.refuse(
            case, by=second_clerk, reason="不属于本机关职权", where_to_turn="区市场监管局"
        ),
    )
    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, DomainError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].status == 409 and losers[0].code == "case.invalid_transition"
    case.refresh_from_db()
    assert case.status == winners[0].status
    assert CaseEvent.objects.filter(case=case).count() == 2  # submit + the one decision


def test_no_duplicate_numbers_in_2000_concurrent_submissions(world, food):
    version, per_thread, threads = food.current, 125, 16

    def submit_many():
        numbers = []
        for _ in range(per_thread):
            numbers.append(services.submit(version=version, applicant=world.alice_applicant, hall=world.hall,
                                           channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(version)).number)  # fmt: skip
        return numbers

    results = run_together(*[submit_many] * threads)
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    numbers = [n for batch in results for n in batch]
    assert len(numbers) == 2000 and len(set(numbers)) == 2000
    assert Case.objects.count() == 2000
    sequence = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequence[0] >= 1 and len(set(sequence)) == 2000


def test_a_rolled_back_first_submission_of_the_day_does_not_break_the_next(world, food):
    """On PostgreSQL the day's SEQUENCE is created by the first submission; if that transaction
    rolls back, so does the sequence, and the next submission must create it again."""
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                        channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(food.current))  # fmt: skip
        raise RuntimeError("the clerk's browser crashed")
    case = services.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                           channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(food.current))  # fmt: skip
    assert Case.objects.filter(pk=case.pk).exists()
