"""The record of a grant's closing: its outcome (completed, or terminated with a reason),
who closed it and when, what the closing released, and the checklist as it stood."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.platform.money import MONEY


class GrantClosure(models.Model):
    """One per closed grant, written in the transaction of the application's ``complete``
    or ``terminate`` step (``subsidy.closure.services.closing``); never changed after."""

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")

    grant = models.OneToOneField("subsidy.Grant", on_delete=models.PROTECT,
                                 related_name="closure", verbose_name=_("grant"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=4000)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    paid_amount = models.DecimalField(_("paid (HKD)"), **MONEY)
    released_commitment = models.DecimalField(_("commitment released (HKD)"), **MONEY)
    released_compute = models.DecimalField(_("compute allocation released (HKD)"), **MONEY,
                                           default=Decimal("0.00"))
    recoveries_raised = models.DecimalField(_("recoveries raised (HKD)"), **MONEY,
                                            default=Decimal("0.00"))
    checklist = models.JSONField(_("checklist at closing"), default=list, blank=True)

    class Meta:
        verbose_name = _("grant closure")
        verbose_name_plural = _("grant closures")
        ordering = ["-closed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=["completed", "terminated"]),
                                   name="closure_outcome_known"),
            models.CheckConstraint(condition=~Q(outcome="terminated") | ~Q(reason=""),
                                   name="closure_termination_has_reason"),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & Q(released_commitment__gte=0)
                & Q(released_compute__gte=0) & Q(recoveries_raised__gte=0),
                name="closure_amounts_not_negative"),
        ]

    def __str__(self):
        return f"{self.grant} – {self.get_outcome_display()}"
