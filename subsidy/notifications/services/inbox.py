"""The in-app inbox and notification preferences: what a user changes about their own
notifications."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.notifications.events import event_get
from subsidy.notifications.models import Notification, NotificationPreference
from subsidy.platform.errors import DomainError


def notification_mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of ``user``'s notifications read (once: the first reading time is kept).
    Someone else's notification is ``Notification.DoesNotExist``, as if it did not exist."""
    notification = Notification.objects.get(pk=notification_id, recipient=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of ``user`` read; returns how many were unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now())


def notification_preferences_set(*, user, email_enabled: dict[str, bool]) -> None:
    """Store whether ``user`` wants email for each optional event in ``email_enabled``.
    Mandatory events cannot be switched off: asking to is refused and nothing is stored."""
    events = [event_get(code) for code in email_enabled]
    refused = [event for event in events if event.mandatory and not email_enabled[event.code]]
    if refused:
        raise DomainError(_("“%(event)s” is a required notification and cannot be turned "
                            "off.") % {"event": refused[0].label})
    with transaction.atomic():
        for event in events:
            if event.mandatory:
                continue
            NotificationPreference.objects.update_or_create(
                user=user, event=event.code,
                defaults={"email_enabled": email_enabled[event.code]})
