"""Partner API records: partner organisations, their API keys, idempotency keys and
webhook endpoints with their delivery log."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .core import User

API_SCOPES = (
    ("rounds:read", _("Read funding rounds")),
    ("applications:read", _("Read applications")),
    ("applications:write", _("Create and change applications")),
    ("reports:read", _("Read finance reports")),
    ("webhooks:manage", _("Manage webhook endpoints")),
)


class PartnerOrganisation(models.Model):
    """An incubator or university programme that uses the API for the startups it supports."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    contact_email = models.EmailField(_("contact email"))
    active = models.BooleanField(
        _("active"), default=True,
        help_text=_("An inactive partner's keys are refused and its webhooks are not sent."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnerMember(models.Model):
    """A person who works for a partner organisation and uses its pages on the site (the
    dashboard, webhook settings and delivery log). Linked by an administrator; a person
    belongs to one partner organisation at most. Holding the partner role without this link
    gives access to nothing."""

    partner = models.ForeignKey(PartnerOrganisation, on_delete=models.CASCADE,
                                related_name="members", verbose_name=_("partner organisation"))
    # Not named ``partner`` on the user: ``subsidy.permissions`` reads a ``partner`` attribute
    # as the mark of a partner's API client.
    user = models.OneToOneField(User, on_delete=models.CASCADE,
                                related_name="partner_membership", verbose_name=_("user"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("partner member")
        verbose_name_plural = _("partner members")
        ordering = ["partner", "user__email"]

    def __str__(self):
        return f"{self.user} → {self.partner}"


class ApiKey(models.Model):
    """A bearer key for the API, held by a partner organisation or by one staff user.

    Only the SHA-256 digest of the key is stored; the short ``prefix`` is shown to people
    so they can tell their keys apart, and is how a presented key is looked up.
    """

    partner = models.ForeignKey(PartnerOrganisation, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="api_keys",
                                verbose_name=_("partner organisation"))
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="api_keys", verbose_name=_("staff user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    hashed_key = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(partner__isnull=False, user__isnull=True)
                           | Q(partner__isnull=True, user__isnull=False)),
                name="api_key_one_holder",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def holder(self):
        return self.partner if self.partner_id else self.user


class IdempotencyKey(models.Model):
    """The first response to a write sent with an ``Idempotency-Key`` header, kept 24 hours
    so that a retried request is answered with it instead of being performed twice."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_method = models.CharField(max_length=10)
    request_path = models.CharField(max_length=2048)
    request_fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="unique_idempotency_key"),
            models.CheckConstraint(condition=Q(state__in=["in_progress", "completed"]),
                                   name="idempotency_state_known"),
            models.CheckConstraint(
                condition=Q(state="in_progress") | Q(response_status__isnull=False),
                name="idempotency_completed_has_status",
            ),
        ]

    def __str__(self):
        return f"{self.key} ({self.state})"


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
