"""Admin pages of the notification outbox, read-only: notifications are written by
``subsidy.notifications.services.outbox`` and sent again from the staff page of messages not
delivered, which audits it."""

from django.contrib import admin

from subsidy.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "to_email", "language", "status", "attempts"]
    list_filter = ["status", "event", "language"]
    search_fields = ["to_email", "event"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
