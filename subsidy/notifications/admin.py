"""Admin pages of the notification outbox, read-only: notifications are written by
``subsidy.notifications.services.outbox`` and sent again from the staff page of messages not
delivered, which audits it."""

from django.contrib import admin

from subsidy.notifications.models import Notification
from subsidy.platform.admin import ReadOnlyAdmin


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "event", "to_email", "language", "status", "attempts"]
    list_filter = ["status", "event", "language"]
    search_fields = ["to_email", "event"]
