"""Domain errors: a stable machine code and a Chinese message for people (STYLE.md #5).

Services raise them; the API maps them to `{"code", "message", "details"}` and pages show the
message. `status` is the HTTP status the API answers with (API.md: 400 invalid input,
403 not allowed, 404 not found, 409 the state does not allow it, 429 too many requests).
`headers` go out with the answer, page or API (a 429's Retry-After). `as_json` is the one
builder of that JSON answer, for the API's handlers and for the middleware that answers before
or after them.
"""

import json

from django.http import HttpResponse


class DomainError(Exception):
    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        details: dict | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}
        if status is not None:
            self.status = status

    def add_headers(self, response):
        """The answer that shows this error, with its headers (a 429's Retry-After)."""
        for name, value in self.headers.items():
            response[name] = value
        return response


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Throttled(DomainError):
    """Too many requests (API.md: 429); `retry_after` seconds until the window ends (RFC 9110
    Retry-After), sent as the header and in the details."""

    status = 429

    def __init__(self, code: str, message: str, *, retry_after: int):
        retry_after = max(1, int(retry_after))
        super().__init__(
            code, message, details={"retry_after": retry_after}, headers={"Retry-After": str(retry_after)}
        )


def as_json(
    status: int, code: str, message: str, details: dict | None = None, *, encoder=None
) -> HttpResponse:
    """The API's error answer, {"code", "message", "details"} (API.md "Errors"), with Chinese
    readable as written (ensure_ascii off). `encoder`: the API's, for a datetime in the details."""
    body = {"code": code, "message": message, "details": details or {}}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, cls=encoder),
        status=status,
        content_type="application/json; charset=utf-8",
    )
