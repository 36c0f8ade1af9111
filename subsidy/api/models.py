"""Partner API records: API keys (stored as digests) and idempotency keys."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.platform.models import PartnerOrganisation, User

API_SCOPES = (
    ("rounds:read", _("Read funding rounds")),
    ("applications:read", _("Read applications")),
    ("applications:write", _("Create and change applications")),
    ("reports:read", _("Read finance reports")),
    ("webhooks:manage", _("Manage webhook endpoints")),
    ("aisc:statements", _("Send and read the AI Supercomputing Centre's usage statements")),
)
# The scopes that can work for each holder: organisations, applications and webhooks belong
# to partners; finance reports are for staff with a finance role; usage statements come
# from the AI Supercomputing Centre, whose key carries nothing else.
PARTNER_SCOPES = frozenset({"rounds:read", "applications:read", "applications:write",
                            "webhooks:manage"})
STAFF_SCOPES = frozenset({"rounds:read", "reports:read"})
AISC_SCOPES = frozenset({"aisc:statements"})


class ApiKey(models.Model):
    """A bearer key for the API, held by a partner organisation, by one staff user, or by
    the AI Supercomputing Centre (neither partner nor user; ``kind`` says which).

    Only the SHA-256 digest of the key is stored; the short ``prefix`` is shown to people
    so they can tell their keys apart, and is how a presented key is looked up. The Centre's
    key also has a signing secret: its requests carry an HMAC of their body keyed with it,
    as the scheme's webhooks do with an endpoint's secret. Like a webhook endpoint's, it is
    kept as it is, since checking an HMAC needs the secret itself.
    """

    class Kind(models.TextChoices):
        PARTNER = "partner", _("Partner organisation")
        STAFF = "staff", _("Staff user")
        AISC = "aisc", _("AI Supercomputing Centre")

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
    signing_secret = models.CharField(_("signing secret"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A partner's or a staff user's key, or the Centre's (no holder row, and a
            # signing secret: only the Centre's key has one).
            models.CheckConstraint(
                condition=(Q(partner__isnull=False, user__isnull=True, signing_secret="")
                           | Q(partner__isnull=True, user__isnull=False, signing_secret="")
                           | (Q(partner__isnull=True, user__isnull=True)
                              & ~Q(signing_secret=""))),
                name="api_key_one_holder",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def kind(self) -> str:
        if self.partner_id:
            return self.Kind.PARTNER
        return self.Kind.STAFF if self.user_id else self.Kind.AISC

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
