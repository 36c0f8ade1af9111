"""Partner webhooks: endpoint registration, signed delivery with retries, redelivery.

Rules enforced here:

* server-side request forgery guard: an endpoint URL must be https (unless
  ``WEBHOOKS_ALLOW_INSECURE``), carry no credentials, and every address its host resolves to
  must be a public unicast address (unless ``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES``). The check
  runs at registration and again at each delivery, and the connection goes to the address
  that was checked, so a DNS answer that changes in between cannot redirect it. Redirects
  are never followed;
* each request carries ``X-AISS-Timestamp`` and ``X-AISS-Signature: t=<ts>,v1=<hex>``, the
  HMAC-SHA256 of ``"<ts>.<body>"`` with the endpoint's secret, so receivers can check the
  sender and reject replays;
* a failed attempt is retried with exponential backoff up to ``rules.MAX_ATTEMPTS``; every
  attempt updates the delivery log (status, attempts, last response code and error).
"""

import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.platform import signing
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.models import PartnerOrganisation
from subsidy.platform.permissions import Action, require
from subsidy.platform.queue import task_enqueue
from subsidy.webhooks import rules
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEventType

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = signing.SIGNATURE_HEADER
TIMESTAMP_HEADER = signing.TIMESTAMP_HEADER
USER_AGENT = "AISS-Webhooks/1"
ENDPOINT_FIELDS = ("url", "event_types", "active")


class UnsafeWebhookUrl(DomainError):
    """The URL points somewhere the service must not send requests to."""

    def __init__(self, message):
        super().__init__(message, code="unsafe_url", field="url")


# --- Server-side request forgery guard -----------------------------------------------------

NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
NAT64_LOCAL_PREFIX = ipaddress.IPv6Network("64:ff9b:1::/48")
TEREDO_PREFIX = ipaddress.IPv6Network("2001::/32")


def _address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A public unicast address, including every IPv4 address an IPv6 form embeds:
    IPv4-mapped (``::ffff:127.0.0.1``), NAT64 (``64:ff9b::7f00:1``) and 6to4
    (``2002:7f00:1::``) reach the IPv4 address inside them, so that one must be public too.
    Teredo tunnels (``2001::/32``) and local-use NAT64 are refused outright."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in TEREDO_PREFIX or address in NAT64_LOCAL_PREFIX:
            return False
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return _address_allowed(embedded)
    return address.is_global and not address.is_multicast


def _port_allowed(port: int) -> bool:
    """443, or a port the deployment allows (``WEBHOOKS_ALLOWED_PORTS``); any port for the
    local receivers of a trial (``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES``)."""
    return (port == 443 or port in settings.WEBHOOKS_ALLOWED_PORTS
            or settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES)


