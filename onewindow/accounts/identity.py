"""Check characters of Chinese identity numbers (RULES.md "Identity").

- Resident ID number, GB 11643-1999: 17 digits (6 region, 8 birth date, 3 sequence) and a
  check character from ISO 7064 MOD 11-2.
- Unified social credit code, GB 32100-2015: 18 characters over a 31-character alphabet
  (no I, O, Z, S, V): registration authority, organisation type, 6-digit region, 9-character
  organisation code, and a MOD 31 check character.

Each validator returns None when the number is valid, or the DomainError that names the
rule that failed, so forms and the API give the same message.
"""

import datetime as dt
import re

from onewindow.errors import DomainError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Province-level codes of GB/T 2260 (first two digits of every resident ID number).
_PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
    "83",
}

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def id_number_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_error(value: str, *, today: dt.date | None = None) -> DomainError | None:
    value = (value or "").strip().upper()
    if len(value) != 18:
        return DomainError("accounts.id_number_length", f"身份证号码应为18位，您输入了{len(value)}位。")
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return DomainError("accounts.id_number_format", "身份证号码前17位应为数字，最后一位为数字或X。")
    if value[:2] not in _PROVINCES:
        return DomainError(
            "accounts.id_number_region", f"身份证号码前两位“{value[:2]}”不是有效的省级行政区划代码。"
        )
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return DomainError(
            "accounts.id_number_birth_date", f"身份证号码中的出生日期“{value[6:14]}”不是有效日期。"
        )
    if born.year < 1900 or (today is not None and born > today):
        return DomainError(
            "accounts.id_number_birth_date", f"身份证号码中的出生日期“{value[6:14]}”不在合理范围内。"
        )
    expected = id_number_check_char(value[:17])
    if value[17] != expected:
        return DomainError(
            "accounts.id_number_check",
            "身份证号码校验位不正确（GB 11643），请核对号码是否输错。",
            details={"rule": "GB 11643 ISO 7064 MOD 11-2"},
        )
    return None


def birth_date(value: str) -> dt.date | None:
    """The birth date written in a valid resident ID number (GB 11643 digits 7–14), else None."""
    value = (value or "").strip().upper()
    if resident_id_error(value) is not None:
        return None
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def age_on(born: dt.date, day: dt.date) -> int:
    """Full years of age on `day` (a person born on 29 February has their birthday on 1 March
    in common years: they are not yet a year older on 28 February)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(value: str) -> DomainError | None:
    value = (value or "").strip().upper()
    if len(value) != 18:
        return DomainError(
            "accounts.credit_code_length", f"统一社会信用代码应为18位，您输入了{len(value)}位。"
        )
    bad = sorted({c for c in value if c not in _CREDIT_ALPHABET})
    if bad:
        return DomainError(
            "accounts.credit_code_format",
            f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V）。",
        )
    if not value[2:8].isdigit():
        return DomainError(
            "accounts.credit_code_region", "统一社会信用代码第3至8位应为行政区划代码（数字）。"
        )
    if value[17] != credit_code_check_char(value[:17]):
        return DomainError(
            "accounts.credit_code_check",
            "统一社会信用代码校验位不正确（GB 32100），请核对代码是否输错。",
            details={"rule": "GB 32100 MOD 31"},
        )
    return None
