"""关怀版 (the elder-friendly mode, issue 23): larger type, higher contrast, bigger targets and the
five things citizens do most as the whole navigation. One switch on every page sets a cookie;
the kiosk and the appointment pages are in the mode unless the visitor switched it off.

Why a cookie and not the account: the mode is wanted before logging in (the login form itself
must be legible), on the kiosk nobody logs in, and logging in or out must not change it. The
cookie holds only "1" or "0"; without it, the page's own default applies (decision 52)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

COOKIE = "ow_care"
COOKIE_MAX_AGE = 365 * 24 * 3600  # a year: an elder should not have to find the switch again
# The pages that elders use standing in the hall, or that most often send them there: in the mode
# by default.
ON_BY_DEFAULT = frozenset(
    {"queueing:kiosk", "queueing:ticket", "queueing:appointments", "queueing:my-appointments"}
)


def is_on(request: HttpRequest) -> bool:
    """The visitor's choice if they made one, else the page's default."""
    chosen = request.COOKIES.get(COOKIE)
    if chosen in ("1", "0"):
        return chosen == "1"
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in ON_BY_DEFAULT


def switched(request: HttpRequest, on: bool) -> HttpResponse:
    """Back to the page the switch was on (`next`, else the Referer: only a page of this site),
    with the choice remembered. The pages do not echo their own address into the switch's form:
    an error page must not repeat what it refuses to show (a case number in a refused URL)."""
    back = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("web:home")
    response = redirect(back)
    response.set_cookie(
        COOKIE,
        "1" if on else "0",
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    return response
