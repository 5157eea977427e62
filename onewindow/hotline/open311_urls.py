"""/open311/v2/ (decision 41): every resource in `.json` and `.xml`."""

from django.urls import re_path

from onewindow.hotline import open311_views as views

FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="open311-discovery"),
    re_path(r"^services" + FMT, views.services, name="open311-services"),
    re_path(r"^services/(?P<service_code>[^/]+?)" + FMT, views.service_definition, name="open311-service"),
    re_path(r"^requests" + FMT, views.requests, name="open311-requests"),
    re_path(r"^requests/(?P<service_request_id>[^/]+?)" + FMT, views.service_request, name="open311-request"),
    re_path(r"^tokens/(?P<token_id>[^/]+?)" + FMT, views.token, name="open311-token"),
]
