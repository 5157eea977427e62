"""Check characters of resident ID numbers (GB 11643) and credit codes (GB 32100)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.accounts import identity, masking

VALID_ID = "11010519491231002X"  # the standard's own example
VALID_CREDIT = "91350100M000100Y43"  # a published, real code


def test_it_accepts_valid_numbers():
    assert identity.resident_id_error(VALID_ID) is None
    assert identity.resident_id_error(VALID_ID.lower()) is None
    assert identity.credit_code_error(VALID_CREDIT) is None


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("11010519491231002", "accounts.id_number_length"),
        ("1101051949123100ZX", "accounts.id_number_format"),
        ("99010519491231002X", "accounts.id_number_region"),
        ("110105194913310021", "accounts.id_number_birth_date"),
        ("110105194912310021", "accounts.id_number_check"),
    ],
)
def test_it_names_the_rule_a_wrong_id_number_breaks(number, code):
    error = identity.resident_id_error(number)
    assert error is not None and error.code == code and error.message


def test_it_refuses_a_birth_date_in_the_future():
    first17 = "11010520300101001"
    number = first17 + identity.id_number_check_char(first17)
    assert (
        identity.resident_id_error(number, today=dt.date(2026, 11, 26)).code
        == "accounts.id_number_birth_date"
    )


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("91350100M000100Y4", "accounts.credit_code_length"),
        ("91350100M000100YI3", "accounts.credit_code_format"),
        ("9135O100M000100Y43", "accounts.credit_code_format"),
        ("91350100M000100Y44", "accounts.credit_code_check"),
    ],
)
def test_it_names_the_rule_a_wrong_credit_code_breaks(code, rule):
    assert identity.credit_code_error(code).code == rule


births = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 12, 31))


@given(
    birth=births,
    serial=st.integers(min_value=0, max_value=999),
    position=st.integers(0, 16),
    delta=st.integers(1, 9),
)
def test_it_catches_every_single_digit_typo(birth, serial, position, delta):
    first17 = f"371402{birth:%Y%m%d}{serial:03d}"
    number = first17 + identity.id_number_check_char(first17)
    assert identity.resident_id_error(number) is None
    typo = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert identity.resident_id_error(typo) is not None


@given(body=st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8))
def test_it_checks_credit_codes_it_computed(body):
    first17 = "913714" + "02" + body[:1] + body[1:] + "0"
    first17 = first17[:17]
    assert identity.credit_code_error(first17 + identity.credit_code_check_char(first17)) is None


@pytest.mark.parametrize(
    ("value", "masked"),
    [("371402199003152011", "3714**********2011"), ("", ""), ("1234567", "*******")],
)
def test_it_masks_id_numbers(value, masked):
    assert masking.mask_id(value) == masked


def test_it_masks_phones():
    assert masking.mask_phone("13805345678") == "138****5678"
