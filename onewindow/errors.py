"""Domain errors: a stable machine code and a Chinese message for people (STYLE.md #5).

Services raise them; the API maps them to `{"code", "message", "details"}` and pages show the
message. `status` is the HTTP status the API answers with (API.md: 400 invalid input,
403 not allowed, 404 not found, 409 the state does not allow it).
"""


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, *, status: int | None = None, details: dict | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details or {}
        if status is not None:
            self.status = status


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409
