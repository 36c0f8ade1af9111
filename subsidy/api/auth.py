"""Who is calling the API and what the key allows: bearer-key authentication, scope checks
and the per-key throttle."""

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from subsidy.api.models import ApiKey
from subsidy.api.services.keys import ApiKeyRefused, api_key_authenticate
from subsidy.platform import signing
from subsidy.platform.models import PartnerOrganisation
from subsidy.platform.roles import Role

REFUSALS = {
    "missing": (gettext_lazy("Send an API key in the header 'Authorization: Bearer <key>'."),
                "missing_key"),
    "unknown": (gettext_lazy("The API key is not valid."), "unknown_key"),
    "revoked": (gettext_lazy("The API key has been revoked."), "revoked_key"),
    "expired": (gettext_lazy("The API key has expired."), "expired_key"),
}


@dataclass(eq=False)
class KeyClient:
    """``request.user`` for a key that no person holds: not a person, but it answers the
    questions ``subsidy.platform.permissions`` asks (authenticated, active, roles)."""

    api_key: ApiKey
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def has_role(self, role: str) -> bool:
        return role in self.roles


@dataclass(eq=False)
class PartnerClient(KeyClient):
    """A partner organisation's key: the partner role, for that partner."""

    partner: PartnerOrganisation
    roles: frozenset = field(default=frozenset({Role.PARTNER}))

    def __str__(self):
        return f"{self.partner} ({self.api_key.prefix})"


@dataclass(eq=False)
class AiscClient(KeyClient):
    """The AI Supercomputing Centre's key: no role; its key's scope lets it send usage
    statements and nothing else."""

    roles: frozenset = field(default=frozenset())

    @property
    def audit_label(self) -> str:
        """How the audit trail names the Centre's requests."""
        return f"aisc (key {self.api_key.prefix})"

    def __str__(self):
        return self.audit_label


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer aiss_<prefix>_<secret>``. No header: anonymous (the
    permission check then answers 401 "missing"); a bad key: 401 with the reason."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        token = token.strip()
        try:
            api_key = api_key_authenticate(token)
        except ApiKeyRefused as refusal:
            message, code = REFUSALS[refusal.reason]
            raise exceptions.AuthenticationFailed(message, code=code) from None
        if api_key.partner_id:
            return PartnerClient(partner=api_key.partner, api_key=api_key), api_key
        if api_key.kind == ApiKey.Kind.AISC:
            return AiscClient(api_key=api_key), api_key
        return api_key.user, api_key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class HasRequiredScopes(BasePermission):
    """The view's ``required_scopes``: a list for every method, or a dict from HTTP method
    to list. A view that declares nothing is closed."""

    def has_permission(self, request, view):
        if not isinstance(request.auth, ApiKey):
            message, code = REFUSALS["missing"]
            raise exceptions.NotAuthenticated(message, code=code)
        required = getattr(view, "required_scopes", None)
        if isinstance(required, dict):
            required = required.get(request.method, required.get("*"))
        if required is None:
            raise ImproperlyConfigured(f"{type(view).__name__} declares no required_scopes")
        missing = sorted(set(required) - set(request.auth.scopes))
        if missing:
            raise exceptions.PermissionDenied(
                _("This API key lacks the scope: %(scopes)s.") % {"scopes": ", ".join(missing)},
                code="insufficient_scope",
            )
        return True


SIGNATURE_REFUSALS = {
    "missing": (gettext_lazy("Sign the request: send the header 'X-AISS-Signature: "
                             "t=<unix time>,v1=<HMAC-SHA256 of \"<t>.<body>\">' made with "
                             "your signing secret."), "missing_signature"),
    "malformed": (gettext_lazy("The X-AISS-Signature header must read "
                               "'t=<unix time>,v1=<hex digest>'."), "bad_signature"),
    "stale": (gettext_lazy("The signature's time is more than 5 minutes from now; sign the "
                           "request again (and check your clock)."), "stale_signature"),
    "mismatch": (gettext_lazy("The signature does not match the request's body."),
                 "bad_signature"),
}


class AiscKeyOnly(BasePermission):
    """Only the AI Supercomputing Centre's key, and each request signed with its signing
    secret exactly as the scheme signs its webhooks (``subsidy.platform.signing``): the
    HMAC of ``"<t>.<raw body>"``. Any other key gets 403; a missing, stale or wrong
    signature 401."""

    def has_permission(self, request, view):
        api_key = request.auth
        if not isinstance(api_key, ApiKey) or api_key.kind != ApiKey.Kind.AISC:
            raise exceptions.PermissionDenied(
                _("Usage statements are sent with the AI Supercomputing Centre's key."),
                code="aisc_key_required")
        problem = signing.signature_problem(
            secret=api_key.signing_secret, body=request.body,
            header=request.headers.get(signing.SIGNATURE_HEADER))
        if problem:
            message, code = SIGNATURE_REFUSALS[problem]
            raise exceptions.AuthenticationFailed(message, code=code)
        return True


RATE_LIMIT_STATE = "_api_rate_limit"


def rate_limit_headers(request) -> dict[str, str]:
    """The IETF draft's ``RateLimit-*`` headers for the tightest limit this request was
    counted against (none when it was not counted)."""
    state = getattr(request, RATE_LIMIT_STATE, None)
    if state is None:
        return {}
    limit, remaining, reset = state
    return {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(reset)}


class _CountedRateThrottle(SimpleRateThrottle):
    """A throttle whose rate is read per request (a changed setting applies at once) and
    which leaves its position on the request, for the ``RateLimit-*`` headers: the limit
    with the fewest requests remaining wins."""

    setting = ""

    def get_rate(self):
        return getattr(settings, self.setting)

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        allowed = super().allow_request(request, view)
        if self.key is not None:
            self._record(request)
        return allowed

    def _record(self, request):
        remaining = max(0, self.num_requests - len(self.history))
        oldest = self.history[-1] if self.history else self.now
        reset = max(1, math.ceil(self.duration - (self.now - oldest)))
        # The plain Django request, which the response's middleware sees as well.
        plain = getattr(request, "_request", request)
        previous = getattr(plain, RATE_LIMIT_STATE, None)
        if previous is None or remaining < previous[1]:
            setattr(plain, RATE_LIMIT_STATE, (self.num_requests, remaining, reset))


class ApiKeyRateThrottle(_CountedRateThrottle):
    """``API_THROTTLE_RATE`` requests per key (per client address before authentication),
    counted in the default cache, which is Redis when one is configured."""

    scope = "api_key"
    setting = "API_THROTTLE_RATE"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            ident = f"key-{request.auth.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PartnerRateThrottle(_CountedRateThrottle):
    """``API_PARTNER_THROTTLE_RATE`` requests per partner organisation, all its keys
    together: a partner cannot multiply its share by holding more keys."""

    scope = "api_partner"
    setting = "API_PARTNER_THROTTLE_RATE"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey) and request.auth.partner_id is not None:
            return self.cache_format % {"scope": self.scope,
                                        "ident": f"partner-{request.auth.partner_id}"}
        return None


class RateLimitHeadersMiddleware:
    """Adds the ``RateLimit-*`` headers to every API answer whose request was counted,
    refusals (429) included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in rate_limit_headers(request).items():
            response[name] = value
        return response


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "subsidy.api.auth.ApiKeyAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "aiss_<prefix>_<secret>",
                "description": "An API key issued by a scheme administrator."}
