"""How a message leaves the hall (setting ONEWINDOW_SMS_BACKEND): the worker's log (`console`,
the default), one JSON line per message in a file (`file`), or the SMS gateway (`http`).

A backend answers every message with a Result: sent, retry (the gateway may take it later:
5xx, 408, 429, timeout, no connection) or dead (refused for good: any other answer)."""

import json
import logging
import os
from dataclasses import dataclass

import httpx
from django.conf import settings

from onewindow import clock
from onewindow.accounts.masking import mask_phone
from onewindow.notify.models import Message

log = logging.getLogger("onewindow.notify")

SENT, RETRY, DEAD = "sent", "retry", "dead"
ERROR_MAX = 500  # characters of a gateway's answer kept as the message's last error


@dataclass(frozen=True)
class Result:
    outcome: str  # SENT, RETRY or DEAD
    ref: str = ""  # the gateway's reference of a sent message
    error: str = ""
    retry_after: float | None = None  # seconds the gateway asked us to wait (429 Retry-After)


class ConsoleBackend:
    """Development and demo: the text goes to the worker's log, the phone masked."""

    def send(self, message: Message) -> Result:
        log.info("短信 %s → %s：%s", message.key, mask_phone(message.phone), message.text)
        return Result(SENT, ref="console")

    def close(self) -> None:
        pass


class FileBackend:
    """A JSON line per message appended to ONEWINDOW_SMS_FILE (a test hall, or a hand-over to
    another system). One write() per line, so lines of concurrent workers do not interleave."""

    def send(self, message: Message) -> Result:
        line = json.dumps({"to": message.phone, "text": message.text, "idempotency_key": message.key,
                           "at": clock.now().isoformat()}, ensure_ascii=False)  # fmt: skip
        fd = os.open(settings.ONEWINDOW_SMS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)
        return Result(SENT, ref="file")

    def close(self) -> None:
        pass


class HttpBackend:
    """The SMS gateway: POST {to, text, idempotency_key} as JSON with the hall's key and an
    `Idempotency-Key` header, so a repeat after a lost answer or a dead worker is not sent twice."""

    def __init__(self):
        timeout = httpx.Timeout(
            settings.ONEWINDOW_SMS_READ_TIMEOUT, connect=settings.ONEWINDOW_SMS_CONNECT_TIMEOUT
        )
        self.client = httpx.Client(timeout=timeout)

    def send(self, message: Message) -> Result:
        headers = {"Idempotency-Key": message.key}
        if settings.ONEWINDOW_SMS_KEY:
            headers[settings.ONEWINDOW_SMS_KEY_HEADER] = settings.ONEWINDOW_SMS_KEY
        body = {"to": message.phone, "text": message.text, "idempotency_key": message.key}
        try:
            answer = self.client.post(settings.ONEWINDOW_SMS_URL, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            return Result(RETRY, error=f"短信网关超时（{type(exc).__name__}）")
        except httpx.HTTPError as exc:
            return Result(RETRY, error=f"无法连接短信网关（{type(exc).__name__}: {exc}）"[:ERROR_MAX])
        status, text = answer.status_code, answer.text[:ERROR_MAX]
        if 200 <= status < 300:
            return Result(SENT, ref=_reference(answer))
        if status in (408, 429) or status >= 500:
            return Result(RETRY, error=f"HTTP {status}: {text}", retry_after=_retry_after(answer))
        return Result(DEAD, error=f"HTTP {status}: {text}")

    def close(self) -> None:
        self.client.close()


def _reference(answer: httpx.Response) -> str:
    try:
        data = answer.json()
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    return str(next((data[k] for k in ("id", "message_id", "ref", "biz_id") if data.get(k)), ""))[:100]


def _retry_after(answer: httpx.Response) -> float | None:
    try:
        return max(0.0, float(answer.headers.get("Retry-After", "")))
    except ValueError:
        return None  # absent, or an HTTP date: the backoff decides


BACKENDS = {"console": ConsoleBackend, "file": FileBackend, "http": HttpBackend}


def configured():
    """A new backend of the configured kind (the worker keeps one, with its connections)."""
    return BACKENDS[settings.ONEWINDOW_SMS_BACKEND]()
