"""Grants: the money side of an approved application, from offer to completion.

A grant is created when the panel approves an application; its ``approved_amount`` is then
committed against the round's envelope (DOMAIN.md, "Money"). The commitment is computed
from these rows in SQL, never kept as a running total.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .core import MONEY, FundingRound


class Grant(models.Model):
    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        LAPSED = "lapsed", _("Lapsed")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")

    # Grants whose whole approved amount counts against the round's envelope. A terminated
    # grant counts only what was paid on it; a declined or lapsed offer counts nothing.
    COMMITTING_STATUSES = (Status.OFFERED, Status.ACCEPTED, Status.ACTIVE, Status.COMPLETED)

    application = models.OneToOneField("applicants.Application", on_delete=models.PROTECT,
                                       related_name="grant", verbose_name=_("application"))
    round = models.ForeignKey(FundingRound, on_delete=models.PROTECT, related_name="grants",
                              verbose_name=_("round"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.OFFERED, db_index=True)
    approved_amount = models.DecimalField(_("approved amount (HKD)"), **MONEY)
    approved_ratio_percent = models.DecimalField(
        _("approved subsidy ratio (%)"), max_digits=5, decimal_places=2)
    exceptional_case = models.BooleanField(
        _("exceptional case above the round's ratio cap"), default=False)
    exceptional_justification = models.TextField(_("justification of the exceptional case"),
                                                 blank=True, max_length=4000)
    conditions = models.TextField(_("conditions"), blank=True, max_length=8000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("approved at"), default=timezone.now)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("offer answered at"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("completed or terminated at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["round", "status"], name="grant_round_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(approved_amount__gt=Decimal("0")),
                                   name="grant_amount_positive"),
            models.CheckConstraint(
                condition=Q(approved_ratio_percent__gt=0) & Q(approved_ratio_percent__lte=90),
                name="grant_ratio_0_to_90",
            ),
            models.CheckConstraint(
                condition=Q(exceptional_case=False) | ~Q(exceptional_justification=""),
                name="grant_exceptional_case_justified",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["offered", "accepted", "declined", "lapsed", "active",
                                        "completed", "terminated"]),
                name="grant_status_known",
            ),
        ]

    def __str__(self):
        return f"{self.application} – HK${self.approved_amount:,.2f}"
