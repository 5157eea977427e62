"""Idempotency-Key for API POSTs (API.md "Retries"): the same key with the same body returns
the first answer; the same key with another body or path → 409; nothing is created twice.

The handler and the record of its answer commit in one transaction. Two copies of a request
racing on PostgreSQL: the second blocks on the unique (owner, key) index until the first
commits, fails, rolls back everything it did, and answers with the first's stored response.
"""

import hashlib

from django.db import IntegrityError, transaction
from django.http import HttpResponse

from onewindow.accounts.models import IdempotentRequest
from onewindow.errors import as_json

HEADER = "Idempotency-Key"


def _owner(request) -> str | None:
    from onewindow.accounts import services

    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        user = services.user_for_token(auth[7:].strip())
    else:
        user = request.user if request.user.is_authenticated else None
    return f"user:{user.pk}" if user is not None else None


def _conflict(message: str) -> HttpResponse:
    return as_json(409, "request.idempotency_key_reused", message)


def _replay(record: IdempotentRequest, path: str, body_hash: str) -> HttpResponse:
    if record.path != path or record.body_hash != body_hash:
        return _conflict("该幂等键已用于另一请求，请为新请求使用新的 Idempotency-Key。")
    response = HttpResponse(bytes(record.response), status=record.status, content_type=record.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER, "").strip()
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 100:
            return _conflict("Idempotency-Key 过长（不超过100个字符）。")
        owner = _owner(request)
        if owner is None:
            return self.get_response(request)  # 401 follows; nothing to remember
        body_hash = hashlib.sha256(request.body).hexdigest()
        found = IdempotentRequest.objects.filter(owner=owner, key=key).first()
        if found is not None:
            return _replay(found, request.path, body_hash)
        try:
            with transaction.atomic():
                response = self.get_response(request)
                if 200 <= response.status_code < 300:
                    IdempotentRequest.objects.create(
                        owner=owner,
                        key=key,
                        path=request.path,
                        body_hash=body_hash,
                        status=response.status_code,
                        response=response.content,
                        content_type=response.get("Content-Type", "application/json"),
                    )
        except IntegrityError:
            # A concurrent copy committed first; our insert waited for it and everything we
            # did is rolled back.
            found = IdempotentRequest.objects.filter(owner=owner, key=key).first()
            if found is None:
                raise
            return _replay(found, request.path, body_hash)
        if not 200 <= response.status_code < 300:
            # The handler's own uniqueness check may have waited for a concurrent copy.
            found = IdempotentRequest.objects.filter(owner=owner, key=key).first()
            if found is not None:
                return _replay(found, request.path, body_hash)
        return response
