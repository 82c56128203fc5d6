"""`Idempotency-Key` for the API's POSTs, the way Stripe does it: one mechanism, the `@idempotent`
decorator on a view's `post`.

A client that sends `Idempotency-Key: <up to 255 characters>` with a POST may send the same request again
(after a timeout, a dropped connection) without doing the thing twice:

- same key, same request (method, path, query and body) → the stored response, with the header
  `Idempotent-Replayed: true`; the view does not run again;
- same key, another request → 422 `idempotency_key_reused`;
- same key while the first request still runs → 409 `idempotency_key_in_use` (one executes);
- keys are per caller (the user; an anonymous visitor's session) and forgotten after
  IDEMPOTENCY_KEY_TTL_HOURS (24 h; beat purges them: `ewtp.tasks.idempotency_keys_purge`).

Only answers the view returned are stored. A request refused with an error (bad input, a conflict, a 5xx)
changed nothing (every write is one transaction), so its key is released and may be sent again, as Stripe
does for requests that fail validation. Without the header nothing changes. An anonymous caller with no
session has no one to scope a key to: the header is ignored.

Every creating or charging POST of the API carries the decorator, or says on its view why not
(`idempotency_exempt = "…"`): tests/ewtp/test_idempotency_coverage.py walks the URLs and checks.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from ewtp.exceptions import ApplicationError, Conflict

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


class KeyReused(ApplicationError):
    status_code = 422


def _scope(request) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        return f"session:{session.session_key}"[:80]
    return None


def _canonical(value):
    """request.data as plain JSON: form fields as lists, uploaded files by name, size and digest."""
    if hasattr(value, "lists"):  # QueryDict / MultiValueDict
        return {key: [_canonical(v) for v in values] for key, values in sorted(value.lists())}
    if isinstance(value, dict):
        return {str(key): _canonical(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if hasattr(value, "chunks"):  # an uploaded file
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "size": value.size, "sha256": digest.hexdigest()}
    return value


def fingerprint(request) -> str:
    files = getattr(request, "FILES", None) or {}
    canonical = {"method": request.method, "path": request.path,
                 "query": sorted(request.query_params.lists()) if hasattr(request, "query_params") else [],
                 "data": _canonical(request.data), "files": _canonical(files)}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, cls=JSONEncoder).encode()).hexdigest()


def _claim(*, scope: str, key: str, request, print_: str):
    """(record, True) when this request may run, else (the earlier record, False). The claim is its own
    committed row: a concurrent request with the key meets the unique constraint."""
    from ewtp.models import IdempotencyKey

    now = timezone.now()
    IdempotencyKey.objects.filter(scope=scope, key=key, created_at__lt=now - _ttl()).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(scope=scope, key=key, method=request.method,
                                                 path=request.path[:500], fingerprint=print_,
                                                 created_at=now), True
    except IntegrityError:
        record = IdempotencyKey.objects.filter(scope=scope, key=key).first()
        if record is None:  # purged between the two statements: claim again
            return _claim(scope=scope, key=key, request=request, print_=print_)
        return record, False


def _ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def idempotent(method):
    """Decorate an APIView's `post` (module docstring)."""

    @functools.wraps(method)
    def post(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return method(view, request, *args, **kwargs)
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise ApplicationError(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters.",
                                   code="invalid", field=HEADER)
        scope = _scope(request)
        if scope is None:
            return method(view, request, *args, **kwargs)
        print_ = fingerprint(request)
        record, claimed = _claim(scope=scope, key=key, request=request, print_=print_)
        if not claimed:
            if record.fingerprint != print_:
                raise KeyReused(f"This {HEADER} was used with another request; use a new key for a new request.",
                                code="idempotency_key_reused", field=HEADER)
            if record.status == record.Status.IN_PROGRESS:
                raise Conflict(f"A request with this {HEADER} is still running; retry later.",
                               code="idempotency_key_in_use", field=HEADER)
            return Response(record.response_body, status=record.response_status, headers={REPLAYED_HEADER: "true"})
        try:
            response = method(view, request, *args, **kwargs)
        except BaseException:
            record.delete()  # refused: nothing changed, the key may be used again
            raise
        if response.status_code >= 500 or not hasattr(response, "data"):
            record.delete()
            return response
        record.status = record.Status.COMPLETED
        record.response_status = response.status_code
        record.response_body = json.loads(json.dumps(response.data, cls=JSONEncoder))
        record.save(update_fields=["status", "response_status", "response_body"])
        return response

    post.idempotent = True
    return post


def idempotency_keys_purge() -> int:
    """Forget the keys older than the TTL (beat)."""
    from ewtp.models import IdempotencyKey

    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - _ttl()).delete()
    return deleted
