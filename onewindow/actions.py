"""The action forms of a page, run one way (STYLE.md: a view parses, checks access, calls one
service, renders). A POST to …/<action>/ names one entry of the view's ACTIONS table; the entry
parses the post and calls the one service it names, as `entry(subject, by, post)`. A refusal
(DomainError) shows the page again with its message; success redirects (post/redirect/get)."""

from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from onewindow.errors import DomainError, NotFound

Action = Callable[[Any, Any, Any], Any]  # (subject, by, post) → what the service returned


def dispatch(
    request: HttpRequest,
    actions: Mapping[str, Action],
    action: str,
    subject: Any,
    *,
    unknown: NotFound,
    done: str | Callable[[Any], HttpResponse],
    refused: Callable[[DomainError], HttpResponse] | None = None,
    allowed: Callable[[], None] | None = None,
) -> HttpResponse:
    """Runs `actions[action]` on the subject for the requesting user.

    unknown  raised when the table has no such action (a 404 page);
    allowed  called next, before the service: raises (Forbidden) when this person may not act here;
    refused  the response to a refusal, usually the page again with `exc.message` at `exc.status`;
             without it the refusal goes up to the error page (web.middleware.DomainErrorMiddleware);
    done     the URL to go to once done, or a function of the service's result giving the response.
    """
    run = actions.get(action)
    if run is None:
        raise unknown
    if allowed is not None:
        allowed()
    try:
        result = run(subject, request.user, request.POST)
    except DomainError as exc:
        if refused is None:
            raise
        return refused(exc)
    return redirect(done) if isinstance(done, str) else done(result)
