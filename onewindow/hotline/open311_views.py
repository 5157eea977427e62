"""Open311 GeoReport v2 endpoints (decision 41): thin — parse the format, call hotline.open311,
answer in XML or JSON; every refusal in the spec's error shape, never a page. Public reads; a
POST is authorised by its api_key (an accounts.ApiToken), not by a session — hence no CSRF."""

import json

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.accounts.permissions import public
from onewindow.errors import DomainError
from onewindow.hotline import open311
from onewindow.links import public_url


def _answer(fmt: str, root: str, value, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = open311.to_xml(root, value)
    else:
        body = json.dumps(value, ensure_ascii=False).encode()
    response = HttpResponse(body, status=status, content_type=f"{open311.FORMATS[fmt]}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"  # the spec's readers are often browser apps
    return response


def _spec(root: str):
    """Runs the view's work; a DomainError (or a body too large or malformed) becomes the spec's
    [{"code", "description"}] in the asked format."""

    def decorate(work):
        def view(request, fmt, **kwargs):
            try:
                return _answer(fmt, root, work(request, **kwargs))
            except DomainError as error:
                return _answer(fmt, "errors", open311.error_body(error), error.status)
            except (RequestDataTooBig, SuspiciousOperation):
                error = open311.Open311Error("open311.400", "请求内容过大或格式不正确。")
                return _answer(fmt, "errors", open311.error_body(error), 400)

        view.__name__ = work.__name__
        view.__doc__ = work.__doc__
        return view

    return decorate


def _base_url(request) -> str:
    return public_url("/open311/v2")


@public
@require_GET
@_spec("discovery")
def discovery(request):
    return open311.discovery(_base_url(request))


@public
@require_GET
@_spec("services")
def services(request):
    return open311.service_list()


@public
@require_GET
@_spec("service_definition")
def service_definition(request, service_code):
    return open311.service_definition(service_code)


@_spec("service_requests")
def _requests(request):
    if request.method == "POST":
        return open311.submit(request.POST)
    return open311.find_requests(request.GET)


requests = public(csrf_exempt(require_http_methods(["GET", "POST"])(_requests)))


@public
@require_GET
@_spec("service_requests")
def service_request(request, service_request_id):
    return open311.request_by_id(service_request_id)


@public
@require_GET
@_spec("service_requests")
def token(request, token_id):
    return open311.request_by_token(token_id)
