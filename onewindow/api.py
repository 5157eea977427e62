"""The JSON API under /api/v1/ (API.md): one router per noun, one error shape.

Errors are always {"code": "<module>.<reason>", "message": "<中文说明>", "details": {…}}:
schema validation answers 400 (not ninja's 422), a missing login 401, a DomainError its own
status, and whatever Django or ninja answer on their own under /api/ (an unknown path, a wrong
method, a 500) is turned into the same shape by ErrorShapeMiddleware. Nothing a client can send
gives a 500: bodies are JSON only, without control characters or integers PostgreSQL cannot hold.
"""

import datetime as dt
import json

from django.conf import settings
from django.db import DataError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from onewindow import errors, inputs, ratelimit
from onewindow.accounts import services as account_services
from onewindow.accounts.permissions import public, requires
from onewindow.errors import DomainError

# An echoed value (an item code, a ticket number) is cut to this many characters in an error:
# a 100 KB code must not come back 100 KB long (issue 21).
ECHO_LIMIT = 40
# PostgreSQL's bigint: an integer outside it is a 500 on PG and silently stored on SQLite.
INT_RANGE = (-(2**63), 2**63 - 1)

INVALID = "request.invalid"
SERVER_ERROR = "服务器内部错误，请稍后再试。"
# The answer for a status that Django or ninja produced without our shape (ErrorShapeMiddleware),
# and for ninja's HttpError, whose messages are English.
STATUS_ERRORS = {
    400: (INVALID, "请求格式不正确。"),
    401: ("auth.required", "请先登录或提供有效的接口令牌。"),
    403: ("auth.forbidden", "无权访问。"),
    404: ("request.not_found", "未找到请求的接口或资源。"),
    405: ("request.method", "该接口不支持此请求方法。"),
    409: ("request.conflict", "当前状态不允许此操作。"),
    413: ("request.too_large", "请求体过大。"),
    415: ("request.media_type", "请求体须为 application/json。"),
    429: ("request.throttled", "请求过于频繁，请稍后再试。"),
    500: ("server.error", SERVER_ERROR),
}


def status_error(status: int) -> tuple[str, str]:
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    return ("server.error", SERVER_ERROR) if status >= 500 else ("request.error", "请求未能完成。")


class TokenAuth(HttpBearer):
    """Authorization: Bearer <token> — a person's or a registered system's token.

    Wrong tokens count per client address in the shared cache (issue 21): past
    ONEWINDOW_BAD_TOKENS_PER_WINDOW the address gets 429 with Retry-After, before any database
    lookup, until the window ends (a token this process already verified costs no cache trip)."""

    def authenticate(self, request, token):
        key = f"bad-token:{ratelimit.client_address(request)}"
        window = settings.ONEWINDOW_BAD_TOKEN_WINDOW_SECONDS

        def refuse_if_too_many():
            ratelimit.exceeded(key, limit=settings.ONEWINDOW_BAD_TOKENS_PER_WINDOW, window_seconds=window,
                               message="无效的接口令牌过多，请稍后再试。")  # fmt: skip

        user = account_services.user_for_token(token, before_lookup=refuse_if_too_many)
        if user is None:
            ratelimit.count(key, window_seconds=window)
            return None
        request.user = user  # pages and API share request.user
        return user


