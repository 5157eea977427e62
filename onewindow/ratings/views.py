"""好差评 pages (issue 17 item 1): the window device's tablet page, the applicant's online rating
(portal card and form, QR code, SMS link) and the device's pairing link. Thin views: parse, check
access, call one service of ratings.channels / ratings.invites, render (STYLE.md)."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.accounts.models import Window
from onewindow.accounts.permissions import public, requires
from onewindow.cases.models import Case
from onewindow.errors import DomainError
from onewindow.links import public_url
from onewindow.qr import data_uri
from onewindow.ratings import channels, devices, invites
from onewindow.ratings.models import BAD_LEVEL_MAX, INDICATORS, RatingChannel, RatingLevel, RatingMode
from onewindow.ratings.services import offered_tags

THANKS_SECONDS = 6  # the thank-you screen, then the idle screen for the next citizen


def _number(value: str):
    """A posted level as an int when it is one; anything else goes to services.clean unchanged,
    which refuses it with its code."""
    value = (value or "").strip()
    return int(value) if value.isdigit() else (value or None)


def rating_input(post, mode: str) -> dict:
    indicators = {
        name: _number(post.get(f"ind_{name}")) for name, _ in INDICATORS[mode] if post.get(f"ind_{name}")
    }
    return {"level": _number(post.get("level")), "indicators": indicators, "tags": post.getlist("tags"),
            "text": post.get("text", "")}  # fmt: skip


def form_context(mode: str) -> dict:
    """What a rating form offers: the levels (5 first), the mode's indicators, the tags."""
    return {"levels": [(v, label, "★" * v) for v, label in RatingLevel.choices], "indicators": INDICATORS[mode],
            "tags_good": list(offered_tags(mode, bad=False)), "tags_bad": list(offered_tags(mode, bad=True)),
            "bad_max": BAD_LEVEL_MAX}  # fmt: skip


# ---- the window device (窗口评价器) -------------------------------------------------------------


@public
@require_GET
def pair(request, key: str):
    """The pairing link, opened once on the tablet: a long-lived signed cookie, then the window."""
    try:
        device = devices.device_for_key(key)
    except DomainError as exc:
        return render(request, "ratings/rate_refused.html", {"error": exc}, status=exc.status)
    devices.seen(device)
    response = redirect("ratings:window", window_id=device.window_id)
    response.set_cookie(devices.COOKIE, devices.pairing_cookie(device), max_age=devices.COOKIE_AGE,
                        httponly=True, samesite="Lax", secure=request.is_secure())  # fmt: skip
    return response


def _window_page(request, window: Window, *, error: DomainError | None = None, status: int = 200):
    device = devices.device_for_cookie(request.COOKIES.get(devices.COOKIE))
    clerk = devices.clerk_at(window)
    ticket = devices.current_ticket(window)
    return render(request, "ratings/rate_window.html", {
        "window": window, "paired": device is not None and device.window_id == window.pk, "clerk": clerk,
        "ticket": ticket, "error": error, "thanks": request.GET.get("thanks") == "1" and error is None,
        "thanks_seconds": THANKS_SECONDS, **form_context(RatingMode.ON_SITE),
    }, status=status)  # fmt: skip


@public
@require_http_methods(["GET", "POST"])
def window_page(request, window_id: int):
    """窗口评价器: the window, its clerk (name, photo), the five levels, indicators and tags. Only
    a device paired for this window may post."""
    window = get_object_or_404(Window.objects.select_related("hall"), pk=window_id, is_active=True)
    if request.method == "GET":
        return _window_page(request, window)
    try:
        device = devices.paired_device(request.COOKIES.get(devices.COOKIE), window.pk)
        channels.rate_at_window(device, **rating_input(request.POST, RatingMode.ON_SITE))
    except DomainError as exc:
        return _window_page(request, window, error=exc, status=exc.status)
    return redirect(reverse("ratings:window", args=[window.pk]) + "?thanks=1")


@public
@require_GET
def clerk_photo(request, window_id: int):
    """The photo of the clerk at the window (亮证亮牌: shown to every citizen at the counter)."""
    window = get_object_or_404(Window, pk=window_id, is_active=True)
    clerk = devices.clerk_at(window)
    if clerk is None or not clerk.photo:
        raise Http404
    return FileResponse(clerk.photo.open("rb"), as_attachment=False)


