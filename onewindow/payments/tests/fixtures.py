"""The cast and stories shared by the payments and licenses tests: finance and the bank window
of the persona hall (Fiona, Ben), a charged item with 制证 and 送达 steps, a free one, and a
case carried to an approved decision through the cases services."""

import datetime as dt
import hashlib
import hmac
import json

import pytest

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.cases import services as cases
from onewindow.cases.models import Case, Channel
from onewindow.payments import services as payments
from onewindow.personas import all_required, new_staff, published_item

SECRET = "test-bank-secret"
DECIDED = dt.date(2026, 11, 2)  # a Monday, no holiday near

# 居民身份证补领: 40 yuan, 制证 and 送达 steps after the decision.
CHARGED = {
    "code": "T-SFZ-0002", "name": "居民身份证补领（丢失补办）", "type": "confirmation", "fee_fen": 4000,
    "fee_basis": "《居民身份证法》第二十条；工本费每证40元", "legal_limit_days": 20, "promised_limit_days": 7,
    "result_type": "license", "license_type": "居民身份证", "delivery": ["pickup", "post"],
    "keywords": [], "common_names": [], "life_events": [],
    "materials": [{"name": "居民身份证申领登记表", "form": "original", "copies": 1, "required": True,
                   "condition": "", "key": True, "tolerable": False, "source": "applicant", "shared_by": ""}],
    "steps": [{"name": "审核", "role": "reviewer", "days": 3}, {"name": "签发", "role": "department_head", "days": 1},
              {"name": "制证", "role": "reviewer", "days": 2}, {"name": "送达", "role": "clerk", "days": 1}],
}  # fmt: skip


@pytest.fixture
def finance(world):
    return new_staff("finance", "费雯", Role.FINANCE, world.hall, phone="13800000007")


@pytest.fixture
def bank_teller(world):
    return new_staff("bank_teller", "班恩", Role.BANK_TELLER, world.hall, phone="13800000008")


@pytest.fixture
def head_b(world):
    return new_staff("head_b", "贺波", Role.DEPARTMENT_HEAD, world.hall, world.dept_b, phone="13800000009")


@pytest.fixture
def charged(world):
    return published_item(world, **CHARGED)


@pytest.fixture
def free(world):
    """食品经营许可 of department A (free), offering pickup and post."""
    return published_item(world, delivery=["pickup", "post"])


@pytest.fixture
def bank_secret(settings):
    settings.ONEWINDOW_BANK_CALLBACK_SECRET = SECRET
    return SECRET


def decided(
    world, item, *, approve: bool = True, on: dt.date = DECIDED, applicant=None, swept: bool = True
) -> Case:
    """A case of `item` submitted, accepted, reviewed and decided on one day (the services) —
    and, `swept`, the fee notice it owes issued as the worker's periodic job issues it within
    the minute (payments.issue_due_notices; decision 20: the approval itself knows no fee)."""
    with clock.frozen(on):
        case = cases.submit(version=item.current, applicant=applicant or world.alice_applicant, hall=world.hall,
                            channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
        cases.accept(case, by=world.clerk)
        cases.review(case, by=world.reviewer_a, opinion="经审查，符合条件")
        case = cases.decide(case, by=world.head_a, approve=approve, reason="" if approve else "材料不实")
        if swept:
            payments.issue_due_notices(Case.objects.filter(pk=case.pk))
        return case


def signature(raw: bytes, secret: str = SECRET) -> str:
    """X-Signature as the bank computes it: hex HMAC-SHA256 of the raw body."""
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def signed(body: dict, secret: str = SECRET) -> tuple[bytes, str]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    return raw, signature(raw, secret)
