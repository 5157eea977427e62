"""The JSON API under /api/v1/ (API.md): one router per noun, one error shape.

Errors are always {"code": "<module>.<reason>", "message": "<中文说明>", "details": {…}}:
schema validation answers 400 (not ninja's 422), a missing login 401, a DomainError its own
status. Nothing a client can send gives a 500.
"""

from django.conf import settings
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth

from onewindow import ratelimit
from onewindow.accounts import services as account_services
from onewindow.accounts.permissions import public, requires
from onewindow.errors import DomainError


class TokenAuth(HttpBearer):
    """Authorization: Bearer <token> — a person's or a registered system's token.

    Wrong tokens count per client address in the shared cache (issue 21): past
    ONEWINDOW_BAD_TOKENS_PER_WINDOW the address gets 429 with Retry-After, before any database
    lookup, until the window ends (a token this process already verified costs no cache trip)."""

    def authenticate(self, request, token):
        key = f"bad-token:{ratelimit.client_ip(request)}"
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
    """The browser's session cookie; ninja checks CSRF on unsafe methods."""


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # readable Chinese in logs and curl


def _docs_are_public(view):
    return public(view)


api = NinjaAPI(
    title="OneWindow API",
    version="1",
    description="一网通办 OneWindow 政务服务平台接口。错误格式：{code, message, details}。",
    urls_namespace="api",
    renderer=Renderer(),
    auth=[TokenAuth(), SessionCookieAuth()],
    docs_decorator=_docs_are_public,
)


def error(request, status: int, code: str, message: str, details: dict | None = None):
    return api.create_response(
        request, {"code": code, "message": message, "details": details or {}}, status=status
    )


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return exc.add_headers(error(request, exc.status, exc.code, exc.message, exc.details))


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    fields = []
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload"))
        fields.append({"field": loc, "error": err.get("msg", "")})
    names = "、".join(f["field"] for f in fields if f["field"]) or "请求"
    return error(request, 400, "request.invalid", f"请求参数不正确：{names}。", {"errors": fields})


@api.exception_handler(AuthenticationError)
def _authentication_error(request, exc):
    return error(request, 401, "auth.required", "请先登录或提供有效的接口令牌。")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, 404, "request.not_found", "未找到请求的资源。")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    codes = {
        400: "request.invalid",
        403: "auth.forbidden",
        404: "request.not_found",
        405: "request.method",
        409: "request.conflict",
        429: "request.throttled",
    }
    return error(request, exc.status_code, codes.get(exc.status_code, "request.error"), str(exc))


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
