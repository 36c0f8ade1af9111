"""Input and output shapes of the webhooks API."""

from rest_framework import serializers

from subsidy.api.serializers import KnownFieldsOnly
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEventType


class WebhookEndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "event_types", "active", "created_at", "updated_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """Returned once, on creation: the signing secret is not shown again."""

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookEndpointInputSerializer(KnownFieldsOnly, serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices), allow_empty=False)
    active = serializers.BooleanField(default=True)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["id", "event_id", "event_type", "status", "attempts", "last_response_code",
                  "last_error", "created_at", "last_attempt_at", "next_attempt_at",
                  "delivered_at", "redelivery_of", "payload"]
