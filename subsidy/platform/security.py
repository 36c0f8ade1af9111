"""Who is knocking: the client's address behind the trusted proxies, and login throttling
glue for django-axes and allauth."""

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The address of the client that sent ``request``: the one function every throttle
    (axes, allauth) and the audit trail ask.

    ``TRUSTED_PROXY_COUNT`` proxies stand in front of the site (0: clients connect directly).
    Each appends the address it received the request from to ``X-Forwarded-For``, so the
    client is the entry that many places from the right; anything to its left was written by
    the client and may be forged. Without proxies the header is ignored altogether."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if not hops:
        # Reached directly, not through the proxy: the peer is the client.
        return remote
    # Fewer hops than proxies: every hop was written by a trusted proxy; the leftmost is
    # the one that saw the client.
    candidate = hops[-count] if len(hops) >= count else hops[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        logger.warning("Unparseable X-Forwarded-For hop %r; using the peer address", candidate)
        return remote


def axes_username(request, credentials) -> str | None:
    """The email tried, whether it came through allauth's form ("login") or Django's
    ``authenticate(email=...)``, lower-cased so case variations share one counter."""
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("username") or credentials.get(
            "login"
        )
    if not value and request is not None:
        value = request.POST.get("login") or request.POST.get("username")
    return value.strip().lower() if value else None
