from django.shortcuts import render

from onewindow.errors import DomainError


class DomainErrorMiddleware:
    """A DomainError raised under a page is shown as a page with its Chinese message and
    status (the API maps the same errors to JSON in onewindow.api)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(request, "web/error.html", {"error": exception}, status=exception.status)
        return None
