"""Admin pages of webhook endpoints and their delivery log, read-only.

A partner's people and API key change its endpoints through
``subsidy.webhooks.services.partner`` (checked to be the partner's own, audited, the secret
shown once); failed deliveries are sent again from the staff page of messages not
delivered. The admin only shows them.
"""

from django.contrib import admin
from django.db import models

from subsidy.platform.admin import ReadOnlyAdmin
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint


class WebhookDeliveryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "endpoint", "event_type", "status", "attempts",
                    "last_response_code"]
    list_filter = ["status", "event_type"]


class WebhookEndpointAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["partner", "url", "active", "created_at"]
    list_filter = ["active", "partner"]
    exclude = ["secret"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


admin.site.register(WebhookEndpoint, WebhookEndpointAdmin)


admin.site.register(WebhookDelivery, WebhookDeliveryAdmin)
