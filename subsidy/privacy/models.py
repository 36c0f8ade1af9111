"""Data access requests under the Personal Data (Privacy) Ordinance (Cap. 486) from people
without an account: each is a case with the 40-day clock of section 19."""

from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.platform.models import User

# PDPO s.19(1): a data user complies with a data access request within 40 days of receiving it.
DAR_RESPONSE_DAYS = 40


class DataAccessRequest(models.Model):
    """One data access request, received on paper or by email and recorded by staff.

    Written only by ``subsidy.privacy.services.requests``; every change is audited."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLIED = "complied", _("Complied with")
        REFUSED = "refused", _("Refused (s.20 ground recorded in the notes)")
        WITHDRAWN = "withdrawn", _("Withdrawn by the requester")

    requester_name = models.CharField(_("requester's name"), max_length=150)
    requester_email = models.EmailField(_("requester's email address"), blank=True)
    requester_address = models.TextField(_("requester's postal address"), max_length=500,
                                         blank=True)
    received_on = models.DateField(_("received on"))
    description = models.TextField(_("data requested"), max_length=4000)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.OPEN)
    notes = models.TextField(_("notes"), max_length=10000, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # When the privacy officer was reminded; the reminder job writes each at most once.
    due_soon_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("data access request")
        verbose_name_plural = _("data access requests")
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "complied", "refused", "withdrawn"]),
                name="dar_status_known"),
            # An open case has no closing date; a closed one has one, not before it arrived.
            models.CheckConstraint(
                condition=(Q(status="open", closed_on__isnull=True)
                           | (~Q(status="open") & Q(closed_on__isnull=False)
                              & Q(closed_on__gte=models.F("received_on")))),
                name="dar_closed_on_follows_status"),
        ]
        indexes = [models.Index(fields=["status", "received_on"], name="dar_open_idx")]

    def __str__(self):
        return f"DAR-{self.pk} {self.requester_name}"

    @property
    def reference(self) -> str:
        return f"DAR-{self.pk:05d}"

    @property
    def due_on(self) -> date:
        return self.received_on + timedelta(days=DAR_RESPONSE_DAYS)

    def days_left(self, today: date | None = None) -> int:
        """Days until the due date (negative once overdue)."""
        return (self.due_on - (today or timezone.localdate())).days

    def clock(self, today: date | None = None) -> tuple[str, int]:
        """Where the 40-day clock stands: ``("closed", 0)``, ``("running", days left)``,
        ``("due_today", 0)`` or ``("overdue", days late)``."""
        if not self.is_open:
            return "closed", 0
        left = self.days_left(today)
        if left > 0:
            return "running", left
        return ("due_today", 0) if left == 0 else ("overdue", -left)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


