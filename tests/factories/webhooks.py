"""Factories for partners' webhook endpoints and their deliveries."""

import uuid

import factory

from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEventType

from .platform import PartnerOrganisationFactory


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    partner = factory.SubFactory(PartnerOrganisationFactory)
    url = factory.Sequence(lambda n: f"https://hooks{n}.partner.example.hk/aiss")
    secret = factory.Sequence(lambda n: f"whsec_{n:032d}")
    event_types = factory.LazyFunction(lambda: [WebhookEventType.APPLICATION_SUBMITTED])


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event_id = factory.LazyFunction(uuid.uuid4)
    event_type = WebhookEventType.APPLICATION_SUBMITTED
    payload = factory.LazyFunction(lambda: {"type": "application.submitted", "data": {}})
