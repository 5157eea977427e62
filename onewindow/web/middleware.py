from django.db import DataError
from django.shortcuts import render

from onewindow import inputs
from onewindow.errors import DomainError, as_json

# A query value longer than this is no search a person typed (the longest form field is 2,000).
QUERY_VALUE_MAX = 2000
# Interfaces whose standard fixes another error format and which check every parameter themselves:
# Open311 GeoReport v2 answers [{"code", "description"}] in JSON or XML (decision 41).
OWN_ERROR_FORMAT = ("/open311/",)


class InputGuardMiddleware:
    """Refuses, before any view runs, what no person types and PostgreSQL cannot store: a NUL or
    other control character in the path, a query parameter or a posted form field (a NUL reached
    the database as a 500 on PostgreSQL — issue 21), and an over-long query value. One check for
    every page and API operation; the JSON bodies are checked by the API's parser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(OWN_ERROR_FORMAT):
            return self.get_response(request)
        refusal = self._refusal(request)
        if refusal is not None:
            return _error_response(request, refusal)
        return self.get_response(request)

    def _refusal(self, request) -> DomainError | None:
        if inputs.has_control(request.path):
            return _control("path", "")
        for where, data in (("query", request.GET), ("form", self._form(request))):
            for key, values in data.lists():
                if inputs.has_control(key):
                    return _control(where, "")
                for value in values:
                    if not isinstance(value, str):
                        continue
                    if inputs.has_control(value):
                        return _control(where, key[:40])
                    if where == "query" and len(value) > QUERY_VALUE_MAX:
                        return DomainError(
                            "request.too_long", f"查询参数过长（不能超过{QUERY_VALUE_MAX}个字）。",
                            details={"where": where, "field": key[:40]},
                        )  # fmt: skip
        return None

    @staticmethod
    def _form(request):
        content_type = request.META.get("CONTENT_TYPE", "")
        # Not under /api/: its parser reads the raw body (JSON only, checked there), which a
        # multipart form parsed here would have consumed.
        if (
            request.method == "POST"
            and not request.path.startswith("/api/")
            and content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
        ):
            return request.POST
        return request.GET.__class__()  # an empty QueryDict


def _control(where: str, field: str) -> DomainError:
    return DomainError(inputs.CONTROL_CODE, inputs.CONTROL_MESSAGE, details={"where": where, "field": field})


def _error_response(request, error: DomainError):
    if request.path.startswith("/api/"):
        return as_json(error.status, error.code, error.message, error.details)
    return render(request, "web/error.html", {"error": error}, status=error.status)


def _storage_refusal(exception) -> DomainError | None:
    """What the database refuses that a client sent (a last net: the input checks above and the
    column check should have caught it first): a value out of a column's range or type."""
    nul = isinstance(exception, ValueError) and "NUL" in str(exception)
    if isinstance(exception, (DataError, OverflowError)) or nul:
        return DomainError(inputs.RANGE_CODE, "提交的数据超出允许范围，请检查后重试。")
    return None


class DomainErrorMiddleware:
    """A DomainError raised under a page is shown as a page with its Chinese message and
    status (the API maps the same errors to JSON in onewindow.api)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, DomainError):
            response = render(request, "web/error.html", {"error": exception}, status=exception.status)
            return exception.add_headers(response)
        refusal = _storage_refusal(exception)
        if refusal is not None:
            return render(request, "web/error.html", {"error": refusal}, status=refusal.status)
        return None
