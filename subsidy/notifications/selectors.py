"""Read-side queries of notifications: a user's inbox and preferences, and the
administrators' lists of notifications and webhook deliveries that need attention."""

from django.db.models import QuerySet

from subsidy.notifications.events import NotificationEvent, events_for
from subsidy.notifications.models import Notification, NotificationPreference
from subsidy.platform.models import User
from subsidy.webhooks.models import WebhookDelivery


def inbox_for(*, user, limit: int = 20):
    return Notification.objects.filter(recipient=user).order_by("-created_at")[:limit]


ADMIN_ATTENTION = (Notification.Status.FAILED, Notification.Status.UNDELIVERABLE)


def inbox_unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_for_user(*, user) -> QuerySet[Notification]:
    """Every notification of ``user``, newest first (paginate it)."""
    return (Notification.objects.filter(recipient=user)
            .only("id", "event", "subject", "context", "created_at", "read_at", "status")
            .order_by("-created_at", "-id"))


def notifications_needing_attention() -> QuerySet[Notification]:
    """Failed and undeliverable notifications, newest first, with their recipient."""
    return (Notification.objects.filter(status__in=ADMIN_ATTENTION)
            .select_related("recipient").order_by("-created_at", "-id"))


def webhook_deliveries_needing_attention() -> QuerySet[WebhookDelivery]:
    """Webhook deliveries that failed after every retry and were not sent again since (a
    redelivery pending or delivered takes them off the list), newest first."""
    return (WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED)
            .exclude(redeliveries__status__in=[WebhookDelivery.Status.PENDING,
                                               WebhookDelivery.Status.DELIVERED])
            .select_related("endpoint__partner").order_by("-created_at", "-id"))


def preferences_for_user(*, user) -> list[tuple[NotificationEvent, bool]]:
    """Each event that may reach ``user`` with whether it goes to them by email (mandatory
    events always do), in one query."""
    stored = dict(NotificationPreference.objects.filter(user=user)
                  .values_list("event", "email_enabled"))
    return [(event, True if event.mandatory else stored.get(event.code, event.email_default()))
            for event in events_for(user)]


def notification_already_sent(*, recipient: User, event: str, key: str, value: int) -> bool:
    return Notification.objects.filter(recipient=recipient, event=event,
                                       **{f"context__{key}": value}).exists()
