"""A partner's webhook settings as changed by its people on the partner pages or by its API
key: the rules of ``subsidy.webhooks.services.delivery`` (the URL guard, event types, the signing
secret, redelivery), checked to be the partner's own and audited.

The API and the partner pages both call these functions, so a change made either way is
checked, recorded and answered the same. The signing secret never enters the audit trail.
"""

from django.db import transaction

from subsidy.platform.audit import audit_record, snapshot
from subsidy.platform.models import PartnerOrganisation
from subsidy.platform.permissions import Action, require
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint
from subsidy.webhooks.services import delivery as webhooks

AUDITED_FIELDS = ["url", "event_types", "active"]


def _require(actor, obj) -> None:
    require(actor, Action.MANAGE_PARTNER_WEBHOOKS, obj)


@transaction.atomic
def partner_webhook_create(*, actor, partner: PartnerOrganisation, url: str,
                           event_types: list[str], active: bool = True) -> WebhookEndpoint:
    """Register an endpoint; its signing secret is on the returned object, to be shown once."""
    _require(actor, partner)
    endpoint = webhooks.webhook_endpoint_create(partner=partner, url=url,
                                                event_types=event_types, active=active)
    audit_record(actor=actor, action="webhook_endpoint.create", obj=endpoint,
                 after=snapshot(endpoint, AUDITED_FIELDS))
    return endpoint


@transaction.atomic
def partner_webhook_update(*, actor, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    _require(actor, endpoint)
    before = snapshot(endpoint, AUDITED_FIELDS)
    endpoint = webhooks.webhook_endpoint_update(endpoint=endpoint, **changes)
    after = snapshot(endpoint, AUDITED_FIELDS)
    if after != before:
        audit_record(actor=actor, action="webhook_endpoint.change", obj=endpoint,
                     before=before, after=after)
    return endpoint


@transaction.atomic
def partner_webhook_rotate_secret(*, actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Replace the signing secret at once; the new one is on the returned object, to be
    shown once. Deliveries signed from now on use it."""
    _require(actor, endpoint)
    endpoint = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint)
    audit_record(actor=actor, action="webhook_endpoint.rotate_secret", obj=endpoint,
                 after={"url": endpoint.url})
    return endpoint


@transaction.atomic
def partner_webhook_delete(*, actor, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint with its delivery log."""
    _require(actor, endpoint)
    audit_record(actor=actor, action="webhook_endpoint.delete", obj=endpoint,
                 before=snapshot(endpoint, AUDITED_FIELDS))
    webhooks.webhook_endpoint_delete(endpoint=endpoint)


@transaction.atomic
def partner_webhook_redeliver(*, actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's event again, as a new delivery with its own log."""
    _require(actor, delivery.endpoint)
    redelivery = webhooks.webhook_delivery_redeliver(delivery=delivery)
    audit_record(actor=actor, action="webhook_delivery.redeliver", obj=redelivery,
                 after={"redelivery_of": delivery.pk, "event_id": str(delivery.event_id),
                        "event_type": delivery.event_type})
    return redelivery


@transaction.atomic
def partner_webhook_ping(*, actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send the endpoint a test event (``ping``)."""
    _require(actor, endpoint)
    delivery = webhooks.webhook_ping(endpoint=endpoint)
    audit_record(actor=actor, action="webhook_endpoint.ping", obj=endpoint,
                 after={"delivery": delivery.pk})
    return delivery
