"""Progress and outcomes after the award (DOMAIN.md, "After the award").

Each round names its outcome indicators (models trained, people hired, revenue…). When a
grant becomes active it gets its reporting requirements: one per milestone, due on the
milestone's date as it stood then, and a final report due a number of days (a round
setting) after the project ends. The due dates are copied, never followed: a late report
stays late. The company sends a report for each requirement with a value for each
indicator, a narrative and evidence; the programme officer accepts it or returns it with
comments, and a returned report is revised and sent again.
"""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class OutcomeIndicatorQuerySet(models.QuerySet):
    def in_use(self):
        """The indicators reports are asked for: every one not retired."""
        return self.filter(retired_at__isnull=True)


class OutcomeIndicator(models.Model):
    """One outcome a round asks every report to measure."""

    class Kind(models.TextChoices):
        COUNT = "count", _("Whole number")
        AMOUNT = "amount", _("Amount (HKD)")
        HOURS = "hours", _("Hours")
        NUMBER = "number", _("Number")

    round = models.ForeignKey("subsidy.FundingRound", on_delete=models.CASCADE,
                              related_name="outcome_indicators", verbose_name=_("round"))
    code = models.SlugField(_("code"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True,
                            help_text=_("For example people, customers or GPU-hours."))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.COUNT)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # A retired indicator is no longer asked in reports; the values reported stay.
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    objects = OutcomeIndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("outcome indicator")
        verbose_name_plural = _("outcome indicators")
        ordering = ["round", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="indicator_code_unique"),
            models.CheckConstraint(condition=Q(kind__in=["count", "amount", "hours", "number"]),
                                   name="indicator_kind_known"),
            models.CheckConstraint(condition=~Q(name_en=""), name="indicator_named"),
        ]

    def __str__(self):
        return f"{self.round_id}/{self.code}"

    @property
    def name(self) -> str:
        return self.name_zh if get_language() == "zh-hant" and self.name_zh else self.name_en


class ReportingRequirement(models.Model):
    """A report the grant owes, with its due date fixed when the grant became active."""

    class Kind(models.TextChoices):
        MILESTONE = "milestone", _("Milestone report")
        FINAL = "final", _("Final report")

    grant = models.ForeignKey("subsidy.Grant", on_delete=models.CASCADE,
                              related_name="reporting_requirements", verbose_name=_("grant"))
    number = models.PositiveSmallIntegerField(_("report"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    milestone = models.ForeignKey("applicants.Milestone", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("milestone"))
    title = models.CharField(_("what is reported"), max_length=300)
    # Copied when the requirement is made; nothing moves it afterwards.
    due_date = models.DateField(_("due date"))
    created_at = models.DateTimeField(default=timezone.now)
    # Each stage of reminding is sent once: set by the job that sent it.
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporting requirement")
        verbose_name_plural = _("reporting requirements")
        ordering = ["grant", "number"]
        indexes = [models.Index(fields=["due_date"], name="requirement_due_idx")]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"],
                                    name="requirement_number_unique"),
            models.UniqueConstraint(fields=["grant"], condition=Q(kind="final"),
                                    name="requirement_one_final"),
            models.UniqueConstraint(fields=["grant", "milestone"],
                                    condition=Q(milestone__isnull=False),
                                    name="requirement_one_per_milestone"),
            models.CheckConstraint(condition=Q(kind__in=["milestone", "final"]),
                                   name="requirement_kind_known"),
            models.CheckConstraint(condition=~Q(kind="final") | Q(milestone__isnull=True),
                                   name="requirement_final_has_no_milestone"),
        ]

    def __str__(self):
        return f"{self.grant_id}/{self.number}: {self.title[:60]}"

    def is_overdue(self, today=None) -> bool:
        """Past its due date with no report sent, or with its report returned."""
        today = today or timezone.localdate()
        report = getattr(self, "report", None)
        return self.due_date < today and (report is None
                                          or report.status == ProgressReport.Status.RETURNED)


class ProgressReport(models.Model):
    """The company's report for one requirement. Returned reports are revised in place and
    sent again; the first sending date is kept, so lateness never goes away."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        RETURNED = "returned", _("Returned for changes")
        ACCEPTED = "accepted", _("Accepted")

    requirement = models.OneToOneField(ReportingRequirement, on_delete=models.CASCADE,
                                       related_name="report",
                                       verbose_name=_("reporting requirement"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.SUBMITTED, db_index=True)
    narrative = models.TextField(_("progress and outcomes"), max_length=8000)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("sent at"), default=timezone.now)
    first_submitted_at = models.DateTimeField(_("first sent at"), default=timezone.now)
    late = models.BooleanField(_("sent late"), default=False)
    revision = models.PositiveSmallIntegerField(default=1)
    officer_comment = models.TextField(_("officer's comments"), blank=True, max_length=4000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "returned", "accepted"]),
                name="report_status_known"),
            models.CheckConstraint(condition=~Q(status="accepted") | Q(decided_at__isnull=False),
                                   name="report_accepted_when_reviewed"),
            models.CheckConstraint(condition=~Q(status="returned") | ~Q(officer_comment=""),
                                   name="report_returned_with_comments"),
            models.CheckConstraint(condition=~Q(narrative=""), name="report_narrative_given"),
            models.CheckConstraint(condition=Q(revision__gte=1), name="report_revision_from_1"),
        ]

    def __str__(self):
        return f"{self.requirement} ({self.get_status_display()})"


class IndicatorValue(models.Model):
    """A report's value for one of the round's outcome indicators."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values",
                               verbose_name=_("report"))
    indicator = models.ForeignKey(OutcomeIndicator, on_delete=models.PROTECT,
                                  related_name="values", verbose_name=_("indicator"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["report", "indicator__position", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"],
                                    name="indicator_value_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.indicator_id}: {self.value}"


def evidence_upload_to(instance, filename: str) -> str:
    extension = os.path.splitext(filename)[1].lower()[:8]
    return f"reports/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{extension}"


class ReportEvidence(models.Model):
    """A document sent with a report, checked for viruses before it was kept."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE,
                               related_name="evidence", verbose_name=_("report"))
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    mime_type = models.CharField(_("detected type"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report evidence")
        verbose_name_plural = _("report evidence")
        ordering = ["report", "uploaded_at", "id"]

    def __str__(self):
        return self.original_name
