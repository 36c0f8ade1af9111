"""Idempotency keys for API writes, with Stripe's semantics.

A write sent with an ``Idempotency-Key`` header is recorded before it runs. Sending the same
key again with the same request replays the first response; with a different request it is
refused (422); while the first is still running it is refused as a conflict (409). Keys are
kept for ``IDEMPOTENCY_KEY_TTL`` and then purged by a periodic task.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.api.models import ApiKey, IdempotencyKey
from subsidy.platform.errors import DomainError

IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# Far longer than any request may run (the web server's timeout is shorter).
ABANDONED_AFTER = timedelta(minutes=5)


class IdempotencyConflict(DomainError):
    """The first request with this key is still being processed."""


class IdempotencyMismatch(DomainError):
    """The key was already used for a different request."""


@dataclass(frozen=True)
class Replay:
    status: int
    body: object


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """SHA-256 of the method, path and body; a JSON body is compared by content, so
    re-serialising the same object with other spacing or key order is the same request."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
        payload = canonical.encode()
    except (ValueError, UnicodeDecodeError):
        payload = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), b"\n", path.encode(), b"\n", payload):
        digest.update(part)
    return digest.hexdigest()


def idempotency_begin(*, api_key: ApiKey, key: str, method: str, path: str,
                      body: bytes) -> IdempotencyKey | Replay:
    """Claim ``key`` for this request, or say what to answer instead.

    Returns the new in-progress record when the request should run, a ``Replay`` of the
    first response when it already ran, and raises ``IdempotencyMismatch`` or
    ``IdempotencyConflict`` otherwise. The claim commits at once so that a concurrent
    duplicate sees it."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainError(_("The Idempotency-Key header must be 1 to 255 characters."),
                          code="invalid_idempotency_key", field="Idempotency-Key")
    fingerprint = request_fingerprint(method=method, path=path, body=body)
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                api_key=api_key, key=key, request_method=method.upper(), request_path=path,
                request_fingerprint=fingerprint,
            )
    except IntegrityError:
        pass
    existing = IdempotencyKey.objects.filter(api_key=api_key, key=key).first()
    if existing is None:
        # Released by a failed first attempt between our insert and this read.
        raise IdempotencyConflict(
            _("A request with this Idempotency-Key is being processed; retry shortly."),
            code="idempotency_conflict")
    if existing.request_fingerprint != fingerprint:
        raise IdempotencyMismatch(
            _("This Idempotency-Key was already used with a different request."),
            code="idempotency_key_reused")
    if existing.state == IdempotencyKey.State.IN_PROGRESS:
        # A claim older than any request can run was left by a process that died mid-way;
        # the retry takes it over (one retry only: the update is conditional).
        abandoned_before = timezone.now() - ABANDONED_AFTER
        if existing.created_at < abandoned_before and IdempotencyKey.objects.filter(
                pk=existing.pk, state=IdempotencyKey.State.IN_PROGRESS,
                created_at=existing.created_at).update(created_at=timezone.now()):
            existing.refresh_from_db()
            return existing
        raise IdempotencyConflict(
            _("A request with this Idempotency-Key is being processed; retry shortly."),
            code="idempotency_conflict")
    return Replay(status=existing.response_status, body=existing.response_body)


def idempotency_complete(*, record: IdempotencyKey, status: int, body) -> None:
    """Store the response to replay. Refusals and server errors are not stored (nothing
    happened: every error answer rolls the request back): the claim is released, so the
    client's retry, corrected or not, runs the request again. As Stripe does not keep a
    request that failed validation."""
    if status >= 400:
        idempotency_release(record=record)
        return
    IdempotencyKey.objects.filter(pk=record.pk).update(
        state=IdempotencyKey.State.COMPLETED, response_status=status, response_body=body,
    )


def idempotency_release(*, record: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=record.pk, state=IdempotencyKey.State.IN_PROGRESS).delete()


def idempotency_keys_purge(*, now=None) -> int:
    """Delete keys older than the retention period; returns how many were deleted."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_KEY_TTL
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
