"""窗口评价器 (issue 17 item 1): a tablet facing the citizen at a window. The hall admin registers
it for its window and is shown its key once (only the SHA-256 is stored, as assessment's check-in
devices and API tokens); the tablet opens the pairing link /rate/pair/<key>/ once, which leaves a
long-lived signed cookie naming the device and the start of its key's hash — so deactivating the
device, or a new key, unpairs the tablet. A system posting ratings sends the key in X-Device-Key.

What the device rates (一次一评, RULES.md "Ratings"): the service at its window now — the ticket
being served there, else the one finished there within RECENT_MINUTES today — with the first of
the ticket's cases not yet rated on site."""

import datetime as dt
import hashlib
import secrets

from django.core import signing
from django.db.models import Exists, OuterRef

from onewindow import clock
from onewindow.accounts.models import Staff, Window
from onewindow.cases.models import Case
from onewindow.errors import DomainError
from onewindow.queueing.models import Ticket
from onewindow.ratings.models import Rating, RatingDevice, RatingMode

COOKIE = "ow_rating_device"
COOKIE_SALT = "ratings.device"
COOKIE_AGE = 5 * 365 * 24 * 3600  # a tablet stays paired until the device is deactivated
# A citizen rates after the service: the ticket finished at the window in the last minutes is
# still "the current service"; older, the next citizen would rate someone else's.
RECENT_MINUTES = 15


def key_hash(key: str) -> str:
    return hashlib.sha256((key or "").encode()).hexdigest()


def add_device(window: Window, name: str) -> tuple[RatingDevice, str]:
    """A new device of the window and its key (shown once; only its hash is stored)."""
    key = "owr_" + secrets.token_urlsafe(32)
    device = RatingDevice.objects.create(window=window, name=name, key_hash=key_hash(key), key_prefix=key[:8],
                                         created_at=clock.now())  # fmt: skip
    return device, key


def device_for_key(key: str) -> RatingDevice:
    """The active device of this key; refused with `rating.device_key_invalid` (401)."""
    device = (
        RatingDevice.objects.select_related("window__hall")
        .filter(key_hash=key_hash(key), is_active=True)
        .first()
    )
    if device is None:
        raise DomainError(
            "rating.device_key_invalid", "评价器密钥无效或评价器已停用，请联系大厅管理员。", status=401
        )
    return device


def pairing_cookie(device: RatingDevice) -> str:
    return signing.dumps({"d": device.pk, "h": device.key_hash[:16]}, salt=COOKIE_SALT)


def device_for_cookie(value: str | None) -> RatingDevice | None:
    """The paired device named by the tablet's cookie (None: not paired, or unpaired since)."""
    if not value:
        return None
    try:
        data = signing.loads(value, salt=COOKIE_SALT, max_age=COOKIE_AGE)
    except signing.BadSignature:
        return None
    device = (
        RatingDevice.objects.select_related("window__hall").filter(pk=data.get("d"), is_active=True).first()
    )
    if device is None or not device.key_hash.startswith(str(data.get("h", "-"))):
        return None
    return device


def paired_device(value: str | None, window_id: int) -> RatingDevice:
    """Only a device paired for this window may rate at it (`rating.device_not_paired`, 403)."""
    device = device_for_cookie(value)
    if device is None or device.window_id != window_id:
        raise DomainError("rating.device_not_paired", "本设备尚未配对为该窗口的评价器，不能提交评价。请联系大厅管理员。",
                          status=403)  # fmt: skip
    return device


def seen(device: RatingDevice) -> None:
    RatingDevice.objects.filter(pk=device.pk).update(last_seen_at=clock.now())


def clerk_at(window: Window) -> Staff | None:
    """The clerk signed in at the window now (Staff.at_window)."""
    return Staff.objects.filter(at_window=window, is_active=True).select_related("user").first()


def current_ticket(window: Window) -> Ticket | None:
    """The service at the window now: the ticket being served, else the one finished there in
    the last RECENT_MINUTES today, not yet rated (一次一评)."""
    now = clock.now()
    today = now.astimezone(clock.hall_tz()).date()
    rated = Exists(Rating.objects.filter(ticket=OuterRef("pk")))
    tickets = Ticket.objects.filter(window=window, day=today).exclude(rated).select_related("window")
    serving = tickets.filter(status=Ticket.Status.SERVING).order_by("-started_at").first()
    if serving is not None:
        return serving
    since = now - dt.timedelta(minutes=RECENT_MINUTES)
    return tickets.filter(status=Ticket.Status.DONE, finished_at__gte=since).order_by("-finished_at").first()


def case_of(ticket: Ticket) -> Case | None:
    """The first of the ticket's cases not yet rated on site (a second visit about the same case
    rates the visit only: the case keeps its first on-site rating)."""
    numbers = [n for n in ticket.case_numbers if isinstance(n, str)]
    if not numbers:
        return None
    rated = set(Rating.objects.filter(case__number__in=numbers, mode=RatingMode.ON_SITE, kind="first")
                .values_list("case__number", flat=True))  # fmt: skip
    cases = {c.number: c for c in Case.objects.filter(number__in=numbers, hall_id=ticket.hall_id)}
    return next((cases[n] for n in numbers if n in cases and n not in rated), None)
