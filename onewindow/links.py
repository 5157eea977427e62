"""Links that leave the building: every absolute address the hall hands out — the QR codes of
notices, licenses and tickets, the links in SMS — is built here, below the hall's public address
(settings.ONEWINDOW_PUBLIC_URL), never from the request that happened to print it (a clerk's PC
reaches the server at an inside address a citizen's phone cannot open).

`check_public_url` is a deployment system check (registered by onewindow.web.apps; `manage.py
check --deploy --tag onewindow`), run at start by the processes that hand links out — gunicorn (wsgi.py), asgi.py
and `manage.py worker` (the SMS): outside a demo or debugging, a loopback, unspecified or
malformed public address is an error (docs/decisions/0027-public-url-and-notice-numbers.md)."""

import ipaddress
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import checks


def public_url(path: str, query: dict | None = None) -> str:
    """The absolute address of `path` (a site path, as reverse() gives it) at the hall's public
    address, with `query` encoded after it."""
    if not path.startswith("/"):
        raise ValueError(f"public_url needs a site path starting with '/', not {path!r}")
    url = settings.ONEWINDOW_PUBLIC_URL.rstrip("/") + path
    return f"{url}?{urlencode(query)}" if query else url


def _problem(url: str) -> str:
    """Why `url` cannot be the public address of a hall in service ('' when it can)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "不是完整的 http(s) 地址"
    if parts.query or parts.fragment:
        return "不应带查询参数或锚点"
    host = parts.hostname.lower()
    if host == "localhost" or host.endswith(".localhost"):
        return "指向本机（localhost）"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return ""
    if address.is_loopback:
        return "指向本机回环地址"
    if address.is_unspecified:
        return "是“任意地址”（0.0.0.0 / ::），不是可访问的地址"
    return ""


def strict() -> bool:
    """Production settings: not DEBUG and not the demo (`make run` sets ONEWINDOW_DEMO), or
    ONEWINDOW_PRODUCTION=true whatever else is set."""
    return settings.PRODUCTION or not (settings.DEBUG or settings.ONEWINDOW_DEMO)


def check_public_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    url = settings.ONEWINDOW_PUBLIC_URL
    problem = _problem(url)
    if not problem or not strict():
        return []
    return [
        checks.Error(
            f"ONEWINDOW_PUBLIC_URL={url!r} {problem}：通知书、证照和取号单上的二维码、短信里的链接都会带上它，"
            "群众的手机打不开。",
            hint="把 ONEWINDOW_PUBLIC_URL 设为群众访问本中心的地址，如 https://zwfw.example.gov.cn"
            "（演示或调试时设 ONEWINDOW_DEMO=true 或 DEBUG=true；`make run` 会自动设置）。"
            "见 docs/operators-guide.md“Public address”。",
            id="onewindow.E001",
        )
    ]


def fail_on_errors() -> None:
    """Runs the check at the start of a process that hands links out (wsgi, asgi, the worker): it
    refuses to start on a public address it must not hand out."""
    errors = [m for m in check_public_url() if m.is_serious()]
    if errors:
        from django.core.management.base import SystemCheckError

        raise SystemCheckError("\n".join(f"{m.id}: {m.msg}\n    HINT: {m.hint}" for m in errors))
