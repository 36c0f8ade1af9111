"""REST API v1: a partner's webhook endpoints, their secrets and their delivery log."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response

from subsidy.api.auth import PartnerClient
from subsidy.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IdempotentWritesMixin
from subsidy.api.query import DeclaredQueryParameters
from subsidy.webhooks.api.serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointSerializer,
)
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint
from subsidy.webhooks.services import partner as partner_webhooks

WEBHOOKS_MANAGE = ["webhooks:manage"]


class PartnerWebhookMixin(DeclaredQueryParameters):
    """Webhook endpoints belong to partner organisations; a key sees only its partner's
    endpoints, and any other identifier is 404."""

    required_scopes = WEBHOOKS_MANAGE

    def partner(self):
        client = self.request.user
        if not isinstance(client, PartnerClient):
            raise exceptions.PermissionDenied(
                _("Webhooks are managed with a partner organisation's key."),
                code="partner_key_required")
        return client.partner

    def endpoint(self) -> WebhookEndpoint:
        return get_object_or_404(WebhookEndpoint, pk=self.kwargs["endpoint_id"],
                                 partner=self.partner())


@extend_schema(tags=["webhooks"])
class WebhookEndpointList(IdempotentWritesMixin, PartnerWebhookMixin, generics.ListAPIView):
    """The partner's webhook endpoints; POST registers one and returns its signing secret
    (shown only then)."""

    serializer_class = WebhookEndpointSerializer

    def get_queryset(self):
        return WebhookEndpoint.objects.filter(partner=self.partner())

    @extend_schema(request=WebhookEndpointInputSerializer,
                   responses={201: WebhookEndpointCreatedSerializer},
                   parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def post(self, request):
        data = WebhookEndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = partner_webhooks.partner_webhook_create(
            actor=request.user, partner=self.partner(), **data.validated_data)
        return Response(WebhookEndpointCreatedSerializer(endpoint).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=["webhooks"])
class WebhookEndpointDetail(IdempotentWritesMixin, PartnerWebhookMixin, generics.GenericAPIView):
    """One of the partner's webhook endpoints: read, change (a new URL is checked again) or
    delete."""

    serializer_class = WebhookEndpointSerializer

    def get(self, request, endpoint_id):
        return Response(WebhookEndpointSerializer(self.endpoint()).data)

    @extend_schema(request=WebhookEndpointInputSerializer(partial=True),
                   parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def patch(self, request, endpoint_id):
        endpoint = self.endpoint()
        data = WebhookEndpointInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        endpoint = partner_webhooks.partner_webhook_update(actor=request.user,
                                                           endpoint=endpoint,
                                                           **data.validated_data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def delete(self, request, endpoint_id):
        partner_webhooks.partner_webhook_delete(actor=request.user, endpoint=self.endpoint())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["webhooks"])
class WebhookRotateSecret(IdempotentWritesMixin, PartnerWebhookMixin, generics.GenericAPIView):
    """Replace the endpoint's signing secret at once. The answer carries the new secret, shown
    only then; every delivery signed from now on uses it."""

    serializer_class = WebhookEndpointCreatedSerializer

    @extend_schema(request=None, responses={200: WebhookEndpointCreatedSerializer},
                   parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def post(self, request, endpoint_id):
        endpoint = partner_webhooks.partner_webhook_rotate_secret(actor=request.user,
                                                                  endpoint=self.endpoint())
        return Response(WebhookEndpointCreatedSerializer(endpoint).data)


@extend_schema(tags=["webhooks"])
class WebhookDeliveryList(PartnerWebhookMixin, generics.ListAPIView):
    """The delivery log of one endpoint, newest first."""

    serializer_class = WebhookDeliverySerializer

    def get_queryset(self):
        return WebhookDelivery.objects.filter(endpoint=self.endpoint())


@extend_schema(tags=["webhooks"])
class WebhookRedeliver(IdempotentWritesMixin, PartnerWebhookMixin, generics.GenericAPIView):
    """Send a delivery's event again, as a new delivery."""

    serializer_class = WebhookDeliverySerializer

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer},
                   parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def post(self, request, endpoint_id, delivery_id):
        delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"),
                                     pk=delivery_id, endpoint=self.endpoint())
        redelivery = partner_webhooks.partner_webhook_redeliver(actor=request.user,
                                                                delivery=delivery)
        return Response(WebhookDeliverySerializer(redelivery).data,
                        status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["webhooks"])
class WebhookPing(IdempotentWritesMixin, PartnerWebhookMixin, generics.GenericAPIView):
    """Send the endpoint a signed test event of type ``ping`` (whatever event types it
    takes), to check the receiver and its signature code; it is in the delivery log."""

    serializer_class = WebhookDeliverySerializer

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer},
                   parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def post(self, request, endpoint_id):
        delivery = partner_webhooks.partner_webhook_ping(actor=request.user,
                                                         endpoint=self.endpoint())
        return Response(WebhookDeliverySerializer(delivery).data,
                        status=status.HTTP_202_ACCEPTED)
