"""What people type, checked the same way everywhere (the market's and the trading's forms and
API): texts trimmed, required or not, within their column and free of control characters (a NUL
cannot even be stored on PostgreSQL); money typed in yuan. A refusal is a DomainError whose code
starts with the module's prefix (`market.required`, `trading.amount` …) and changes nothing."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from onewindow import clock
from onewindow.errors import DomainError

FEN_MAX = 10**13  # 1,000 亿元: keeps every amount a safe integer (JSON, JavaScript)

# Control characters other than line breaks and tabs; and lone surrogates (U+D800–U+DFFF), which
# JSON's "\ud800" escape can carry but no text encodes: neither database can store one (a 500).
_CONTROL = {chr(c) for c in range(32) if chr(c) not in "\n\r\t"} | {chr(127)}
_CONTROL_RE = re.compile("[" + re.escape("".join(sorted(_CONTROL))) + "\ud800-\udfff]")


# The one refusal of a control character (the path, query and form guard; the API's body parser)
# and of a value beyond what a column holds, whoever finds it.
CONTROL_CODE = "request.control_character"
CONTROL_MESSAGE = "请求中含有不可见的控制字符或无效字符（如 NUL），请删除后重试。"
RANGE_CODE = "request.out_of_range"
TOO_LONG_CODE = "request.too_long"
# The bound of a free text whose column has none (a TextField) and whose service names no other:
# what a person writes in a reason or an opinion, as long as the longest form field (2,000).
TEXT_MAX = 2000


def has_control(value: str) -> bool:
    """NUL and the other C0 controls (and DEL), line breaks and tabs excepted, and lone
    surrogates: nothing a person types, and a NUL cannot even be stored on PostgreSQL."""
    return _CONTROL_RE.search(value) is not None


def text(value, field: str, label: str, max_length: int, *, required: bool = True, prefix: str) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if has_control(value):
        raise DomainError(f"{prefix}.control_character", f"{label}含有不可见的控制字符，请删除后重试。",
                          details={"field": field})  # fmt: skip
    if required and not value:
        raise DomainError(f"{prefix}.required", f"请填写{label}。", details={"field": field})
    if len(value) > max_length:
        raise DomainError(
            f"{prefix}.too_long", f"{label}不能超过{max_length}个字。", details={"field": field}
        )
    return value


def yuan_to_fen(value, field: str, label: str, *, prefix: str, fen_max: int = FEN_MAX) -> int:
    """A money amount typed in yuan (up to 2 decimals) → fen; refused when not a positive amount."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(
            f"{prefix}.amount", f"{label}应为金额（元），如 12000 或 12000.50。", details={"field": field}
        ) from None
    if (
        amount.is_finite() and amount * 100 > fen_max
    ):  # before quantize: 1e30 has no 0.01 in the context's precision
        raise DomainError(f"{prefix}.amount", f"{label}超出允许范围。", details={"field": field})
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise DomainError(
            f"{prefix}.amount", f"{label}应为大于0的金额，最多两位小数。", details={"field": field}
        )
    return int(amount * 100)


def yuan(fen: int) -> str:
    """Fen as yuan for people: 1,234,567.80."""
    return f"{Decimal(fen) / 100:,.2f}"


# Times people give are of this world: a year near 1 or 9999 would overflow the conversion to UTC.
YEARS = (1900, 2999)


def moment(at: dt.datetime, field: str, label: str, *, prefix: str) -> dt.datetime:
    """A time given (a form's field or an API's value): the hall's time when it has no offset,
    refused outside YEARS."""
    if not YEARS[0] <= at.year <= YEARS[1]:
        raise DomainError(f"{prefix}.datetime", f"{label}超出范围。", details={"field": field})
    return clock.in_hall(at)


def parse_datetime(value, field: str, label: str, *, prefix: str) -> dt.datetime:
    """A time typed as YYYY-MM-DDTHH:MM (a datetime-local field), in the hall's time zone."""
    try:
        at = dt.datetime.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError(f"{prefix}.datetime", f"请填写{label}，如 2026-11-23 09:30。",
                          details={"field": field}) from None  # fmt: skip
    return moment(at, field, label, prefix=prefix)


def parse_date(value, field: str, label: str, *, prefix: str) -> dt.date:
    """A date typed as YYYY-MM-DD, refused outside YEARS."""
    try:
        day = dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError(
            f"{prefix}.date", f"请填写{label}，如 2026-12-01。", details={"field": field}
        ) from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise DomainError(f"{prefix}.date", f"{label}超出范围。", details={"field": field})
    return day


def check_columns(instance) -> None:
    """Every text within its column, on every database: PostgreSQL refuses a longer value with an
    error (a 500 unless caught), SQLite stores 100,000 characters in a 100-character column.
    Called for every row of OneWindow's models before it is written (AccountsConfig.ready), so one
    check covers the API, the pages, the admin and the imports (docs/decisions/0045)."""
    for attname, max_length, label in _bounded_columns(type(instance)):
        value = getattr(instance, attname)
        if isinstance(value, str) and len(value) > max_length:
            raise DomainError(
                TOO_LONG_CODE, too_long_message(label, max_length, len(value)),
                details={"field": attname, "max_length": max_length},
            )  # fmt: skip


_COLUMNS: dict[type, tuple] = {}


def _bounded_columns(model) -> tuple:
    columns = _COLUMNS.get(model)
    if columns is None:
        columns = tuple(
            (field.attname, field.max_length, str(field.verbose_name))
            for field in model._meta.concrete_fields
            if field.max_length and field.get_internal_type() in ("CharField", "SlugField", "EmailField",
                                                                   "URLField", "FilePathField", "TextField")
        )  # fmt: skip
        _COLUMNS[model] = columns
    return columns


def too_long_message(label: str, max_length: int, length: int) -> str:
    return f"{label}不能超过{max_length}个字（现有{length}个）。"


def column(model, name: str, *, limit: int | None = None, code: str = TOO_LONG_CODE):
    """The type of an API string written to `model.name` (issue 21: every string bounded by its
    column): at most the column's max_length — or `limit`, or TEXT_MAX for a TextField without
    one — as the OpenAPI document's maxLength and as the check, made when the schema is parsed,
    before any service or row. "x-column" names the column, so that a test can hold the bound to
    it (onewindow/tests/test_api_columns.py). A too-long value is a 400 `code` (a module keeps its
    own where clients know it) naming the field's label, as check_columns does for the row."""
    field = model._meta.get_field(name)
    bounds = [n for n in (field.max_length, limit) if n]
    return bounded(min(bounds or [TEXT_MAX]), str(field.verbose_name), code=code,
                   column=f"{model._meta.label}.{name}")  # fmt: skip


def bounded(max_length: int, label: str, *, code: str = TOO_LONG_CODE, column: str | None = None):
    """The type of an API string of at most `max_length` characters that no column holds as typed
    (a code looked up, a text a service turns into another)."""

    def within(value: str) -> str:
        if len(value) > max_length:
            raise PydanticCustomError(
                "string_too_long", too_long_message(label, max_length, len(value)),
                {"max_length": max_length, "code": code},
            )  # fmt: skip
        return value

    schema = {"maxLength": max_length} | ({"x-column": column} if column else {})
    return Annotated[str, Field(json_schema_extra=schema), AfterValidator(within)]
