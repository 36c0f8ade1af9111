"""Compute subsidy at the AI Supercomputing Centre (DOMAIN.md, "After the award").

A grant's allocation is GPU-hours at its round's list rate; its value is the subsidy it may
draw: hours x list rate x the grant's ratio. The allocation is a commitment of the round of
its own, next to the approved amount (paid in tranches): the envelope counts what it has
not released (docs/compute.md, "Money"). The Centre's monthly usage statements are posted
line by line against the grants as charges: the subsidy drawn, capped at the allocation,
and the company's share, with any excess over the allocation named.

On PostgreSQL, constraint triggers keep the drawn subsidy and the released rest within the
allocation and the allocations within the round's envelope (migration 0020).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.platform.money import MONEY

HOURS = {"max_digits": 12, "decimal_places": 2}


class ComputeAllocation(models.Model):
    """A grant's GPU-hours at the Centre, with the rate and ratio they were valued at."""

    grant = models.OneToOneField("subsidy.Grant", on_delete=models.PROTECT,
                                 related_name="compute_allocation", verbose_name=_("grant"))
    hours = models.DecimalField(_("allocated GPU-hours"), **HOURS)
    list_rate = models.DecimalField(_("list rate per GPU-hour (HKD)"), **MONEY)
    ratio_percent = models.DecimalField(_("subsidy ratio (%)"), max_digits=5,
                                        decimal_places=2)
    amount = models.DecimalField(_("allocation: subsidy it may draw (HKD)"), **MONEY)
    released_amount = models.DecimalField(_("released at closure (HKD)"), default=Decimal("0"),
                                          **MONEY)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # Each alert goes once: the time it went is kept.
    alerted_80_at = models.DateTimeField(null=True, blank=True)
    alerted_100_at = models.DateTimeField(null=True, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("compute allocation")
        verbose_name_plural = _("compute allocations")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="compute_hours_positive"),
            models.CheckConstraint(condition=Q(list_rate__gte=0),
                                   name="compute_rate_not_negative"),
            models.CheckConstraint(condition=Q(ratio_percent__gt=0) & Q(ratio_percent__lte=90),
                                   name="compute_ratio_0_to_90"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="compute_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(released_amount__gte=0) & Q(released_amount__lte=F("amount")),
                name="compute_released_within_allocation"),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True, released_amount=0)
                | Q(released_at__isnull=False),
                name="compute_released_when_released"),
        ]

    def __str__(self):
        return f"{self.grant_id}: {self.hours} GPU-hours"

    @property
    def committed_amount(self) -> Decimal:
        return self.amount - self.released_amount


class UsageStatement(models.Model):
    """One monthly statement of the Centre for one company, received whole or not at all."""

    class Source(models.TextChoices):
        CSV = "csv", _("CSV uploaded by staff")
        API = "api", _("AISC API")

    organisation = models.ForeignKey("applicants.Organisation", on_delete=models.PROTECT,
                                     related_name="compute_statements",
                                     verbose_name=_("company"))
    period = models.DateField(_("period (first day of the month)"))
    reference = models.CharField(_("statement reference"), max_length=60)
    source = models.CharField(_("source"), max_length=3, choices=Source.choices)
    file_sha256 = models.CharField(_("SHA-256 of the file or body"), max_length=64)
    idempotency_key = models.CharField(max_length=200, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    api_key = models.ForeignKey("subsidy.ApiKey", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("usage statement")
        verbose_name_plural = _("usage statements")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "period", "reference"],
                                    name="compute_statement_once"),
            models.UniqueConstraint(fields=["file_sha256"], name="compute_statement_file_once"),
            models.CheckConstraint(condition=Q(period__day=1),
                                   name="compute_statement_period_month"),
            models.CheckConstraint(condition=Q(source__in=["csv", "api"]),
                                   name="compute_statement_source_known"),
            models.CheckConstraint(condition=Q(file_sha256__regex=r"^[0-9a-f]{64}$"),
                                   name="compute_statement_sha256_hex"),
            models.CheckConstraint(condition=~Q(reference=""),
                                   name="compute_statement_has_reference"),
        ]

    def __str__(self):
        return f"{self.reference} ({self.period:%Y-%m})"


class ComputeCharge(models.Model):
    """A statement line posted against a grant: the list amount split into the subsidy drawn
    (capped at what is left of the allocation) and the company's share; ``excess_amount``
    names the subsidy the cap withheld, which the company pays too."""

    statement = models.ForeignKey(UsageStatement, on_delete=models.PROTECT,
                                  related_name="charges", verbose_name=_("statement"))
    line_number = models.PositiveIntegerField(_("line"))
    grant = models.ForeignKey("subsidy.Grant", on_delete=models.PROTECT,
                              related_name="compute_charges", verbose_name=_("grant"))
    allocation = models.ForeignKey(ComputeAllocation, on_delete=models.PROTECT,
                                   related_name="charges")
    period = models.DateField(_("period"))
    gpu_type = models.CharField(_("GPU type"), max_length=40)
    hours = models.DecimalField(_("GPU-hours"), **HOURS)
    list_amount = models.DecimalField(_("list amount (HKD)"), **MONEY)
    subsidy_amount = models.DecimalField(_("subsidy drawn (HKD)"), **MONEY)
    company_amount = models.DecimalField(_("company's share (HKD)"), **MONEY)
    excess_amount = models.DecimalField(_("subsidy beyond the allocation (HKD)"),
                                        default=Decimal("0"), **MONEY)
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)

    class Meta:
        verbose_name = _("compute charge")
        verbose_name_plural = _("compute charges")
        ordering = ["period", "id"]
        indexes = [models.Index(fields=["grant", "period"], name="compute_charge_grant_idx")]
        constraints = [
            models.UniqueConstraint(fields=["statement", "line_number"],
                                    name="compute_charge_line_once"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="compute_charge_hours"),
            models.CheckConstraint(
                condition=Q(subsidy_amount__gte=0) & Q(company_amount__gte=0)
                & Q(excess_amount__gte=0),
                name="compute_charge_not_negative"),
            models.CheckConstraint(
                condition=Q(list_amount=F("subsidy_amount") + F("company_amount")),
                name="compute_charge_split_adds_up"),
            models.CheckConstraint(condition=Q(excess_amount__lte=F("company_amount")),
                                   name="compute_charge_excess_paid_by_company"),
        ]

    def __str__(self):
        return f"{self.statement_id}:{self.line_number}"
