"""证照核验 by anyone: valid / revoked / expired (200), unknown (404, status `unknown`), malformed
(400, another code) — the API and the public page give the same answer."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow import clock
from onewindow.accounts.masking import mask_holder
from onewindow.errors import DomainError
from onewindow.licenses import numbers, services
from onewindow.payments.tests.fixtures import decided

pytestmark = pytest.mark.django_db


@pytest.fixture
def license(world, free):
    with clock.frozen(dt.date(2026, 11, 3)):
        return services.issue_license(
            decided(world, free), by=world.reviewer_a, valid_until=dt.date(2027, 11, 2)
        )


def _verify(client, number, day=dt.date(2026, 11, 10)):
    with clock.frozen(day):
        return client.get(f"/api/v1/licenses/{number}/verify")


def test_a_valid_license_answers_valid_with_the_holder_masked(client, license):
    answer = _verify(client, license.number)
    assert answer.status_code == 200
    assert answer.json() == {
        "number": license.number, "status": "valid", "status_display": "有效", "name": "食品经营许可证",
        "holder": "艾*", "department": "测试市场监管局", "issued_on": "2026-11-03", "valid_until": "2027-11-02",
        "revoked_on": None,
    }  # fmt: skip


def test_a_revoked_license_answers_revoked(client, world, license):
    with clock.frozen(dt.date(2026, 12, 1)):
        services.revoke_license(license, by=world.head_a, reason="核查发现承诺不实")
    answer = _verify(client, license.number, dt.date(2026, 12, 2)).json()
    assert (answer["status"], answer["revoked_on"]) == ("revoked", "2026-12-01")


@pytest.mark.parametrize(
    ("day", "status"), [(dt.date(2027, 11, 2), "valid"), (dt.date(2027, 11, 3), "expired")]
)
def test_a_license_expires_after_its_last_day(client, license, day, status):
    assert _verify(client, license.number, day).json()["status"] == status


def test_an_unknown_well_formed_number_answers_404_unknown(client, license):
    unknown = numbers.make("T-A", 2026, 999)
    answer = _verify(client, unknown)
    assert answer.status_code == 404
    body = answer.json()
    assert (body["status"], body["code"], body["number"]) == ("unknown", "license.unknown", unknown)
    assert body["message"] and body["details"]["status"] == "unknown"


@pytest.mark.parametrize(
    "number",
    [
        "11",
        "T-A-2026-000001",
        "T-A-2026-000001-1",
        "T-A-26-000001-16",
        "T_A-2026-000001-16",
        "T-A-2026-000001-1X",
        "x" * 80,
    ],
)
def test_a_malformed_number_answers_400_with_another_code(client, license, number):
    answer = _verify(client, number)
    assert (answer.status_code, answer.json()["code"]) == (400, "license.malformed_number")
    assert answer.json()["details"]["reason"] == "format"


def test_a_wrong_check_is_malformed_not_unknown(client, license):
    wrong = license.number[:-2] + f"{(int(license.number[-2:]) + 1) % 100:02d}"
    answer = _verify(client, wrong)
    assert (answer.status_code, answer.json()["code"], answer.json()["details"]["reason"]) == (
        400, "license.malformed_number", "check")  # fmt: skip


def test_a_lower_case_number_is_the_same_license(client, license):
    assert _verify(client, license.number.lower()).json()["number"] == license.number


def test_the_public_page_gives_the_same_answers(client, world, license):
    with clock.frozen(dt.date(2026, 11, 10)):
        valid = client.get(f"/licenses/{license.number}/verify/")
        unknown = client.get(f"/licenses/{numbers.make('T-A', 2026, 999)}/verify/")
        malformed = client.get("/licenses/not-a-number/verify/")
    assert valid.status_code == 200 and "有效" in valid.content.decode() and "艾*" in valid.content.decode()
    assert (
        "艾丽" not in valid.content.decode() and world.alice_applicant.id_number not in valid.content.decode()
    )
    assert unknown.status_code == 404 and "未找到" in unknown.content.decode()
    assert malformed.status_code == 400 and "格式不正确" in malformed.content.decode()
    typed = client.get("/licenses/verify/", {"number": license.number.lower()})
    assert typed.status_code == 302 and typed["Location"] == f"/licenses/{license.number}/verify/"
    assert client.get("/licenses/verify/", {"number": "a/b"}).status_code == 400


@pytest.mark.parametrize(
    ("name", "kind", "masked"),
    [("张伟", "natural", "张*"), ("张小伟", "natural", "张*伟"), ("欧阳娜娜", "natural", "欧**娜"),
     ("德州鲁味餐饮管理有限公司", "legal", "德州鲁味餐饮管理有限公司"), ("鲁味小馆", "legal", "鲁味小馆")],
)  # fmt: skip
def test_persons_are_masked_and_companies_named_in_full(name, kind, masked):
    assert mask_holder(name, kind) == masked


@given(department=st.from_regex(r"[A-Z0-9]{1,6}(-[A-Z0-9]{1,4}){0,2}", fullmatch=True),
       year=st.integers(2000, 2099), serial=st.integers(1, 999_999), data=st.data())  # fmt: skip
def test_every_made_number_parses_and_every_single_typo_is_caught(department, year, serial, data):
    number = numbers.make(department, year, serial)
    assert numbers.parse(number) == number
    # a digit typed as another digit, or a letter as another letter, anywhere
    position = data.draw(st.sampled_from([i for i, c in enumerate(number) if c != "-"]))
    kind = "0123456789" if number[position].isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    typo = data.draw(st.sampled_from([c for c in kind if c != number[position]]))
    with pytest.raises(DomainError, match="malformed_number"):
        numbers.parse(number[:position] + typo + number[position + 1 :])
    # two adjacent different digits swapped
    swaps = [i for i in range(len(number) - 1) if number[i].isdigit() and number[i + 1].isdigit()
             and number[i] != number[i + 1]]  # fmt: skip
    if swaps:
        i = data.draw(st.sampled_from(swaps))
        with pytest.raises(DomainError, match="malformed_number"):
            numbers.parse(number[:i] + number[i + 1] + number[i] + number[i + 2 :])
