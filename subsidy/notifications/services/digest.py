"""The staff daily digest: an opt-in summary of the day's notifications, sent each morning
by celery beat."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation

from subsidy.notifications.events import event_label
from subsidy.notifications.models import Notification
from subsidy.notifications.selectors import inbox_unread_count
from subsidy.notifications.services.outbox import notify
from subsidy.platform.models import User
from subsidy.platform.roles import STAFF_ROLES
from subsidy.platform.selectors import users_with_role

DIGEST_EVENT = "staff_daily_digest"


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    """Midnight to midnight of ``day`` in Hong Kong time."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def digest_recipients():
    """Active staff who turned the digest on."""
    return (users_with_role(*STAFF_ROLES)
            .filter(notification_preferences__event=DIGEST_EVENT,
                    notification_preferences__email_enabled=True)
            .distinct().order_by("pk"))


def staff_daily_digest_send(*, day: date | None = None) -> int:
    """Send each opted-in staff member one digest of their notifications of ``day``
    (default: yesterday, Hong Kong time). Nobody gets a digest of an empty day, and running
    again for the same day sends nothing twice: each person's digest for a day is written
    once, under a lock on their row. Returns how many digests were written."""
    day = day or timezone.localdate() - timedelta(days=1)
    start, end = _day_bounds(day)
    written = 0
    for recipient in digest_recipients():
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=recipient.pk)
            already = Notification.objects.filter(
                recipient=user, event=DIGEST_EVENT, context__date=day.isoformat()).exists()
            if already:
                continue
            counts = (Notification.objects
                      .filter(recipient=user, created_at__gte=start, created_at__lt=end)
                      .exclude(event=DIGEST_EVENT)
                      .values_list("event").annotate(n=Count("id")).order_by("-n", "event"))
            unread = inbox_unread_count(user=user)
            if not counts and not unread:
                continue
            with translation.override(user.language):
                items = [{"label": str(event_label(code)), "count": n} for code, n in counts]
            notify(recipient=user, event=DIGEST_EVENT,
                   context={"date": day.isoformat(), "items": items, "unread": unread,
                            "url": reverse("notifications:inbox")})
            written += 1
    return written
