"""Variations of a grant after the award (DOMAIN.md, "After the award"; docs/variations.md).

A company asks to change its grant: new project dates, changed milestones, money moved
between budget lines, a larger or smaller amount; one request may carry several of these.
The proposed values are kept as rows (the dates and the amount on the request, each
milestone change and each budget move on its own row), beside what they were when asked,
so the decision and the agreement's next version say exactly what changed. The programme
officer decides, or the panel when the request is above the round's threshold or asks for
more money (``decider``, fixed when it is asked).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.platform.money import MONEY

DEFAULT_BUDGET_TOLERANCE_PERCENT = Decimal("10.00")
DEFAULT_PANEL_THRESHOLD = Decimal("100000.00")


class RoundVariationRules(models.Model):
    """A round's rules for variations; a round without a row uses the defaults."""

    round = models.OneToOneField("subsidy.FundingRound", on_delete=models.CASCADE,
                                 related_name="variation_rules", verbose_name=_("round"))
    budget_tolerance_percent = models.DecimalField(
        _("budget tolerance (%)"), max_digits=5, decimal_places=2,
        default=DEFAULT_BUDGET_TOLERANCE_PERCENT,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("A variation may move money into or out of a budget line by at most this "
                    "share of the line's amount."))
    panel_threshold = models.DecimalField(
        _("panel threshold (HKD)"), default=DEFAULT_PANEL_THRESHOLD,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("The panel decides a variation that lowers the amount or moves money "
                    "between budget lines by more than this; any increase goes to the panel."),
        **MONEY)

    class Meta:
        verbose_name = _("round variation rules")
        verbose_name_plural = _("round variation rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_tolerance_percent__gte=0)
                & Q(budget_tolerance_percent__lte=100),
                name="variation_tolerance_0_to_100"),
            models.CheckConstraint(condition=Q(panel_threshold__gte=0),
                                   name="variation_threshold_not_negative"),
        ]

    def __str__(self):
        return str(self.round)


class Variation(models.Model):
    """A company's request to change its grant, and its decision."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Decider(models.TextChoices):
        OFFICER = "officer", _("Programme officer")
        PANEL = "panel", _("Panel")

    grant = models.ForeignKey("subsidy.Grant", on_delete=models.PROTECT,
                              related_name="variations", verbose_name=_("grant"))
    number = models.PositiveSmallIntegerField(_("variation"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.REQUESTED, db_index=True)
    decider = models.CharField(_("decided by"), max_length=8, choices=Decider.choices)
    reason = models.TextField(_("reason for the change"), max_length=4000)
    # The proposed values; None (or no rows) leaves that part of the grant as it is.
    new_start_date = models.DateField(_("new start date"), null=True, blank=True)
    new_end_date = models.DateField(_("new end date"), null=True, blank=True)
    new_amount = models.DecimalField(_("new approved amount (HKD)"), null=True, blank=True,
                                     **MONEY)
    # The values the request changes, as they stood when it was made.
    old_start_date = models.DateField(_("start date when asked"), null=True, blank=True)
    old_end_date = models.DateField(_("end date when asked"), null=True, blank=True)
    old_amount = models.DecimalField(_("approved amount when asked (HKD)"), **MONEY)
    # The company's owner who asked; empty when a partner asked through the API.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    # A partner organisation that sent the request on the company's behalf (API).
    partner = models.ForeignKey("subsidy.PartnerOrganisation", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("sent by partner"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decision by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True,
                                       max_length=4000)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    agreement_version = models.PositiveSmallIntegerField(
        _("agreement version"), null=True, blank=True,
        help_text=_("The version of the grant agreement that records this variation."))

    class Meta:
        verbose_name = _("variation")
        verbose_name_plural = _("variations")
        ordering = ["grant", "-number"]
        indexes = [models.Index(fields=["status", "requested_at"],
                                name="variation_status_asked_idx")]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="variation_number_unique"),
            # One open request per grant: each is decided against the grant as it stands.
            models.UniqueConstraint(fields=["grant"], condition=Q(status="requested"),
                                    name="variation_one_open_per_grant"),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "approved", "rejected", "withdrawn"]),
                name="variation_status_known"),
            models.CheckConstraint(condition=Q(decider__in=["officer", "panel"]),
                                   name="variation_decider_known"),
            models.CheckConstraint(condition=Q(new_amount__isnull=True) | Q(new_amount__gt=0),
                                   name="variation_amount_positive"),
            models.CheckConstraint(
                condition=Q(new_start_date__isnull=True) | Q(new_end_date__isnull=True)
                | Q(new_end_date__gte=F("new_start_date")),
                name="variation_dates_in_order"),
            # Any increase is the panel's.
            models.CheckConstraint(
                condition=Q(new_amount__isnull=True) | Q(new_amount__lte=F("old_amount"))
                | Q(decider="panel"),
                name="variation_increase_by_panel"),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "rejected"])
                | (Q(decided_at__isnull=False) & Q(decided_by__isnull=False)
                   & ~Q(decision_reason="")),
                name="variation_decision_recorded"),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="variation_withdrawal_dated"),
            models.CheckConstraint(
                condition=Q(status="approved") | Q(agreement_version__isnull=True),
                name="variation_version_when_approved"),
            models.CheckConstraint(condition=~Q(reason=""), name="variation_reason_given"),
            # Someone asked: the company's owner, or a partner linked to it.
            models.CheckConstraint(
                condition=Q(requested_by__isnull=False) | Q(partner__isnull=False),
                name="variation_asked_by_someone"),
        ]

    def __str__(self):
        return f"{self.grant_id} V{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.REQUESTED

    @property
    def amount_change(self) -> Decimal:
        return Decimal("0.00") if self.new_amount is None else self.new_amount - self.old_amount


class VariationMilestoneChange(models.Model):
    """A milestone's new due date and/or deliverable."""

    variation = models.ForeignKey(Variation, on_delete=models.CASCADE,
                                  related_name="milestone_changes")
    milestone = models.ForeignKey("applicants.Milestone", on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("milestone"))
    old_due_date = models.DateField(_("due date when asked"))
    old_deliverable = models.CharField(_("deliverable when asked"), max_length=300)
    new_due_date = models.DateField(_("new due date"), null=True, blank=True)
    new_deliverable = models.CharField(_("new deliverable"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("milestone change")
        verbose_name_plural = _("milestone changes")
        ordering = ["variation", "old_due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["variation", "milestone"],
                                    name="variation_milestone_once"),
            models.CheckConstraint(
                condition=Q(new_due_date__isnull=False) | ~Q(new_deliverable=""),
                name="variation_milestone_changes_something"),
        ]

    def __str__(self):
        return f"{self.variation} – {self.old_deliverable[:40]}"


class VariationBudgetMove(models.Model):
    """Money moved from one budget line of the project to another."""

    variation = models.ForeignKey(Variation, on_delete=models.CASCADE,
                                  related_name="budget_moves")
    from_line = models.ForeignKey("applicants.BudgetLine", on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("from budget line"))
    to_line = models.ForeignKey("applicants.BudgetLine", on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("to budget line"))
    amount = models.DecimalField(_("amount moved (HKD)"), **MONEY)

    class Meta:
        verbose_name = _("budget move")
        verbose_name_plural = _("budget moves")
        ordering = ["variation", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="variation_move_positive"),
            models.CheckConstraint(condition=~Q(from_line=F("to_line")),
                                   name="variation_move_between_lines"),
        ]

    def __str__(self):
        return f"{self.variation}: {self.amount}"
