"""The one way to write the audit trail."""

import contextvars
from decimal import Decimal
from typing import Any

from django.db import models

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
    <prefix>)`` for a partner's API client, or ``system``."""
    user = actor_user(actor)
    if user is not None:
        return user.email
    partner, api_key = getattr(actor, "partner", None), getattr(actor, "api_key", None)
    if partner is not None and api_key is not None:
        return f"partner:{partner.name} (key {api_key.prefix})"[:254]
    return "system"


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
    transaction of the change it records, so both commit or neither does."""
    return AuditEvent.objects.create(
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip_address=ip_address or current_ip.get(),
    )


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The named fields of ``obj`` as a JSON-ready dict, for before/after records."""
    return {name: _jsonable(getattr(obj, name)) for name in fields}
