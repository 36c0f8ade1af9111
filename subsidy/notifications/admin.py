"""Admin pages of the notification outbox."""

from django.contrib import admin

from subsidy.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "to_email", "language", "status", "attempts"]
    list_filter = ["status", "event", "language"]
    search_fields = ["to_email", "event"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False
