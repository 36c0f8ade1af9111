"""Accounting periods and the adjustments posted into them.

A period is a calendar month (Hong Kong dates). A finance officer asks for it to be closed
once it has ended; a finance approver who did not ask closes it (maker-checker). From then
on nothing is posted with a value date in it: no payment paid, no bank outcome, no recovery
receipt (the services refuse it, and PostgreSQL too: migration ``0015_accounting_periods``).
What the period showed when it closed is kept as reported (``reported``); a correction found
later (a payment the bank returns after its month closed) is an adjustment in the open
period, referencing the original payment, so the closed month is never restated.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.platform.money import MONEY


class AccountingPeriod(models.Model):
    month = models.DateField(_("month"), unique=True)  # the first day of the month
    close_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+",
                                           verbose_name=_("close asked by"))
    close_requested_at = models.DateTimeField(_("close asked at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The figures as reported at the close: paid, recovered, accruals and their lines.
    reported = models.JSONField(_("figures as reported"), default=dict, blank=True)

    class Meta:
        verbose_name = _("accounting period")
        verbose_name_plural = _("accounting periods")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="period_month_first_day"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | (Q(closed_by__isnull=False) & Q(close_requested_by__isnull=False)
                   & ~Q(closed_by=F("close_requested_by"))),
                name="period_close_maker_checker"),
        ]

    def __str__(self):
        return self.month.strftime("%Y-%m")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class PeriodAdjustment(models.Model):
    """A correction posted in an open period for something that belongs to a closed one:
    a payment paid in a closed month and returned by the bank afterwards (``amount`` is
    the money that comes back off paid, negative)."""

    class Kind(models.TextChoices):
        PAYMENT_RETURNED = "payment_returned", _("Payment returned after its period closed")

    period = models.ForeignKey(AccountingPeriod, on_delete=models.PROTECT,
                               related_name="adjustments", verbose_name=_("posted in"))
    original_period = models.ForeignKey(AccountingPeriod, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("corrects"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    payment = models.OneToOneField("subsidy.Disbursement", on_delete=models.PROTECT,
                                   related_name="period_adjustment",
                                   verbose_name=_("payment"))
    amount = models.DecimalField(_("adjustment to paid (HKD)"), **MONEY)
    reason = models.TextField(_("reason"), max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)

    class Meta:
        verbose_name = _("period adjustment")
        verbose_name_plural = _("period adjustments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["payment_returned"]),
                                   name="period_adjustment_kind_known"),
            models.CheckConstraint(condition=~Q(period=F("original_period")),
                                   name="period_adjustment_in_another_period"),
        ]

    def __str__(self):
        return f"{self.period}: {self.amount}"
