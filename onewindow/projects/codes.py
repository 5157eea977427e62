"""The project code (投资项目代码, 「一号」): 24 characters, lifelong, printed on every notice.

    2026-371402-48-03-00012Y
    └┬─┘ └─┬──┘ └┤ └┤ └─┬─┘└ check character (GB 32100-style weighted MOD 31)
     │     │     │  │   └─── serial, per region and year (00001–99999)
     │     │     │  └─────── type: 01 审批, 02 核准, 03 备案
     │     │     └────────── industry: GB/T 4754-2017 division
     │     └──────────────── region: the county-level 6 digits of the 12-digit region code
     └────────────────────── time: the year the code was allocated

RULES.md "Parallel approval": the code follows GB/T 40058-2021, whose exact segment lengths and
check algorithm were not verified from the standard's text. `compose` is the one function that
lays the code out and `check_character` the one that computes the check, so following the
standard exactly changes these two (and `PATTERN`) only. docs/project-code.md explains the
choice: weights 3^i mod 31 over the 19 digits, like GB 32100, catch every single-character
change and every swap of two neighbouring characters.
"""

import re

from onewindow import serials
from onewindow.errors import DomainError

# GB 32100's alphabet (no I, O, Z, S, V: they read like 1, 0, 2, 5, U).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(19))  # 1, 3, 9, 27, 19, 26 … as GB 32100, two more
TYPE_CODES = {"approval": "01", "ratification": "02", "filing": "03"}
SERIAL_DIGITS = 5
MAX_SERIAL = 10**SERIAL_DIGITS - 1
LENGTH = 24
PATTERN = re.compile(r"([0-9]{4})-([0-9]{6})-([0-9]{2})-([0-9]{2})-([0-9]{5})([0-9A-Z])")  # ASCII digits only


def check_character(digits: str) -> str:
    """Weighted MOD 31 over the 19 digits of the code without its hyphens."""
    total = sum(int(c) * w for c, w in zip(digits, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def compose(*, year: int, region6: str, industry: str, approval_type: str, serial: int) -> str:
    """The one place the layout lives."""
    if not 1 <= serial <= MAX_SERIAL:
        raise DomainError(
            "project.serial_exhausted",
            f"本地区{year}年的项目代码流水号已用完（{MAX_SERIAL}个），请联系系统管理员。",
        )
    body = f"{year:04d}-{region6}-{industry}-{TYPE_CODES[approval_type]}-{serial:0{SERIAL_DIGITS}d}"
    return body + check_character(body.replace("-", ""))


def normalized(raw: str) -> str:
    """As people type it: spaces around, lower case, full-width hyphens."""
    return (raw or "").strip().upper().replace("－", "-").replace("—", "-")


def code_error(code: str) -> DomainError | None:
    """None for a well-formed code with the right check character, else the error that names
    what is wrong — a mistyped code is refused before anything is looked up."""
    if len(code) != LENGTH:
        return DomainError(
            "project.code_length",
            f"项目代码应为{LENGTH}位（含4个连字符，如 2026-371402-48-03-00012Y），您输入了{len(code)}位。",
        )
    if not PATTERN.fullmatch(code):
        return DomainError(
            "project.code_format",
            "项目代码格式不正确：应为“年份4位-区划6位-行业2位-类型2位-流水号5位加1位校验码”。",
        )
    if check_character(code[:-1].replace("-", "")) != code[-1]:
        return DomainError(
            "project.code_check",
            "项目代码校验码不正确，请核对是否有一位输错或两位颠倒。",
            details={"rule": "GB 32100-style weighted MOD 31"},
        )
    return None


def valid_code(raw: str) -> str:
    """The normalized code, or the DomainError (400) that says why it is not one."""
    code = normalized(raw)
    error = code_error(code)
    if error:
        raise error
    return code


# ---- serials: unique under any concurrency -----------------------------------------------------


def next_serial(region6: str, year: int) -> int:
    """The next serial of the region and year: a PostgreSQL SEQUENCE per series (no row lock, no
    duplicate under any concurrency; a rolled-back registration leaves a gap), a counter row on
    SQLite — onewindow/serials, shared with the other public numbers."""
    return serials.next_serial(f"project:{region6}:{year}")
