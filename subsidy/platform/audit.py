"""The one way to write the audit trail."""

import contextvars
import datetime
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction

from subsidy.platform.models import AuditEvent, User

# Set per request by ``subsidy.platform.middleware.AuditContextMiddleware`` so that services called
# from a view record where the change came from without passing the request around.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_ip", default=None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def actor_user(actor) -> User | None:
    """The person behind ``actor``, or None: the system, or a partner organisation's API
    client, which is not a user account."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def actor_label(actor) -> str:
    """How the audit trail names ``actor``: a user's email, ``partner:<name> (key
    <prefix>)`` for a partner's API client, ``aisc (key <prefix>)`` for the AI
    Supercomputing Centre's, or ``system``."""
    user = actor_user(actor)
    if user is not None:
        return user.email
    partner, api_key = getattr(actor, "partner", None), getattr(actor, "api_key", None)
    if partner is not None and api_key is not None:
        return f"partner:{partner.name} (key {api_key.prefix})"[:254]
    # Another API client (the AI Supercomputing Centre's) names itself.
    label = getattr(actor, "audit_label", None)
    return label[:254] if label else "system"


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one audit event: who (``actor``: a user, a partner's API client, or None for
    the system), did what, to which
    object, the values before and after, when and from which address. Call it inside the
    transaction of the change it records, so both commit or neither does.

    The record is chained to the one before it (see ``chain_hash``). The chain's lock is
    held until the transaction ends, so call this after the change's row locks (docs/
    architecture.md, Locks)."""
    event = AuditEvent(
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip_address=_normalised_ip(ip_address or current_ip.get()),
    )
    return audit_chain_append(event)


def audit_chain_append(event: AuditEvent) -> AuditEvent:
    """Link ``event`` to the newest record and insert it, under the chain's lock."""
    # Without a transaction around it the chain's lock would end with the first statement.
    with transaction.atomic(savepoint=False):
        event.previous_hash = _chain_tail()
        event.record_hash = chain_hash(event.previous_hash, event)
        event.save(force_insert=True)
    return event


# One key for the whole trail: every writer of an audit record waits here in turn, so each
# record links to the one committed before it.
AUDIT_CHAIN_LOCK = 0x41_55_44_54  # "AUDT"


def _chain_tail() -> str:
    """The newest record's hash, read under the chain's lock. On PostgreSQL the lock is a
    transaction-scoped advisory lock (the application's role may not lock audit rows FOR
    UPDATE: that needs UPDATE rights), taken and followed by the read in one function
    (migration 0012). SQLite lets one writer at a time commit, and a writer whose read of
    the tail went stale is refused, not forked."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT aiss_audit_chain_tail(%s)", [AUDIT_CHAIN_LOCK])
            return cursor.fetchone()[0]
    return (AuditEvent.objects.order_by("-id")
            .values_list("record_hash", flat=True).first()) or ""


def _normalised_ip(value: str | None) -> str | None:
    """The address as PostgreSQL's inet gives it back, so that a record's hash is the same
    computed before the insert and after reading it."""
    if not value:
        return None
    try:
        return ipaddress.ip_address(value).compressed
    except ValueError:
        return value


def _canonical_json(value: Any) -> Any:
    # JSONB keeps 1e16 as the integer 10000000000000000: integral floats become integers
    # on both sides of the comparison.
    if isinstance(value, dict):
        return {k: _canonical_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical_json(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _canonical(event) -> bytes:
    """The record's content in one fixed serialisation: sorted keys, no spaces, UTC time to
    the microsecond. Never change it: the hashes already written depend on it."""
    at = event.at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = {
        "at": at,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": _canonical_json(event.before),
        "after": _canonical_json(event.after),
        "ip_address": _normalised_ip(event.ip_address),
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def chain_hash(previous_hash: str, event) -> str:
    """SHA-256 over the previous record's hash and this record's canonical form."""
    return hashlib.sha256(previous_hash.encode("ascii") + b"\n" + _canonical(event)).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def _events_in_order() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=2000)


def audit_chain_verify() -> tuple[int, ChainBreak | None]:
    """Walk the trail in insertion order: each record must name the hash of the one before
    it and hash to its own ``record_hash``. The number of records checked, and the first
    break (None when the chain is whole)."""
    previous, checked = "", 0
    for event in _events_in_order():
        if event.previous_hash != previous:
            return checked, ChainBreak(event.pk, "it does not follow the record before it "
                                                 "(one was removed, inserted or changed)")
        if event.record_hash != chain_hash(previous, event):
            return checked, ChainBreak(event.pk, "its content does not match its hash "
                                                 "(the record was changed)")
        previous = event.record_hash
        checked += 1
    return checked, None


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The named fields of ``obj`` as a JSON-ready dict, for before/after records."""
    return {name: _jsonable(getattr(obj, name)) for name in fields}
