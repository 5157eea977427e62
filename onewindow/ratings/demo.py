"""好差评 in the demo hall: the default tags (the common ones of the seed halls' rating devices)
and one rating device at window 01, with a fixed demo key so that its pairing link survives a
re-run of seed_demo (a real device's key is random and shown once: rating_admin)."""

from django.urls import reverse

from onewindow import clock
from onewindow.accounts.models import Window
from onewindow.links import public_url
from onewindow.ratings.devices import key_hash
from onewindow.ratings.models import RatingDevice, RatingMode, RatingTag

# (text, for bad ratings, mode: "" both, on_site, online)
TAGS = [
    ("态度热情", False, ""), ("业务熟练", False, ""), ("办事高效", False, ""), ("一次办好", False, ""),
    ("指南清晰准确", False, RatingMode.ONLINE), ("网上办理方便", False, RatingMode.ONLINE),
    ("耐心解答", False, RatingMode.ON_SITE),
    ("态度生硬", True, ""), ("等候时间长", True, ""), ("办理时间长", True, ""), ("要求多次跑", True, ""),
    ("指南不清楚", True, RatingMode.ONLINE), ("系统不好用", True, RatingMode.ONLINE),
    ("解释不清楚", True, RatingMode.ON_SITE),
]  # fmt: skip
DEMO_KEY = "owr_demo-window-01"


def seed_tags() -> int:
    """The default tags (only those missing: an operator's edits stay); how many were added."""
    made = 0
    for order, (text, bad, mode) in enumerate(TAGS, start=1):
        made += RatingTag.objects.get_or_create(
            text=text, defaults={"for_bad": bad, "mode": mode, "order": order}
        )[1]
    return made


def seed(hall_code: str = "371400-zwfw") -> str | None:
    """The tags and window 01's device; its pairing link (None without the demo hall)."""
    seed_tags()
    window = Window.objects.filter(hall__code=hall_code, number="01").first()
    if window is None:
        return None
    RatingDevice.objects.get_or_create(key_hash=key_hash(DEMO_KEY), defaults={
        "window": window, "name": "01号窗口评价器", "key_prefix": DEMO_KEY[:8], "created_at": clock.now()})  # fmt: skip
    return public_url(reverse("ratings:pair", args=[DEMO_KEY]))
