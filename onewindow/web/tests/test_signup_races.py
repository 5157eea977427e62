"""Two claims racing for one window-registered record: exactly one wins (decision 24). Threads
with their own connections; PostgreSQL shows the races, SQLite serialises them."""

import re

import pytest

from onewindow.accounts.models import Applicant, SignupCode, User
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.notify.models import Message
from onewindow.web import signup
from onewindow.web.demo import id_number

pytestmark = pytest.mark.django_db(transaction=True)

WALK_IN_ID = id_number("37140219700520402")


def _started(username: str, ip: str) -> tuple[SignupCode, str]:
    form = signup.check(kind="natural", name="王秀兰", id_number=WALK_IN_ID, phone="13911112222",
                        region_code="371402000000", username=username, password="Wang-xiulan-2026")  # fmt: skip
    row = signup.start(form, ip=ip)
    code = re.search(r"验证码(\d{6})", Message.objects.get(key=f"signup:{row.ref}").text).group(1)
    return row, code


def test_two_claims_of_one_record_at_once_link_it_once(world):
    applicant = Applicant.objects.create(kind="natural", name="王秀兰", id_number=WALK_IN_ID,
                                         phone="13705341234", region=world.district)  # fmt: skip
    (first, code1), (second, code2) = _started("claim_a", "10.0.0.1"), _started("claim_b", "10.0.0.2")
    results = run_together(lambda: signup.verify(first.ref, code1), lambda: signup.verify(second.ref, code2))
    users = [r for r in results if isinstance(r, User)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(users) == 1 and len(refused) == 1, results
    assert (refused[0].status, refused[0].code) == (409, "accounts.applicant_claimed")
    applicant.refresh_from_db()
    assert applicant.user == users[0]
    assert User.objects.filter(username__in=["claim_a", "claim_b"]).count() == 1


def test_one_code_typed_twice_at_once_makes_one_login(world):
    row, code = _started("twice", "10.0.0.3")
    results = run_together(lambda: signup.verify(row.ref, code), lambda: signup.verify(row.ref, code))
    assert sorted(type(r).__name__ for r in results) == ["DomainError", "User"], results
    assert User.objects.filter(username="twice").count() == 1
