"""The webhook sweeper, like every scheduled job, may run twice (or race a delivery task
that was only late) without an event reaching the partner twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from subsidy.platform.models import PartnerOrganisation
from subsidy.webhooks.models import WebhookDelivery
from subsidy.webhooks.services import delivery as webhooks
from tests.builders.webhooks import EVENT, Receiver, make_endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    settings.WEBHOOKS_ALLOW_INSECURE = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True


def test_sweeper_run_twice_delivers_an_overdue_event_once(monkeypatch):
    partner = PartnerOrganisation.objects.create(name="HKU iDendron",
                                                 contact_email="api@idendron.example.hk")
    enqueued = []
    monkeypatch.setattr(webhooks, "_enqueue", enqueued.append)
    with Receiver([200]) as receiver:
        endpoint = make_endpoint(partner, url=receiver.url)
        overdue = WebhookDelivery.objects.create(
            endpoint=endpoint, event_id="1" * 32, event_type=EVENT, payload={"id": "x"},
            next_attempt_at=timezone.now() - timedelta(hours=1))

        assert webhooks.webhook_deliveries_sweep() == 1
        assert webhooks.webhook_deliveries_sweep() == 1
        outcomes = [webhooks.webhook_delivery_attempt(delivery_id=pk).outcome
                    for pk in enqueued]

    assert enqueued == [overdue.pk, overdue.pk]
    assert outcomes == ["delivered", "already-delivered"]
    assert len(receiver.requests) == 1
    assert webhooks.webhook_deliveries_sweep() == 0