class SessionCookieAuth(SessionAuth):
    """The browser's session cookie, with CSRF on unsafe methods (API.md). A request without a
    logged-in session has not offered these credentials at all: it is a 401 (auth.required)
    like any other missing login, not ninja's 403 "CSRF check Failed"; only a session user
    without the CSRF token gets the 403."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise DomainError("auth.csrf", "请求缺少有效的 CSRF 令牌，请刷新页面后重试。", status=403)
        return request.user


class Encoder(NinjaJSONEncoder):
    """Datetimes in the hall's offset (API.md: ISO 8601 with +08:00), not UTC "Z": stored
    aware in UTC, shown in Asia/Shanghai — the same instant."""

    def default(self, o):
        if isinstance(o, dt.datetime) and timezone.is_aware(o):
            o = timezone.localtime(o)
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = Encoder
    json_dumps_params = {"ensure_ascii": False}  # readable Chinese in logs and curl


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: not in RFC 8259, not in any field


class BodyParser(Parser):
    """Request bodies are JSON, sent as application/json (415 otherwise: a text/plain body is
    not read as JSON), and hold nothing the database would choke on — one check for every
    operation instead of one per field (issue 21)."""

    def parse_body(self, request):
        # ninja hands multipart form fields over in a bare HttpRequest (content_type None).
        if request.content_type is not None and request.content_type != "application/json":
            raise DomainError(
                "request.media_type", "请求体须为 JSON（Content-Type: application/json）。", status=415
            )
        data = json.loads(request.body, parse_constant=_refuse_constant)
        refuse_hostile(data)
        request.ow_body = data  # for error(): input it may echo
        return data


def refuse_hostile(data) -> None:
    """400 for a string with a control character or an integer beyond bigint, anywhere in `data`
    (keys included). Iterative: a deeply nested body must not exhaust the stack."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if inputs.has_control(value):
                raise DomainError(inputs.CONTROL_CODE, inputs.CONTROL_MESSAGE)
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int):
            if not INT_RANGE[0] <= value <= INT_RANGE[1]:
                raise DomainError(inputs.RANGE_CODE, "请求中的整数超出允许范围。")
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _docs_are_public(view):
    return public(view)


class Docs(Swagger):
    """Swagger UI from the hall's own files, in a page that names its language (web/api_docs.html)."""

    template = "web/api_docs.html"


class Api(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)


api = Api(
    title="OneWindow API",
    version="1",
    description="一网通办 OneWindow 政务服务平台接口。错误格式：{code, message, details}。",
    urls_namespace="api",
    renderer=Renderer(),
    parser=BodyParser(),
    auth=[TokenAuth(), SessionCookieAuth()],
    docs=Docs(),
    docs_decorator=_docs_are_public,
)

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "code": {"type": "string", "title": "Code", "description": "<module>.<reason>，稳定的机器代码"},
        "message": {"type": "string", "title": "Message", "description": "中文说明"},
        "details": {"type": "object", "title": "Details", "additionalProperties": True},
    },
    "required": ["code", "message", "details"],
}
# What every operation may answer besides its own (API.md "Errors"); 409 only where state changes.
DOCUMENTED = {
    "400": "请求参数不正确（含请求体无法解析、控制字符、超出范围的整数）",
    "401": "未登录或接口令牌无效",
    "403": "无权执行此操作",
    "404": "未找到",
    "429": "请求过于频繁",
}
UNSAFE_DOCUMENTED = {"409": "当前状态不允许此操作", "415": "请求体不是 application/json"}


