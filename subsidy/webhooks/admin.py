"""Admin pages of webhook endpoints and their delivery log."""

from django.contrib import admin
from django.db import models

from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint


class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "endpoint", "event_type", "status", "attempts",
                    "last_response_code"]
    list_filter = ["status", "event_type"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False


class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["partner", "url", "active", "created_at"]
    list_filter = ["active", "partner"]
    exclude = ["secret"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


admin.site.register(WebhookEndpoint, WebhookEndpointAdmin)


admin.site.register(WebhookDelivery, WebhookDeliveryAdmin)
