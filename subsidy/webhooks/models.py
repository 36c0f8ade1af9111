"""Partner webhooks: the endpoints a partner registers, the events they take and the
delivery log with its retries."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.platform.models import PartnerOrganisation


class WebhookEventType(models.TextChoices):
    """Events a partner can subscribe to; each concerns one of the partner's applications
    or organisations."""

    APPLICATION_CREATED = "application.created", _("Application created")
    APPLICATION_SUBMITTED = "application.submitted", _("Application submitted")
    APPLICATION_STATUS_CHANGED = "application.status_changed", _("Application status changed")
    APPLICATION_INFO_REQUESTED = "application.info_requested", _("Information requested")
    APPLICATION_DECIDED = "application.decided", _("Decision made")
    APPLICATION_WITHDRAWN = "application.withdrawn", _("Application withdrawn")
    ORGANISATION_LINKED = "organisation.linked", _("Organisation linked")
    ORGANISATION_UNLINKED = "organisation.unlinked", _("Organisation unlinked")
    VARIATION_REQUESTED = "variation.requested", _("Variation requested")
    VARIATION_APPROVED = "variation.approved", _("Variation approved")
    VARIATION_REJECTED = "variation.rejected", _("Variation rejected")
    GRANT_CLOSED = "grant.closed", _("Grant closed")
    REPORT_SUBMITTED = "report.submitted", _("Progress report submitted")
    REPORT_ACCEPTED = "report.accepted", _("Progress report accepted")
    REPORT_RETURNED = "report.returned", _("Progress report returned")


class WebhookEndpoint(models.Model):
    """A partner's URL that receives signed event deliveries."""

    partner = models.ForeignKey(PartnerOrganisation, on_delete=models.CASCADE,
                                related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=2000)
    secret = models.CharField(_("signing secret"), max_length=128)
    event_types = models.JSONField(_("event types"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.partner} → {self.url}"


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one endpoint, with the log of its attempts.

    ``event_id`` is shared by a delivery and its redeliveries so receivers can drop
    duplicates."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE,
                                 related_name="deliveries")
    event_id = models.UUIDField(db_index=True)
    event_type = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="redeliveries")
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"],
                                name="webhook_delivery_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "delivered", "failed"]),
                                   name="webhook_delivery_status_known"),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
                name="webhook_delivered_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint_id} ({self.status})"