def document_errors(schema: dict) -> dict:
    """Every operation lists its error statuses with the one Error schema — added here once, not
    per operation; an operation that documents a status itself keeps its own."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for methods in schema.get("paths", {}).values():
        for method, operation in methods.items():
            statuses = DOCUMENTED | (
                UNSAFE_DOCUMENTED if method in ("post", "put", "patch", "delete") else {}
            )
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                if status not in responses and int(status) not in responses:
                    responses[status] = {"description": description, **ref}
    return schema


def _echoed(request) -> set[str]:
    """The long values a client sent (path, query, body): the ones an error must not repeat."""
    values = []
    match = getattr(request, "resolver_match", None)
    if match is not None:
        values += [v for v in match.kwargs.values() if isinstance(v, str)]
    values += [v for vs in request.GET.lists() for v in vs[1]]
    stack = [getattr(request, "ow_body", None)]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, dict):
            stack += [*value.keys(), *value.values()]
        elif isinstance(value, list):
            stack += value
    return {v for v in values if len(v) > ECHO_LIMIT}


def short(value: str) -> str:
    return value if len(value) <= ECHO_LIMIT else value[:ECHO_LIMIT] + "…"


def _bounded(value, echoed: set[str]):
    if isinstance(value, str):
        for long in sorted(echoed, key=len, reverse=True):
            if long in value:
                value = value.replace(long, short(long))
        return value
    if isinstance(value, dict):
        return {_bounded(k, echoed): _bounded(v, echoed) for k, v in value.items()}
    if isinstance(value, list):
        return [_bounded(v, echoed) for v in value]
    return value


def error(request, status: int, code: str, message: str, details: dict | None = None):
    """The one error answer. A value the client sent comes back cut to ECHO_LIMIT characters,
    wherever a module's message or details repeat it (issue 21: a 100 KB code was echoed)."""
    echoed = _echoed(request)
    if echoed:
        message, details = _bounded(message, echoed), _bounded(details or {}, echoed)
    return errors.as_json(status, code, message, details, encoder=Encoder)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return exc.add_headers(error(request, exc.status, exc.code, exc.message, exc.details))


# pydantic's error types in Chinese (API.md: Chinese messages), by the type pydantic gives each
# error (https://docs.pydantic.dev/latest/errors/validation_errors/); {…} from the error's context.
VALIDATION_MESSAGES = {
    "missing": "必填",
    "string_type": "应为文字",
    "string_too_short": "至少{min_length}个字",
    "string_too_long": "不能超过{max_length}个字",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "greater_than": "应大于{gt}",
    "greater_than_equal": "不能小于{ge}",
    "less_than": "应小于{lt}",
    "less_than_equal": "不能大于{le}",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不含时刻",
    "datetime_type": "应为日期时间（ISO 8601，如 2026-03-02T09:30:00+08:00）",
    "datetime_parsing": "应为日期时间（ISO 8601，如 2026-03-02T09:30:00+08:00）",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601，如 2026-03-02T09:30:00+08:00）",
    "list_type": "应为列表",
    "too_short": "至少{min_length}项",
    "too_long": "不能超过{max_length}项",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "json_invalid": "不是有效的 JSON",
    "extra_forbidden": "不允许此字段",
}


def validation_message(err: dict) -> str:
    """The Chinese text of one pydantic error. Our own validators already speak Chinese: a
    PydanticCustomError's message (inputs.column) as it is, a ValueError's without pydantic's
    English "Value error, " before it."""
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error") or err.get("msg", "")).removeprefix("Value error, ")
    if kind == "string_too_long" and "code" in ctx:
        return err["msg"]
    template = VALIDATION_MESSAGES.get(kind)
    if template is None:
        return "取值不正确"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split("{", 1)[0].rstrip("：") or "取值不正确"


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    fields, too_long = [], None
    for err in exc.errors:
        loc = ".".join(
            short(str(p)) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")
        )
        fields.append({"field": loc, "error": validation_message(err)})
        if too_long is None and err.get("type") == "string_too_long":
            too_long = (loc, err)
    if too_long is not None:
        # A text beyond its column (inputs.column): the code and message check_columns gives the
        # row, here before any service runs, with every other error of the request beside it.
        loc, err = too_long
        ctx = err.get("ctx", {})
        message = err["msg"] if "code" in ctx else f"{loc or '请求'}{validation_message(err)}。"
        return error(request, 400, ctx.get("code", inputs.TOO_LONG_CODE), message,
                     {"field": loc, "max_length": ctx.get("max_length"), "errors": fields})  # fmt: skip
    names = "、".join(f["field"] for f in fields if f["field"]) or "请求"
    return error(request, 400, INVALID, f"请求参数不正确：{names}。", {"errors": fields})