# ---- online: the portal card and form, the QR code, the SMS link ------------------------------------


def _online_page(request, case: Case, *, action: str, channel: str, error: DomainError | None = None,
                 status: int = 200):  # fmt: skip
    return render(request, "ratings/rate_online.html", {
        "case": case, "action": action, "channel_label": RatingChannel(channel).label,
        "rating": channels.online_rating(case), "may_rate": channels.may_rate_online(case), "error": error,
        "form": request.POST if error else {}, **form_context(RatingMode.ONLINE),
    }, status=status)  # fmt: skip


def _rate_online(request, case: Case, channel: str):
    action = request.path
    if request.method == "GET":
        return _online_page(request, case, action=action, channel=channel)
    try:
        channels.rate_case_online(case, channel=channel, by=request.user,
                                  **rating_input(request.POST, RatingMode.ONLINE))  # fmt: skip
    except DomainError as exc:
        return _online_page(request, case, action=action, channel=channel, error=exc, status=exc.status)
    return redirect("cases:my-case", number=case.number)


@requires()
@require_http_methods(["GET", "POST"])
def rate_case(request, number: str):
    """网上评价 of my case (channel portal), once."""
    return _rate_online(request, channels.applicant_case(request.user, number), RatingChannel.PORTAL)


@requires()
@require_http_methods(["GET", "POST"])
def rate_qr(request, number: str):
    """The progress page's QR code lands here: the applicant, logged in, rates (channel qr)."""
    return _rate_online(request, channels.applicant_case(request.user, number), RatingChannel.QR)


@requires()
@require_GET
def case_card(request, number: str):
    """The rating card of /my/cases/<number>/ (loaded by htmx): my rating, or the way to rate."""
    case = channels.applicant_case(request.user, number)
    return render(request, "ratings/_rating_card.html", {
        "case": case, "rating": channels.online_rating(case), "may_rate": channels.may_rate_online(case),
        "bad_ratings": channels.bad_ratings_of(case),
    })  # fmt: skip


def _follow_up_page(request, case: Case, bad, *, error: DomainError | None = None, status: int = 200):
    return render(request, "ratings/rate_follow_up.html", {
        "case": case, "bad": bad, "rect": getattr(bad, "rectification", None), "error": error,
        "form": request.POST if error else {}, **form_context(RatingMode.ONLINE),
    }, status=status)  # fmt: skip


@requires()
@require_http_methods(["GET", "POST"])
def rate_follow_up(request, number: str, rating_id: int):
    """追评: the applicant rates the rectification of their bad rating, once, after the feedback."""
    case = channels.applicant_case(request.user, number)
    bad = channels.follow_up_target(case, rating_id)
    if request.method == "GET":
        return _follow_up_page(request, case, bad)
    try:
        channels.rate_follow_up(case, bad, by=request.user, **rating_input(request.POST, RatingMode.ONLINE))
    except DomainError as exc:
        return _follow_up_page(request, case, bad, error=exc, status=exc.status)
    return redirect("cases:my-case", number=case.number)


@public
@require_GET
def qr_code(request, number: str):
    """The QR code to /rate/qr/<number>/ (the progress page loads it): the number only, which the
    page already shows; rating needs the applicant's login."""
    link = public_url(reverse("ratings:qr", args=[number[:30]]))
    return render(request, "ratings/_rating_qr.html", {"qr": data_uri(link), "link": link})


@public
@require_http_methods(["GET", "POST"])
def rate_token(request, token: str):
    """The SMS link: the online form without login, once (a replay is refused)."""
    try:
        invite = invites.invite_for(token)
        if request.method == "POST":
            invites.use(token, **rating_input(request.POST, RatingMode.ONLINE))
            return render(request, "ratings/rate_thanks.html", {"case": invite.case})
    except DomainError as exc:
        if exc.code.startswith("rating.token_"):
            return render(request, "ratings/rate_refused.html", {"error": exc}, status=exc.status)
        return _online_page(request, invite.case, action=request.path, channel=RatingChannel.SMS, error=exc,
                            status=exc.status)  # fmt: skip
    return _online_page(request, invite.case, action=request.path, channel=RatingChannel.SMS)
