"""The notification outbox (every email and inbox item, written in the caller's
transaction) and each user's notification preferences."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.platform.models import User


class Notification(models.Model):
    """The outbox and the in-app inbox in one row per message to one person.

    It is written in the caller's transaction; delivery happens on commit through Celery, and
    the sweeper re-enqueues what was left pending, so nothing is lost when the broker is down.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNDELIVERABLE = "undeliverable", _("Undeliverable")
        # In the inbox only: the recipient switched email off for this optional event.
        EMAIL_OFF = "email_off", _("Email turned off")

    recipient = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="notifications")
    to_email = models.EmailField(max_length=254)
    event = models.CharField(max_length=80, db_index=True)
    context = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, default="en")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    subject = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # A delivery claims the row with one UPDATE until this time (a lease) and marks it sent
    # with its token; a claim left by a dead worker expires instead of blocking the row.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_outbox_idx"),
            models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed", "undeliverable",
                                         "email_off"]),
                name="notification_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.to_email} ({self.status})"


class NotificationPreference(models.Model):
    """Whether a user wants email for one optional notification event.

    No row means the event's default (``subsidy.notifications.events``): email on, except the
    staff daily digest, which is opt-in. Mandatory events ignore these rows. Preferences
    govern email only: every notification still appears in the in-app inbox.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    event = models.CharField(max_length=80)
    email_enabled = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "event"],
                                    name="notification_preference_once_per_event"),
        ]

    def __str__(self):
        return f"{self.user} {self.event}: {'on' if self.email_enabled else 'off'}"