@api.exception_handler(AuthenticationError)
def _authentication_error(request, exc):
    return error(request, 401, "auth.required", "请先登录或提供有效的接口令牌。")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "request.not_found", "未找到请求的资源。")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    """ninja's own refusals carry English text; the parser's DomainError (415, a control
    character) arrives wrapped in ninja's "Cannot parse request body"."""
    if isinstance(exc.__cause__, DomainError):
        return _domain_error(request, exc.__cause__)
    if exc.status_code == 400:
        return error(request, 400, INVALID, "请求体不是有效的 JSON。")
    return error(request, exc.status_code, *status_error(exc.status_code))


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def _out_of_range(request, exc):
    """A value the database cannot store (a string longer than its column on PostgreSQL, a number
    beyond its type, a date beyond year 9999): the client's input, so a 400, never a 500."""
    return error(request, 400, inputs.RANGE_CODE, "请求中的数值、日期或文字超出允许范围。")


@api.exception_handler(ValueError)
def _value_error(request, exc: ValueError):
    if "NUL (0x00)" in str(exc):  # psycopg refuses NUL in a text parameter
        return error(request, 400, inputs.CONTROL_CODE, inputs.CONTROL_MESSAGE)
    raise exc  # any other ValueError is our bug: a logged 500 (ErrorShapeMiddleware shapes it)


class ErrorShapeMiddleware:
    """Under /api/, an error answer that is not already our JSON (Django's 404 for an unknown
    path, ninja's 405, the 500 page after an unhandled exception — which Django has logged with
    its traceback — or a refusal by another middleware) becomes {code, message, details}."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            shaped = errors.as_json(response.status_code, *status_error(response.status_code))
            for header in ("Allow", "Retry-After"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response


@api.get("/ping", tags=["accounts"], operation_id="accounts_ping")
@requires()
def ping(request):
    """A no-op that passes the full middleware and authentication: health checks and the
    benchmarks' baseline."""
    return {"ok": True}


def _mount():
    from onewindow.accounts.api import routers as account_routers
    from onewindow.cases.api import progress_router
    from onewindow.cases.api import router as cases_router
    from onewindow.catalog.api import routers as catalog_routers
    from onewindow.workdays.api import router as workdays_router

    # The cases router first: window intake is the busiest path, and Django tries the API's URL
    # patterns in the order they are added (each pattern tried costs on every request).
    api.add_router("/cases", cases_router)
    for prefix, router in account_routers + catalog_routers:
        api.add_router(prefix, router)
    api.add_router("/workdays", workdays_router)
    api.add_router("/progress", progress_router)
    from onewindow.queueing.api import router as queueing_router

    api.add_router("/tickets", queueing_router)
    # One router per module; each module chooses its own paths below /api/v1/ (documents,
    # licenses and payments add case actions and their own nouns).
    from onewindow.assessment.api import router as assessment_router
    from onewindow.bundles.api import router as bundles_router
    from onewindow.documents.api import router as documents_router
    from onewindow.hotline.api import router as hotline_router
    from onewindow.licenses.api import router as licenses_router
    from onewindow.market.api_agencies import router as market_agencies_router
    from onewindow.market.api_contracts import router as market_contracts_router
    from onewindow.market.api_purchases import router as market_purchases_router
    from onewindow.notify.api import router as notify_router
    from onewindow.payments.api import router as payments_router
    from onewindow.projects.api import router as projects_router
    from onewindow.ratings.api import router as ratings_router
    from onewindow.ratings.complaint_api import router as complaints_router
    from onewindow.ratings.rectification_api import router as rectifications_router
    from onewindow.trading.api import router as trading_router
    from onewindow.trading.api_stats import router as trading_stats_router

    for router in (
        assessment_router,
        bundles_router,
        documents_router,
        hotline_router,
        licenses_router,
        market_agencies_router,
        market_purchases_router,
        market_contracts_router,
        notify_router,
        payments_router,
        projects_router,
        complaints_router,
        ratings_router,
        rectifications_router,
        trading_router,
        trading_stats_router,
    ):
        api.add_router("", router)


_mount()
