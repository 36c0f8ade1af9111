"""API keys: issued by administrators, shown once, stored as a SHA-256 digest.

A key reads ``aiss_<prefix>_<secret>``. The prefix is stored in clear to find the key and to
let people tell keys apart; the secret is 256 bits from ``secrets``, so a fast hash is
enough (no password stretching is needed for a value nobody can guess).

The AI Supercomputing Centre's key comes with a signing secret (``aiscsig_...``), shown once
with the key, with which the Centre signs each request (``subsidy.platform.signing``).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.api.models import AISC_SCOPES, API_SCOPES, PARTNER_SCOPES, STAFF_SCOPES, ApiKey
from subsidy.platform.audit import audit_record, snapshot
from subsidy.platform.errors import DomainError
from subsidy.platform.models import PartnerOrganisation, User
from subsidy.platform.permissions import Action, require

KEY_PREFIX = "aiss"
SCOPE_CODES = frozenset(code for code, _label in API_SCOPES)
# ``last_used_at`` is refreshed at most this often, so reading the API does not write a row
# on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyRefused(Exception):
    """The presented key cannot be used; ``reason`` is missing, unknown, revoked or expired."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    plaintext: str
    signing_secret: str = ""  # the Centre's key only


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


SCOPES_BY_KIND = {ApiKey.Kind.PARTNER: PARTNER_SCOPES, ApiKey.Kind.STAFF: STAFF_SCOPES,
                  ApiKey.Kind.AISC: AISC_SCOPES}


def api_key_scopes_problem(scopes, *, kind: str) -> str | None:
    """Why a key of ``kind`` with ``scopes`` cannot be issued, or ``None``: at least one
    scope, all known, and only those that can ever work for the holder (a partner key never
    reads finance reports; a staff key has no organisations, applications or webhooks; the
    Centre's key sends usage statements and nothing else, and no other key sends them)."""
    if not scopes:
        return _("Choose at least one scope.")
    unknown = sorted(set(scopes) - SCOPE_CODES)
    if unknown:
        return _("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)}
    useless = sorted(set(scopes) - SCOPES_BY_KIND[kind])
    if useless:
        message = {
            ApiKey.Kind.PARTNER: _("A partner organisation's key cannot use: %(scopes)s."),
            ApiKey.Kind.STAFF: _("A staff user's key cannot use: %(scopes)s."),
            ApiKey.Kind.AISC: _("The AI Supercomputing Centre's key cannot use: %(scopes)s."),
        }[kind]
        return message % {"scopes": ", ".join(useless)}
    return None


def _validate_scopes(scopes, *, kind: str) -> list[str]:
    problem = api_key_scopes_problem(scopes, kind=kind)
    if problem:
        raise DomainError(problem, field="scopes")
    return sorted(set(scopes))


def api_key_create(
    *,
    actor: User,
    name: str,
    scopes: list[str],
    partner: PartnerOrganisation | None = None,
    user: User | None = None,
    aisc: bool = False,
    expires_at: datetime | None = None,
) -> IssuedApiKey:
    """Issue a key to a partner organisation, to a staff user or to the AI Supercomputing
    Centre (exactly one of them); the Centre's key comes with a fresh signing secret.

    Only administrators issue keys. The plaintext (and the signing secret) are returned
    here and nowhere else."""
    require(actor, Action.MANAGE_API_KEYS)
    if [partner is not None, user is not None, aisc].count(True) != 1:
        raise DomainError(_("A key belongs to either a partner organisation, a staff user or "
                            "the AI Supercomputing Centre."), field="partner")
    if user is not None and not user.is_staff_role:
        raise DomainError(_("Keys for people are only issued to staff users."), field="user")
    if partner is not None and not partner.active:
        raise DomainError(_("This partner organisation is inactive."), field="partner")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(_("The expiry must be in the future."), field="expires_at")
    kind = (ApiKey.Kind.PARTNER if partner is not None
            else ApiKey.Kind.STAFF if user is not None else ApiKey.Kind.AISC)
    scopes = _validate_scopes(scopes, kind=kind)
    signing_secret = f"aiscsig_{secrets.token_urlsafe(32)}" if aisc else ""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the key a name."), field="name")

    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    partner=partner, user=user, name=name, prefix=prefix,
                    hashed_key=_digest(secret), scopes=scopes, created_by=actor,
                    expires_at=expires_at, signing_secret=signing_secret,
                )
                # The signing secret, like the key, never enters the audit trail.
                audit_record(actor=actor, action="api_key.create", obj=api_key,
                             after={"name": name, "prefix": prefix, "scopes": scopes,
                                    "kind": kind, "partner": partner, "user": user,
                                    "expires_at": expires_at})
        except IntegrityError:
            continue  # a prefix collision: draw again
        return IssuedApiKey(api_key=api_key, plaintext=f"{KEY_PREFIX}_{prefix}_{secret}",
                            signing_secret=signing_secret)
    raise DomainError(_("Could not issue a key; try again."))


def api_key_revoke(*, actor: User, api_key: ApiKey) -> ApiKey:
    """Revoke a key at once; a revoked key is refused from the next request on."""
    require(actor, Action.MANAGE_API_KEYS)
    with transaction.atomic():
        api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if api_key.revoked_at is not None:
            raise DomainError(_("This key is already revoked."), code="already_revoked")
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_key.revoke", obj=api_key,
                     before={"revoked_at": None}, after={"revoked_at": api_key.revoked_at})
    return api_key


PARTNER_FIELDS = ["name", "contact_email", "active"]


def partner_organisation_save(*, actor: User,
                              partner: PartnerOrganisation) -> PartnerOrganisation:
    """Create or change a partner organisation (administrators only), audited. Deactivating
    a partner refuses its keys and stops its webhooks at once."""
    require(actor, Action.MANAGE_API_KEYS)
    with transaction.atomic():
        creating = partner.pk is None
        before = None
        if not creating:
            previous = PartnerOrganisation.objects.select_for_update().get(pk=partner.pk)
            before = snapshot(previous, PARTNER_FIELDS)
        partner.save()
        after = snapshot(partner, PARTNER_FIELDS)
        if creating or before != after:
            audit_record(actor=actor,
                         action="partner.create" if creating else "partner.change",
                         obj=partner, before=before, after=after)
    return partner


def _parse(token: str) -> tuple[str, str] | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def api_key_authenticate(token: str | None) -> ApiKey:
    """The usable key for ``token``, or ``ApiKeyRefused`` saying why not.

    A key is usable when it exists, its secret matches (compared in constant time), it is
    not revoked, not expired, and its holder is still active (a partner organisation, or a
    user who still holds a staff role)."""
    if not token:
        raise ApiKeyRefused("missing")
    parsed = _parse(token)
    if parsed is None:
        raise ApiKeyRefused("unknown")
    prefix, secret = parsed
    api_key = (ApiKey.objects.select_related("partner", "user")
               .filter(prefix=prefix).first())
    if api_key is None or not hmac.compare_digest(api_key.hashed_key, _digest(secret)):
        raise ApiKeyRefused("unknown")
    now = timezone.now()
    if api_key.revoked_at is not None:
        raise ApiKeyRefused("revoked")
    if api_key.partner_id:
        holder_active = api_key.partner.active
    elif not api_key.user_id:
        holder_active = True  # the Centre's key: revoked or expired, like any other
    else:
        # A person's key lasts only while they are active and still hold a staff role.
        holder_active = api_key.user.is_active and api_key.user.is_staff_role
    if not holder_active:
        raise ApiKeyRefused("revoked")
    if api_key.expires_at is not None and api_key.expires_at <= now:
        raise ApiKeyRefused("expired")
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