def webhook_url_resolve(url: str) -> tuple[str, int, str]:
    """Check ``url`` against the guard and return ``(host, port, address)``: the address to
    connect to. Raises ``UnsafeWebhookUrl`` with the reason."""
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if settings.WEBHOOKS_ALLOW_INSECURE else {"https"}
    if parts.scheme not in allowed_schemes:
        raise UnsafeWebhookUrl(_("Webhook URLs must use https."))
    if parts.username or parts.password:
        raise UnsafeWebhookUrl(_("Webhook URLs must not contain a user name or password."))
    host = parts.hostname
    if not host:
        raise UnsafeWebhookUrl(_("The webhook URL has no host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeWebhookUrl(_("The webhook URL has an invalid port.")) from exc
    if not _port_allowed(port):
        raise UnsafeWebhookUrl(_("Webhook URLs must use port 443 (the https default)."))
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeWebhookUrl(_("The webhook host could not be resolved.")) from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses:
        raise UnsafeWebhookUrl(_("The webhook host could not be resolved."))
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES and not all(map(_address_allowed,
                                                                      addresses)):
        raise UnsafeWebhookUrl(
            _("Webhook URLs must not point to private, loopback, link-local or reserved "
              "addresses."))
    return host, port, str(addresses[0])


# --- Endpoints -----------------------------------------------------------------------------

def _validate_event_types(event_types) -> list[str]:
    if not isinstance(event_types, list | tuple) or not event_types:
        raise DomainError(_("Choose at least one event type."), field="event_types")
    unknown = sorted(set(event_types) - set(WebhookEventType.values))
    if unknown:
        raise DomainError(_("Unknown event types: %(types)s.") % {"types": ", ".join(unknown)},
                          field="event_types")
    return sorted(set(event_types))


def webhook_endpoint_create(*, partner: PartnerOrganisation, url: str,
                            event_types: list[str], active: bool = True) -> WebhookEndpoint:
    """Register an endpoint for the partner with a fresh signing secret."""
    webhook_url_resolve(url)
    return WebhookEndpoint.objects.create(
        partner=partner, url=url, event_types=_validate_event_types(event_types),
        active=active, secret=f"whsec_{secrets.token_urlsafe(32)}",
    )


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    """Change the URL, event types or active flag; a new URL passes the guard again."""
    unknown = set(changes) - set(ENDPOINT_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if "url" in changes:
        webhook_url_resolve(changes["url"])
    if "event_types" in changes:
        changes["event_types"] = _validate_event_types(changes["event_types"])
    for name, value in changes.items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=[*changes, "updated_at"])
    return endpoint


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.secret = f"whsec_{secrets.token_urlsafe(32)}"
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


# --- Signing and sending -------------------------------------------------------------------

def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-AISS-Signature`` value (``subsidy.platform.signing``, which the Centre's
    signed API requests share)."""
    return signing.signature(secret=secret, timestamp=timestamp, body=body)


def webhook_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address the guard approved, not to a fresh DNS answer."""

    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post(url: str, body: bytes, headers: dict) -> int:
    host, port, address = webhook_url_resolve(url)
    parts = urlsplit(url)
    timeout = rules.TIMEOUT_SECONDS
    if parts.scheme == "https":
        connection = _PinnedHTTPSConnection(host, port, address=address, timeout=timeout,
                                            context=ssl.create_default_context())
    else:
        connection = _PinnedHTTPConnection(host, port, address=address, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()


def webhook_retry_delay(attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failure: base x 2^(attempts-1), capped."""
    delay = rules.RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return min(delay, rules.RETRY_MAX_SECONDS)


@dataclass(frozen=True)
class AttemptResult:
    outcome: str
    retry_in: int | None = None


DELIVER_TASK = "subsidy.tasks.deliver_webhook"


def _enqueue(delivery_id: int) -> None:
    try:
        task_enqueue(DELIVER_TASK, delivery_id)
    except Exception:  # noqa: BLE001 - a broker outage leaves the delivery to the sweeper
        logger.warning("Broker unavailable; webhook delivery %s left for the sweeper",
                       delivery_id, exc_info=True)


def webhook_time(value):
    """A time in a webhook payload as the rest of the API writes it: ISO 8601 in Hong Kong
    time (``+08:00``); ``None`` stays ``None``."""
    return timezone.localtime(value).isoformat() if value is not None else None


def webhook_event_publish(*, partner: PartnerOrganisation, event_type: str,
                          data: dict) -> list[WebhookDelivery]:
    """Queue ``event_type`` with ``data`` for every active endpoint of the partner that
    subscribed to it. Call it inside the transaction of the change: deliveries are sent
    only once it commits."""
    if event_type not in WebhookEventType.values:
        raise ValueError(f"Unknown webhook event type {event_type!r}")
    if not partner.active:
        return []
    now = timezone.now()
    event_id = uuid.uuid4()
    payload = {"id": str(event_id), "type": event_type, "created_at": webhook_time(now),
               "data": data}
    endpoints = [endpoint for endpoint in partner.webhook_endpoints.filter(active=True)
                 if event_type in endpoint.event_types]
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event_id=event_id, event_type=event_type,
                        payload=payload, next_attempt_at=now)
        for endpoint in endpoints
    )
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: _enqueue(pk))
    return deliveries


def webhook_delivery_attempt(*, delivery_id: int) -> AttemptResult:
    """Send one pending delivery once and log the outcome.

    The row is locked while it is sent, so a duplicate task for the same delivery skips it.
    Returns ``retry_in`` seconds when another attempt should follow."""
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("endpoint__partner").filter(pk=delivery_id).first())
        if delivery is None:
            return AttemptResult("locked-or-missing")
        if delivery.status != WebhookDelivery.Status.PENDING:
            return AttemptResult(f"already-{delivery.status}")
        endpoint = delivery.endpoint
        now = timezone.now()
        if not endpoint.active or not endpoint.partner.active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.last_error = "Endpoint disabled"
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
            return AttemptResult("failed")
        body = webhook_body(delivery.payload)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-AISS-Event": delivery.event_type,
            "X-AISS-Delivery": str(delivery.pk),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: webhook_signature(secret=endpoint.secret, timestamp=timestamp,
                                                body=body),
        }
        delivery.attempts += 1
        delivery.last_attempt_at = now
        status_code, error = None, ""
        try:
            status_code = _post(endpoint.url, body, headers)
        except UnsafeWebhookUrl as exc:
            error = str(exc.message)
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        delivery.last_response_code = status_code
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
            delivery.next_attempt_at = None
            result = AttemptResult("delivered")
        else:
            delivery.last_error = (error or f"HTTP {status_code}")[:2000]
            if delivery.attempts >= rules.MAX_ATTEMPTS:
                delivery.status = WebhookDelivery.Status.FAILED
                delivery.next_attempt_at = None
                result = AttemptResult("failed")
            else:
                delay = webhook_retry_delay(delivery.attempts)
                delivery.next_attempt_at = now + timedelta(seconds=delay)
                result = AttemptResult("retry", retry_in=delay)
        delivery.save(update_fields=["status", "attempts", "last_attempt_at",
                                     "last_response_code", "last_error", "next_attempt_at",
                                     "delivered_at"])
    return result


PING_EVENT = "ping"


def webhook_ping(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A test event (type ``ping``) for ``endpoint`` alone, signed and delivered like any
    other, whatever event types it takes; it appears in the delivery log."""
    if not endpoint.active:
        raise DomainError(_("This webhook endpoint is disabled; enable it first."),
                          code="endpoint_disabled")
    now = timezone.now()
    event_id = uuid.uuid4()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=event_id, event_type=PING_EVENT, next_attempt_at=now,
        payload={"id": str(event_id), "type": PING_EVENT, "created_at": webhook_time(now),
                 "data": {"endpoint": endpoint.pk}})
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery


def webhook_delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event (same ``id``, same payload) to the endpoint again, as a new
    delivery with its own log."""
    if not delivery.endpoint.active:
        raise DomainError(_("This webhook endpoint is disabled; enable it first."),
                          code="endpoint_disabled")
    redelivery = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint, event_id=delivery.event_id,
        event_type=delivery.event_type, payload=delivery.payload,
        redelivery_of=delivery, next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue(redelivery.pk))
    return redelivery


def webhook_delivery_resend(*, actor, delivery_id: int) -> WebhookDelivery:
    """An administrator sends a failed delivery's event again (``webhook_delivery_redeliver``),
    audited. Only a failed delivery that has no redelivery pending or delivered yet may be
    re-sent, so a double click does not send the event twice."""
    require(actor, Action.MANAGE_USERS)
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(of=("self",))
                    .select_related("endpoint").get(pk=delivery_id))
        if (delivery.status != WebhookDelivery.Status.FAILED
                or delivery.redeliveries.exclude(status=WebhookDelivery.Status.FAILED).exists()):
            raise DomainError(_("Only a failed webhook delivery that has not been sent again "
                                "can be re-sent."), code="not_resendable")
        redelivery = webhook_delivery_redeliver(delivery=delivery)
        audit_record(actor=actor, action="webhook_delivery.resend", obj=delivery,
                     before={"status": delivery.status, "attempts": delivery.attempts},
                     after={"redelivery": redelivery.pk})
    return redelivery


def webhook_deliveries_sweep() -> int:
    """Enqueue pending deliveries whose attempt is overdue (their task was lost, e.g. while
    the broker was down). Returns how many were enqueued."""
    overdue = timezone.now() - timedelta(seconds=settings.WEBHOOK_SWEEP_GRACE_SECONDS)
    ids = list(WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING,
                                              next_attempt_at__lte=overdue)
               .values_list("pk", flat=True)[:500])
    for pk in ids:
        _enqueue(pk)
    return len(ids)
