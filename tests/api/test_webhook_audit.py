"""Webhook writes through the API are audited as the partner's key, the same as the ones
made on the partner pages; the signing secret never enters the audit trail."""

import uuid

import pytest

from subsidy.api.models import ApiKey
from subsidy.platform.models import AuditEvent
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.216.34/hooks"


def label(partner):
    return f"partner:{partner.name} (key {ApiKey.objects.get(partner=partner).prefix})"


def test_create_change_and_delete_are_audited_as_the_key(partner, partner_client):
    created = partner_client.post("/api/v1/webhooks/", {
        "url": PUBLIC_URL, "event_types": ["application.submitted"]}, format="json").json()
    partner_client.patch(f"/api/v1/webhooks/{created['id']}/", {"active": False},
                         format="json")
    partner_client.delete(f"/api/v1/webhooks/{created['id']}/")

    events = list(AuditEvent.objects.filter(action__startswith="webhook").order_by("id"))
    assert [e.action for e in events] == ["webhook_endpoint.create", "webhook_endpoint.change",
                                          "webhook_endpoint.delete"]
    assert {e.actor_label for e in events} == {label(partner)}
    assert events[0].after == {"url": PUBLIC_URL, "event_types": ["application.submitted"],
                               "active": True}
    assert events[1].before["active"] is True and events[1].after["active"] is False
    assert all(created["secret"] not in str(e.before) + str(e.after) for e in events)


def test_redelivery_is_audited_as_the_key(partner, partner_client):
    endpoint = WebhookEndpoint.objects.create(partner=partner, url=PUBLIC_URL, secret="s",
                                              event_types=["application.submitted"])
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=uuid.uuid4(), event_type="application.submitted",
        payload={}, status=WebhookDelivery.Status.FAILED)

    response = partner_client.post(
        f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/")

    assert response.status_code == 202
    event = AuditEvent.objects.get(action="webhook_delivery.redeliver")
    assert event.actor_label == label(partner)
    assert event.object_id == str(response.json()["id"])
    assert event.after["redelivery_of"] == delivery.pk


def test_a_refused_url_records_nothing(partner_client):
    response = partner_client.post("/api/v1/webhooks/", {
        "url": "https://127.0.0.1/hooks", "event_types": ["application.submitted"]},
        format="json")

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action__startswith="webhook").exists()
