"""License numbers: <issuing department code>-<year>-<serial of 6 digits>-<2 check digits>,
e.g. 371400-XZSP-2026-000123-45. The check digits are ISO 7064 MOD 97-10 (as in an IBAN) over
the letters and digits, so a mistyped or invented number is told apart from an unknown one
without a database lookup: "malformed" (400) is decided by the pattern and the check alone.
Digits, not a check letter, because a letter check would bring O and I, read as 0 and 1."""

import re

from onewindow.errors import DomainError

PATTERN = re.compile(
    r"(?P<department>[A-Z0-9]+(?:-[A-Z0-9]+)*)-(?P<year>\d{4})-(?P<serial>\d{6})-(?P<check>\d{2})"
)
MAX_LENGTH = 64
EXAMPLE = "371400-XZSP-2026-000123-33"


def _as_integer(body: str) -> int:
    """Letters count as 10…35 (A…Z), hyphens are skipped (ISO 7064 / ISO 13616)."""
    return int("".join(str(int(c, 36)) for c in body if c != "-"))


def check_digits(body: str) -> str:
    """MOD 97-10: catches every single substituted digit or letter and every swap of two
    adjacent digits."""
    return f"{98 - (_as_integer(body) * 100) % 97:02d}"


def department_part(code: str) -> str:
    part = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9]+(?:-[A-Z0-9]+)*", part):
        raise DomainError(
            "license.department_code", f"部门编码“{code}”含有字母、数字和连字符以外的字符，不能用于证照编号。"
        )
    return part


def make(department_code: str, year: int, serial: int) -> str:
    if not 0 < serial < 1_000_000:
        raise DomainError("license.serial_exhausted", f"{year}年度该部门证照编号已用完，请联系系统管理员。")
    body = f"{department_part(department_code)}-{year:04d}-{serial:06d}"
    return f"{body}-{check_digits(body)}"


def parse(raw: str) -> str:
    """The number in its canonical form (upper case), or a 400 naming what is wrong with it."""
    number = (raw or "").strip().upper()
    if len(number) > MAX_LENGTH or not PATTERN.fullmatch(number):
        raise DomainError(
            "license.malformed_number",
            f"证照编号格式不正确，应为“部门编码-年份-6位序号-2位校验码”，例如 {EXAMPLE}。",
            details={"reason": "format"},
        )
    if check_digits(number[:-3]) != number[-2:]:
        raise DomainError(
            "license.malformed_number",
            "证照编号校验码不正确，请核对编号是否输错。",
            details={"reason": "check"},
        )
    return number
